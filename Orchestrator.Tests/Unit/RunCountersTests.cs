using Akka.Jobs.Tests.Infrastructure;
using System.Text.Json;
using Akka.Jobs.Domain.Protocol;
using Akka.Jobs.Domain.Jobs;
using Akka.Jobs.Actors.Jobs;
using Akka.Jobs.Contracts.Jobs;
using Akka.Jobs.Contracts.Runs;
using Akka.Jobs.Contracts.Serialization;
using Xunit;
using static Akka.Jobs.Tests.Unit.Samples;

namespace Akka.Jobs.Tests.Unit;

/// <summary>
/// A run keeps its open-item count and highest attempt as counters (so a fan-out step is O(log n)); these
/// tests hold them to a recount after any sequence of events, after replay and after a snapshot.
/// </summary>
public sealed class RunCountersTests
{
    private static readonly JsonSerializerOptions Json = JobsJson.Options;

    private static JobDefinition Wide(int items) =>
        Definition("wide", entities: Enumerable.Range(0, items).Select(i => $"e{i}").ToList()) with { Retry = new RetryPolicy { MaxAttempts = 4 } };

    private static void AssertCountersMatchRecount(JobState s)
    {
        foreach (var run in s.Active.Values)
        {
            Assert.Equal(run.Items.Values.Count(i => !i.Done), run.OpenCount);
            Assert.Equal(run.Items.Values.Select(i => i.Attempt).DefaultIfEmpty(0).Max(), run.Attempts);
        }
    }

    private static JobState ThroughSnapshot(JobState s) =>
        JsonSerializer.Deserialize<JobState>(JsonSerializer.SerializeToUtf8Bytes(s, Json), Json)!;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Counters_equal_a_recount_after_any_sequence_of_outcomes_replay_and_snapshot(int seed)
    {
        var random = new Random(seed);
        var d = Wide(40);
        var runId = RunIds.For(d.Id, T0);
        var journal = new List<IJobEvent>();
        var s = JobState.Empty(d.Id);
        void Take(IReadOnlyList<IJobEvent> events)
        {
            journal.AddRange(events);
            s = events.Aggregate(s, (acc, e) => acc.Apply(e));
            AssertCountersMatchRecount(s);
        }

        Take(s.DecideTick(Tick(d, T0), T0));
        var at = T0;
        while (s.Active.ContainsKey(runId))
        {
            at = at.AddSeconds(1);
            var open = s.Active[runId].OpenItems.ToList();
            var item = open[random.Next(open.Count)];
            var attempt = item.Attempt + 1;
            switch (random.Next(10))
            {
                case 0:
                    Take([new RunResumed(d.Id, runId, at)]);
                    break;
                case 1 or 2:
                    Take(s.DecideFailed(new WorkFailed(d.Id, runId, item.Key, attempt, "n", at, at, "flaky", "x", true)));
                    break;
                case 3:
                    Take(s.DecideFailed(new WorkFailed(d.Id, runId, item.Key, attempt, "n", at, at, "bad", "x", false)));
                    break;
                default:
                    Take(s.DecideSucceeded(new WorkSucceeded(d.Id, runId, item.Key, attempt, "n", at, at, null)));
                    break;
            }
            if (random.Next(8) == 0)
            {
                // Recovery from a snapshot: the counters are recounted from the items and the run goes on.
                s = ThroughSnapshot(s);
                AssertCountersMatchRecount(s);
            }
        }

        // The run closed exactly when its last item did, and replaying the journal gives the same outcome.
        var finished = Assert.IsType<RunFinished>(journal.Last(e => e is RunFinished));
        Assert.Equal(runId, finished.RunId);
        var replayed = journal.Aggregate(JobState.Empty(d.Id), (acc, e) => acc.Apply(e));
        Assert.Equal(s.History, replayed.History);
        Assert.Empty(replayed.Active);
    }

    [Fact]
    public void Snapshot_of_a_run_in_flight_restores_its_counters()
    {
        var d = Wide(6);
        var runId = RunIds.For(d.Id, T0);
        var s = JobState.Empty(d.Id);
        IEnumerable<IJobEvent> events =
        [
            .. s.DecideTick(Tick(d, T0), T0),
            new ItemSucceeded(d.Id, runId, "e0", 1, "n", T0, T0, null),
            new AttemptFailed(d.Id, runId, "e1", 3, "n", T0, T0, "flaky", "x", true),
            new AttemptFailed(d.Id, runId, "e2", 1, "n", T0, T0, "bad", "x", false),
        ];
        s = events.Aggregate(s, (acc, e) => acc.Apply(e));

        var json = JsonSerializer.Serialize(s, Json);
        var back = JsonSerializer.Deserialize<JobState>(json, Json)!;

        // The counters are not part of the snapshot's JSON: snapshots written before them read the same way.
        Assert.DoesNotContain("openCount", json);
        Assert.Equal(4, back.Active[runId].OpenCount);
        Assert.Equal(3, back.Active[runId].Attempts);
        Assert.Equal(s.Active[runId].ToView(d.Id, 1), back.Active[runId].ToView(d.Id, 1));
    }

    [Fact]
    public void Last_open_item_closes_the_run_and_names_the_failed_items()
    {
        var d = Wide(3);
        var runId = RunIds.For(d.Id, T0);
        var s = JobState.Empty(d.Id);
        s = s.DecideTick(Tick(d, T0), T0).Aggregate(s, (acc, e) => acc.Apply(e));
        s = s.DecideFailed(new WorkFailed(d.Id, runId, "e1", 1, "n", T0, T0, "bad", "no", false)).Aggregate(s, (acc, e) => acc.Apply(e));
        s = s.DecideSucceeded(new WorkSucceeded(d.Id, runId, "e0", 1, "n", T0, T0, null)).Aggregate(s, (acc, e) => acc.Apply(e));
        Assert.Equal(1, s.Active[runId].OpenCount);

        var events = s.DecideSucceeded(new WorkSucceeded(d.Id, runId, "e2", 1, "n", T0, T0, null));

        var finished = Assert.IsType<RunFinished>(events[^1]);
        Assert.Equal(RunStatus.Failed, finished.Status);
        Assert.Equal("item 'e1' failed", finished.Reason);
    }

    [Fact]
    public void Snapshots_of_a_large_fan_out_wait_for_as_many_events_as_the_state_has_items()
    {
        var small = JobState.Empty("small");
        Assert.False(small.SnapshotDue(199, 200));
        Assert.True(small.SnapshotDue(200, 200));

        var d = Wide(10_000);
        var s = JobState.Empty(d.Id);
        s = s.DecideTick(Tick(d, T0), T0).Aggregate(s, (acc, e) => acc.Apply(e));

        // The definition's entities and the run's items: 20,000 entries per snapshot.
        Assert.Equal(20_000, s.SnapshotWeight());
        Assert.False(s.SnapshotDue(200, 200));
        Assert.False(s.SnapshotDue(19_999, 200));
        Assert.True(s.SnapshotDue(20_000, 200));
    }
}
