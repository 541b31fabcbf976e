using Akka.Actor;
using Akka.Event;
using Akka.Jobs.Actors.Protocol;
using Akka.Jobs.Actors.Scheduling;
using Quartz;
using IScheduler = Quartz.IScheduler;

namespace Akka.Jobs.Actors.Scheduler;

/// <summary>
/// Quartz.NET (in-memory store, the injected TimeProvider) as the scheduler's trigger engine: one
/// trigger per job whose firing only tells the scheduler actor to check that job. Quartz never
/// decides what runs; the actor's watermark and misfire policy do. Quartz calls return tasks, so
/// operations are chained and never awaited by the actor.
/// </summary>
internal sealed class QuartzWakeups : IDisposable
{
    private const string Group = "akka-jobs";
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

    public void Schedule(string jobId, Schedule schedule, DateTimeOffset now) =>
        Enqueue(async s =>
        {
            await s.UnscheduleJob(new TriggerKey(jobId, Group)).ConfigureAwait(false);
            var trigger = BuildTrigger(jobId, schedule, now);
            if (trigger is null) return;
            var job = JobBuilder.Create<WakeJob>().WithIdentity(jobId, Group).UsingJobData(WakeJob.JobIdKey, jobId).Build();
            await s.ScheduleJob(job, trigger, ScheduleJobOptions.Replacing).ConfigureAwait(false);
        });

    public void Unschedule(string jobId) => Enqueue(async s => await s.DeleteJob(new JobKey(jobId, Group)).ConfigureAwait(false));

    private static ITrigger? BuildTrigger(string jobId, Schedule schedule, DateTimeOffset now)
    {
        var builder = TriggerBuilder.Create().WithIdentity(jobId, Group);
        switch (schedule)
        {
            case CronSchedule c:
                return builder.WithSchedule(CronScheduleBuilder.Create(c.QuartzExpression).InTimeZone(c.Zone)
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

    /// <summary>The only Quartz job: tell the scheduler actor to look at one job.</summary>
    private sealed class WakeJob : IJob
    {
        public const string TargetKey = "akka-jobs.target";
        public const string JobIdKey = "akka-jobs.job-id";

        public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
        {
            if (context.Scheduler.Context.TryGetValue(TargetKey, out var t) && t is IActorRef target)
                target.Tell(new CheckDue(context.MergedJobDataMap.GetString(JobIdKey)));
            return ValueTask.CompletedTask;
        }
    }
}
