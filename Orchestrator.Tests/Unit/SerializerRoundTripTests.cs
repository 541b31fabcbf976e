using System.Text.Json;
using System.Text.RegularExpressions;
using Akka.Actor;
using Akka.Jobs.Domain.Protocol;
using Akka.Jobs.Domain.Scheduler;
using Akka.Jobs.Actors.Scheduler;
using Akka.Jobs.Domain.Definitions;
using Akka.Jobs.Actors.Serialization;
using Akka.Jobs.Domain.Jobs;
using Akka.Jobs.Actors.Jobs;
using Akka.Jobs.Contracts.Jobs;
using Akka.Jobs.Contracts.Runs;
using Akka.Jobs.Contracts.Serialization;
using Xunit;
using static Akka.Jobs.Tests.Unit.Samples;
using SerializationException = System.Runtime.Serialization.SerializationException;

namespace Akka.Jobs.Tests.Unit;

/// <summary>One ActorSystem for the serializers' constructor; nothing is sent through it.</summary>
public sealed class SerializerFixture : IAsyncLifetime
{
    public ActorSystem System { get; } = ActorSystem.Create("t");
    public ContractsSerializer Contracts => new((ExtendedActorSystem)System);
    public InternalSerializer Internal => new((ExtendedActorSystem)System);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => System.Terminate();
}

public sealed class SerializerRoundTripTests(SerializerFixture fixture) : IClassFixture<SerializerFixture>
{
    public static TheoryData<string> ContractManifests() => [.. ContractsSerializer.Table.Values];

    public static TheoryData<string> InternalManifests() => [.. InternalSerializer.Table.Values];

    private static string JsonOf(object o) => JsonSerializer.Serialize(o, o.GetType(), JobsJson.Options);

    private static object RoundTrip(JsonManifestSerializer serializer, IReadOnlyDictionary<Type, string> table, string manifest)
    {
        var type = table.Single(kv => kv.Value == manifest).Key;
        Assert.True(SerializerSamples().TryGetValue(type, out var sample), $"no sample for {type.Name}");
        Assert.Equal(manifest, serializer.Manifest(sample));

        var bytes = serializer.ToBinary(sample);
        var back = serializer.FromBinary(bytes, manifest);

        Assert.IsType(type, back);
        Assert.Equal(JsonOf(sample), JsonOf(back));
        return back;
    }

    [Theory]
    [MemberData(nameof(ContractManifests))]
    public void Every_contract_type_round_trips_unchanged(string manifest) =>
        RoundTrip(fixture.Contracts, ContractsSerializer.Table, manifest);

    [Theory]
    [MemberData(nameof(InternalManifests))]
    public void Every_internal_type_round_trips_unchanged(string manifest) =>
        RoundTrip(fixture.Internal, InternalSerializer.Table, manifest);

    [Fact]
    public void Every_table_entry_has_a_sample_and_every_sample_a_table_entry()
    {
        var tableTypes = ContractsSerializer.Table.Keys.Concat(InternalSerializer.Table.Keys).ToHashSet();
        var sampleTypes = SerializerSamples().Keys.ToHashSet();

        Assert.Empty(tableTypes.Except(sampleTypes).Select(t => t.Name));
        Assert.Empty(sampleTypes.Except(tableTypes).Select(t => t.Name));
    }

    [Fact]
    public void Manifests_are_unique_and_versioned()
    {
        var all = ContractsSerializer.Table.Values.Concat(InternalSerializer.Table.Values).ToList();

        Assert.Equal(all.Count, all.Distinct(StringComparer.Ordinal).Count());
        Assert.All(all, m => Assert.Matches(new Regex(@"^[a-z0-9]+(-[a-z0-9]+)*\.v[1-9][0-9]*$"), m));
    }

    [Fact]
    public void Serializer_ids_differ() =>
        Assert.NotEqual(fixture.Contracts.Identifier, fixture.Internal.Identifier);

    [Fact]
    public void Run_event_payload_without_event_fields_still_reads()
    {
        // What versions before the lifecycle events published: the run view alone.
        var old = JsonSerializer.SerializeToUtf8Bytes(new { run = RunView() }, JobsJson.Options);

        var back = Assert.IsType<RunStatusChanged>(fixture.Contracts.FromBinary(old, "run-status-changed.v1"));

        Assert.Equal(JsonOf(RunView()), JsonOf(back.Run));
        Assert.Equal((null, null, null), (back.Event, back.Attempt, back.Error));
        Assert.True(back.IsFinal);
    }

    [Fact]
    public void Unknown_manifest_throws()
    {
        var bytes = fixture.Contracts.ToBinary(new RemoveJob("x"));

        Assert.Throws<SerializationException>(() => fixture.Contracts.FromBinary(bytes, "remove-job.v99"));
        Assert.Throws<SerializationException>(() => fixture.Internal.FromBinary(bytes, "remove-job.v1"));
    }

