using Akka.Jobs.Domain.Scheduler;
using Akka.Jobs.Domain.Definitions;
using Akka.Actor;
using Akka.Event;
using Akka.Jobs.Domain.Protocol;
using Akka.Jobs.Domain.Schedules;
using Quartz;
using IScheduler = Quartz.IScheduler;

namespace Akka.Jobs.Actors.Scheduler;

/// <summary>
/// Quartz.NET (in-memory store, the injected TimeProvider) as the scheduler's trigger engine: one
/// trigger per distinct schedule, whose firing only tells the scheduler actor to check the jobs that
/// share it. A thousand jobs every second are one trigger firing once a second, not a thousand
/// (each Quartz firing costs a job instance and a thread-pool hop, which made fires late), and
/// 100,000 jobs on one cron are one trigger in memory. Quartz never decides what runs; the actor's
/// watermark and misfire policy do. Quartz calls return tasks, so operations are chained and never
/// awaited by the actor. Membership is only touched on the actor's thread.
/// </summary>
internal sealed class QuartzWakeups : IDisposable
{
    private const string Group = "akka-jobs";
    private readonly Dictionary<string, string> _keyOfJob = [];
    private readonly Dictionary<string, HashSet<string>> _jobsOfKey = [];
    private readonly Dictionary<string, Schedule> _scheduleOfKey = [];
    private readonly ILoggingAdapter _log;
    private readonly Task<IScheduler> _scheduler;
    private Task _chain;

    public QuartzWakeups(IActorRef target, TimeProvider clock, ILoggingAdapter log)
    {
        _log = log;
        _scheduler = StartAsync(target, clock);
        _chain = _scheduler;
    }

    private static async Task<IScheduler> StartAsync(IActorRef target, TimeProvider clock)
    {
        var scheduler = await QuartzSchedulerBuilder.Create(q =>
            {
                // Quartz keeps schedulers in a process-wide repository: names must be unique per actor.
                q.ConfigureScheduler(o => o.InstanceName = $"akka-jobs-{Guid.NewGuid():N}");
                q.UseInMemoryStore();
                q.UseDefaultThreadPool(tp => tp.MaxConcurrency = 2);
                q.UseTimeProvider(clock);
            })
            .BuildScheduler().ConfigureAwait(false);
        scheduler.Context[WakeJob.TargetKey] = target;
        await scheduler.Start().ConfigureAwait(false);
        return scheduler;
    }

    /// <summary>The jobs sharing the trigger <paramref name="key"/> (empty when it has none left).</summary>
    public IReadOnlyCollection<string> JobsOf(string key) => _jobsOfKey.TryGetValue(key, out var jobs) ? jobs : [];

    /// <summary>The schedule of trigger <paramref name="key"/>, while jobs are on it.</summary>
    public Schedule? ScheduleOf(string key) => _scheduleOfKey.GetValueOrDefault(key);

    /// <summary>Puts the job on the trigger of its schedule, creating the trigger for the first job on it; true for a new trigger.</summary>
    public bool Schedule(string jobId, Schedule schedule, DateTimeOffset now)
    {
        var key = KeyOf(schedule);
        if (_keyOfJob.TryGetValue(jobId, out var old))
        {
            if (old == key) return false;
            Unschedule(jobId);
        }
        if (key is null) return false;
        _keyOfJob[jobId] = key;
        if (_jobsOfKey.TryGetValue(key, out var members))
        {
            members.Add(jobId);
            return false;
        }
        _jobsOfKey[key] = [jobId];
        _scheduleOfKey[key] = schedule;
        Enqueue(async s =>
        {
            var trigger = BuildTrigger(key, schedule, now);
            if (trigger is null) return;
            var job = JobBuilder.Create<WakeJob>().WithIdentity(key, Group).UsingJobData(WakeJob.KeyKey, key).Build();
            await s.ScheduleJob(job, trigger, ScheduleJobOptions.Replacing).ConfigureAwait(false);
        });
        return true;
    }

    /// <summary>Takes the job off its trigger; the last job leaving deletes the trigger.</summary>
    public void Unschedule(string jobId)
    {
        if (!_keyOfJob.Remove(jobId, out var key) || !_jobsOfKey.TryGetValue(key, out var members)) return;
        members.Remove(jobId);
        if (members.Count > 0) return;
        _jobsOfKey.Remove(key);
        _scheduleOfKey.Remove(key);
        Enqueue(async s => await s.DeleteJob(new JobKey(key, Group)).ConfigureAwait(false));
    }

    /// <summary>Schedules that fire at the same instants share a key (and so one trigger); manual ones have none.</summary>
    internal static string? KeyOf(Schedule schedule) => schedule switch
    {
        CronSchedule c => $"cron {c.QuartzExpression} {c.Zone.Id}",
        IntervalSchedule i => $"every {i.Interval.Ticks}",
        OneShotSchedule o => $"at {o.At.UtcTicks}",
        _ => null,
    };

    private static ITrigger? BuildTrigger(string key, Schedule schedule, DateTimeOffset now)
    {
        var builder = TriggerBuilder.Create().WithIdentity(key, Group);
        switch (schedule)
        {
            case CronSchedule c:
                // From the injected clock's now: Quartz would otherwise start the trigger at the machine's now.
                return builder.StartAt(now).WithSchedule(CronScheduleBuilder.Create(c.QuartzExpression).InTimeZone(c.Zone)
                    .WithMisfireInstruction(CronTriggerMisfireInstruction.DoNothing)).Build();
            case IntervalSchedule i when i.NextAfter(now) is { } first:
                return builder.StartAt(first).WithSimpleSchedule(x => x.WithInterval(i.Interval).RepeatForever()
                    .WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)).Build();
            case OneShotSchedule o when o.At > now:
                return builder.StartAt(o.At).Build();
            default:
                return null;
        }
    }

    private void Enqueue(Func<IScheduler, Task> op)
    {
        _chain = _chain.ContinueWith(async _ =>
        {
            try
            {
                await op(await _scheduler.ConfigureAwait(false)).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                _log.Warning(ex, "Quartz trigger update failed; the sweep timer still covers the job");
            }
        }, TaskScheduler.Default).Unwrap();
    }

    public void Dispose() =>
        _chain = _chain.ContinueWith(async _ =>
        {
            var s = await _scheduler.ConfigureAwait(false);
            await s.Shutdown(waitForJobsToComplete: false).ConfigureAwait(false);
        }, TaskScheduler.Default).Unwrap();

    /// <summary>The jobs on trigger <paramref name="Key"/> are due; local to the scheduler's node.</summary>
    public sealed record Due(string Key);

    /// <summary>The only Quartz job: tell the scheduler actor which trigger fired.</summary>
    private sealed class WakeJob : IJob
    {
        public const string TargetKey = "akka-jobs.target";
        public const string KeyKey = "akka-jobs.trigger-key";

        public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
        {
            if (context.Scheduler.Context.TryGetValue(TargetKey, out var t) && t is IActorRef target && context.MergedJobDataMap.GetString(KeyKey) is { } key)
                target.Tell(new Due(key));
            return ValueTask.CompletedTask;
        }
    }
}
