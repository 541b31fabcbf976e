using Akka.Jobs.Contracts.Jobs;
using Akka.Jobs.Contracts.Runs;
using Akka.Jobs.Domain.Jobs;
using Akka.Jobs.Domain.Protocol;
using CsCheck;
using Xunit;
using static Akka.Jobs.Tests.Unit.Samples;

namespace Akka.Jobs.Tests.Unit;

/// <summary>
/// The attempt decisions over random sequences of what workers and the cluster can do to one run: failures (retryable
/// or not, listed non-retryable or not), successes, lost work, repeated reports and crashes of the job actor. The
/// harness carries decisions out as the job actor does (a retry is handed out with the decided number; after a
/// crash every open item is dispatched again with its next number) and checks what must always hold.
/// </summary>
public sealed class AttemptDecisionProperties
{
    private enum Kind { FailRetryable, FailListed, FailFinal, Succeed, Lost, RepeatLastReport, Crash }

    private sealed record Step(Kind Kind, int Item);

    private static readonly Gen<Step> StepGen = Gen.Select(
        Gen.Frequency((4, Gen.Const(Kind.FailRetryable)), (1, Gen.Const(Kind.FailListed)), (1, Gen.Const(Kind.FailFinal)),
            (3, Gen.Const(Kind.Succeed)), (1, Gen.Const(Kind.Lost)), (2, Gen.Const(Kind.RepeatLastReport)), (1, Gen.Const(Kind.Crash))),
        Gen.Int[0, 2], (kind, item) => new Step(kind, item));

    private static readonly Gen<(int Items, int MaxAttempts, IReadOnlyList<Step> Steps)> CaseGen =
        Gen.Select(Gen.Int[1, 3], Gen.Int[1, 4], StepGen.List[1, 30], (items, max, steps) => (items, max, (IReadOnlyList<Step>)steps));

    [Fact]
    public void No_attempt_number_is_handed_out_twice_none_beyond_max_attempts_and_a_run_ends_once_with_the_right_status() =>
        CaseGen.Sample(c => Check(c.Items, c.MaxAttempts, c.Steps), iter: 3_000, seed: "0N0XIzNsQ0O2");

    private static void Check(int itemCount, int maxAttempts, IReadOnlyList<Step> steps)
    {
        var keys = Enumerable.Range(0, itemCount).Select(i => $"e{i}").ToArray();
        var d = Definition("prop", entities: itemCount == 1 ? [] : keys) with
        {
            Retry = Definition().Retry with { MaxAttempts = maxAttempts, NonRetryable = ["listed"], Jitter = 0 },
        };
        if (itemCount == 1) keys = [JobParameters.SingleItemKey];
        var runId = RunIds.For(d.Id, T0);
        var state = JobState.Empty(d.Id);
        state = state.DecideTick(Tick(d, T0), T0).Aggregate(state, (s, e) => s.Apply(e));
        var now = T0;
        // What the job actor handed out: the attempt in flight per item (its lease), and every number ever used.
        var inFlight = keys.ToDictionary(k => k, _ => 1);
        var used = keys.ToDictionary(k => k, _ => new HashSet<int> { 1 });
        var lastReport = new Dictionary<string, WorkFailed>();
        var finished = 0;

        void Take(IReadOnlyList<IJobEvent> events)
        {
            foreach (var e in events)
            {
                state = state.Apply(e);
                switch (e)
                {
                    case AttemptFailed { WillRetry: true } f:
                        var next = f.NextAttempt!.Value;
                        Assert.True(next <= maxAttempts, $"attempt {next} handed out with max {maxAttempts}");
                        Assert.True(used[f.ItemKey].Add(next), $"attempt {next} of {f.ItemKey} handed out twice");
                        inFlight[f.ItemKey] = next;
                        break;
                    case AttemptFailed f:
                        inFlight.Remove(f.ItemKey);
                        break;
                    case ItemSucceeded s:
                        inFlight.Remove(s.ItemKey);
                        break;
                    case RunFinished f:
                        finished++;
                        var failedItems = state.History.Single(h => h.RunId == runId);
                        Assert.Equal(f.Status, failedItems.Status);
                        break;
                }
            }
        }

        foreach (var step in steps)
        {
            now = now.AddSeconds(1);
            if (finished > 0) break;
            var key = keys[step.Item % keys.Length];
            var open = state.Active[runId].Items[key] is { Done: false };
            switch (step.Kind)
            {
                case Kind.Crash:
                    // Nothing of the dispatch survives: the state resumes, and every open item is dispatched anew.
                    inFlight.Clear();
                    Take(state.DecideRecovery(now));
                    if (!state.Active.TryGetValue(runId, out var resumed)) break;
                    foreach (var item in resumed.OpenItems)
                    {
                        var next = item.Attempt + 1;
                        Assert.True(next <= maxAttempts, $"attempt {next} dispatched after a crash with max {maxAttempts}");
                        Assert.True(used[item.Key].Add(next), $"attempt {next} of {item.Key} dispatched twice after a crash");
                        inFlight[item.Key] = next;
                    }
                    break;
                case Kind.RepeatLastReport when lastReport.TryGetValue(key, out var again):
                    // A worker repeats a known outcome to a re-dispatch: it was decided when it first came.
                    Assert.Empty(state.DecideFailed(again, inFlight.GetValueOrDefault(key, again.Attempt), now, new Random(1)));
                    break;
                case Kind.Lost when open && inFlight.TryGetValue(key, out var lostAttempt):
                    Take(state.DecideLost(runId, key, lostAttempt, "n", now, now, "gone"));
                    break;
                case Kind.Succeed when open && inFlight.TryGetValue(key, out var okAttempt):
                    Take(state.DecideSucceeded(new WorkSucceeded(d.Id, runId, key, okAttempt, "n", now, now, null)));
                    break;
                case Kind.FailRetryable or Kind.FailListed or Kind.FailFinal when open && inFlight.TryGetValue(key, out var attempt):
                    var report = new WorkFailed(d.Id, runId, key, attempt, "n", now, now, step.Kind == Kind.FailListed ? "listed" : "flaky", "x",
                        Retryable: step.Kind != Kind.FailFinal);
                    lastReport[key] = report;
                    Take(state.DecideFailed(report, attempt, now, new Random(1)));
                    break;
            }
        }

        Assert.True(finished <= 1, $"the run finished {finished} times");
        if (finished == 0)
        {
            // Still running: every open item has an attempt in flight (none is left waiting for nothing).
            Assert.All(state.Active[runId].OpenItems, i => Assert.True(inFlight.ContainsKey(i.Key), $"{i.Key} is open with nothing in flight"));
        }
        else
        {
            var view = state.History.Single(h => h.RunId == runId);
            Assert.True(view.Attempts <= maxAttempts, $"{view.Attempts} attempts recorded with max {maxAttempts}");
        }
    }
}