    [Fact]
    public void Type_without_manifest_is_refused() =>
        Assert.Throws<ArgumentException>(() => fixture.Contracts.Manifest(new Tick("x", T0, TriggerKind.Scheduled, Definition(), T0)));

    [Fact]
    public void Enums_are_written_as_kebab_case_strings()
    {
        var json = JsonOf(new RegisterJob(Definition() with { Overlap = OverlapPolicy.BufferOne, Misfire = MisfirePolicy.FireAll }));

        Assert.Contains("\"overlap\":\"buffer-one\"", json);
        Assert.Contains("\"misfire\":\"fire-all\"", json);
    }

    [Fact]
    public void Restored_job_state_snapshot_still_dedupes_and_keeps_its_queued_run()
    {
        var original = BusyJobState();
        var s = fixture.Internal;
        var back = (JobState)s.FromBinary(s.ToBinary(original), s.Manifest(original));

        Assert.Equal(original.Decided, back.Decided);
        Assert.Equal(original.ForgottenUpTo, back.ForgottenUpTo);
        Assert.True(back.IsDecided(T0));
        Assert.Empty(back.DecideTick(Tick(back.Definition!, T0), T0.AddMinutes(1)));
        Assert.Single(back.Running);
        Assert.Single(back.Active.Values, r => r.Queued);
        Assert.Equal(1, back.ConsecutiveFailures);
        Assert.Equal(original.Runs(10, null), back.Runs(10, null));
        Assert.True(JobState.SameDefinition(original.Definition, back.Definition));
        Assert.Equal("acme", back.Definition!.Parameters.GetProperty("headers").GetProperty("X-Tenant").GetString());
    }

    [Fact]
    public void Restored_scheduler_snapshot_keeps_pause_and_watermarks()
    {
        var original = BusySchedulerState();
        var s = fixture.Internal;
        var back = (SchedulerState)s.FromBinary(s.ToBinary(original), s.Manifest(original));

        Assert.Equal(original.Jobs.Keys.Order(), back.Jobs.Keys.Order());
        Assert.True(back.Jobs["job-a"].Paused);
        Assert.Equal("maintenance (paused by ops)", back.Jobs["job-a"].PausedReason);
        Assert.Equal("maintenance", back.Jobs["job-a"].PauseNote);
        Assert.Equal(Samples.T0.AddDays(2), back.Jobs["job-a"].PausedUntilUtc);
        Assert.Equal(3, back.Failures["job-a"]);
        Assert.Equal(T0.AddDays(-1), back.Jobs["job-b"].SkipThroughUtc);
        Assert.Equal(T0, back.Jobs["job-b"].CoveredUtc);
        Assert.Equal(T0.AddDays(-3), back.Removed["job-c"]);
    }

    [Fact]
    public void Restored_job_state_snapshot_keeps_its_incarnation()
    {
        var original = BusyJobState();
        var s = fixture.Internal;
        var back = (JobState)s.FromBinary(s.ToBinary(original), s.Manifest(original));

        Assert.Equal(2, back.Incarnation);
        Assert.Equal(T0.AddDays(-40), back.IncarnationCreatedUtc);
        Assert.True(back.IsStale(T0.AddDays(-41)));
        Assert.False(back.IsStale(T0.AddDays(-40)));
    }

    [Fact]
    public void Snapshots_and_messages_written_before_incarnations_read_as_the_first_incarnation()
    {
        var s = fixture.Internal;
        // The shapes older versions wrote: no incarnation fields anywhere.
        var state = (JobState)s.FromBinary("""{"jobId":"re","retired":true,"history":[{"runId":"re@20260301T020000.000Z","jobId":"re","scheduledUtc":"2026-03-01T02:00:00+00:00","status":"cancelled","trigger":"scheduled","attempts":0}]}"""u8.ToArray(), "job-state-snapshot.v1");
        var scheduler = (SchedulerState)s.FromBinary("""{"jobs":{}}"""u8.ToArray(), "scheduler-state-snapshot.v1");
        var tick = (Tick)s.FromBinary(s.ToBinary(new Tick("re", T0, TriggerKind.Manual, Definition("re"), T0)), "tick.v1");

        Assert.Equal(1, state.Incarnation);
        Assert.Null(state.IncarnationCreatedUtc);
        Assert.Equal(1, Assert.Single(state.Runs(10, null)).Incarnation);
        Assert.Empty(scheduler.Removed);
        Assert.Null(tick.JobCreatedUtc);
        // A retired job of an old journal takes the next incarnation from a current scheduler.
        Assert.True(state.IsStale(null));
        Assert.True(state.IsNewIncarnation(T0));
    }
}
