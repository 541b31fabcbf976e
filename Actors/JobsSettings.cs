namespace Akka.Jobs.Actors;

/// <summary>Tuning of the actor pipeline, bound from <c>akka.jobs.engine</c>.</summary>
public sealed record JobsSettings
{
    /// <summary>
    /// Job actors and the scheduler snapshot after at least this many events: a job actor adds a
    /// random share up to as much again, and both wait longer when their state is large.
    /// </summary>
    public int SnapshotEvery { get; init; } = 200;
    /// <summary>A tick not acknowledged within this time is sent again.</summary>
    public TimeSpan TickResendAfter { get; init; } = TimeSpan.FromSeconds(3);
    /// <summary>How often the scheduler persists its watermarks when they moved.</summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>Safety-net sweep for due times, in case a trigger wake-up was lost.</summary>
    public TimeSpan SweepInterval { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>A scheduled time older than this when emitted counts as missed (misfire policy applies).</summary>
    public TimeSpan MisfireThreshold { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>How often a worker tells the job actor that an item is still being worked on.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>An item not heard of for this long is presumed lost with its node and dispatched again.</summary>
    public TimeSpan WorkLease { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>A job actor with no run in flight leaves memory after this long without messages.</summary>
    public TimeSpan PassivateIdleAfter { get; init; } = TimeSpan.FromMinutes(2);
    /// <summary>
    /// A job due within this lead whose job actor has probably passivated is woken ahead of time, so
    /// its journal is read before the due time. Keep it above <see cref="SweepInterval"/>.
    /// </summary>
    public TimeSpan WarmUpAhead { get; init; } = TimeSpan.FromSeconds(20);
    /// <summary>
    /// Scheduled runs are decided, stored and handed to their worker this long before their time; the
    /// handler starts at the time. A burst of runs due at one instant then starts on time instead of
    /// queueing behind its journal writes. A job paused within this lead before a time still runs at it.
    /// Zero turns it off. A time prepared while another run of the job is in flight is decided at the time
    /// (overlap policy), so keep it below the period of frequent jobs: at 0.5 s an every-second job whose
    /// runs are short is prepared after its previous run ended.
    /// </summary>
    public TimeSpan PrepareAhead { get; init; } = TimeSpan.FromMilliseconds(500);
    /// <summary>
    /// Largest definition (serialized) the scheduler accepts. It must fit a remoting frame with room to spare
    /// (<see cref="Contracts.Jobs.JobDefinitionLimits.DefaultMaxSerializedBytes"/>); a single node whose definitions never
    /// cross the network may raise it together with the frame size.
    /// </summary>
    public int MaxDefinitionBytes { get; init; } = Contracts.Jobs.JobDefinitionLimits.DefaultMaxSerializedBytes;
    /// <summary>Number of shards for jobs and workers (about 10× the largest node count).</summary>
    public int Shards { get; init; } = 100;
    /// <summary>
    /// Attempts of any handler running at once on this node; more wait in a queue, first come first served. High
    /// enough by default that it never delays a burst of light attempts (a noop or http attempt costs a task, not a
    /// thread): it bounds a runaway fan-out, not normal work.
    /// </summary>
    public int WorkerSlots { get; init; } = 10_000;
    /// <summary>
    /// Shell attempts running at once on this node (each is a process tree), so a fan-out with a large max-parallel
    /// does not start thousands of processes. Four per core: programs usually wait on I/O part of the time.
    /// </summary>
    public int ShellSlots { get; init; } = 4 * Environment.ProcessorCount;
    /// <summary>Whether the scheduler uses Quartz triggers for precise wake-ups (off in virtual-time tests).</summary>
    public bool UseQuartz { get; init; } = true;
}
