using System.Text.Json;
using Akka.Jobs.Contracts.Jobs;
using Akka.Jobs.Domain.Definitions;
using Xunit;

namespace Akka.Jobs.Tests.Unit;

/// <summary>Every field of a definition is bounded, and so is the whole, as the cluster serializer writes it.</summary>
public sealed class DefinitionLimitsTests
{
    private static JobDefinition Valid() => Samples.Definition("limits") with { Handler = "noop", Parameters = JobParameters.Empty };

    private static JsonElement Nested(int depth) =>
        JsonDocument.Parse(string.Concat(Enumerable.Repeat("{\"a\":", depth - 1)) + "{}" + new string('}', depth - 1)).RootElement.Clone();

    public static TheoryData<string, string, string> Cases() => new()
    {
        { "description", "at most 2,000", nameof(Description) },
        { "tags", "at most 32", nameof(TooManyTags) },
        { "tags", "at most 64 characters", nameof(LongTag) },
        { "tags", "control characters", nameof(TagWithNewline) },
        { "tenant", "at most 64 characters", nameof(LongTenant) },
        { "tenant", "control characters", nameof(TenantWithEscape) },
        { "timeZone", "at most 64", nameof(LongZone) },
        { "schedule", "at most 256", nameof(LongSchedule) },
        { "handler", "is not a valid handler name", nameof(LongHandler) },
        { "parameters", "at most 32,768", nameof(BigParameters) },
        { "parameters", "deeper than 16", nameof(DeepParameters) },
        { "entities", "at most 100,000", nameof(TooManyEntities) },
        { "entities", "at most 256 characters", nameof(LongEntity) },
        { "entities", "control characters", nameof(EntityWithNewline) },
        { "entities", "control characters", nameof(EntityWithEscape) },
        { "retry.initialBackoff", "1 day", nameof(LongBackoff) },
        { "retry.maxBackoff", "at most 1 day", nameof(LongMaxBackoff) },
        { "retry.nonRetryable", "at most 32", nameof(ManyKinds) },
        { "alertAfter", "between 0 and 10000", nameof(AlertHuge) },
        { "pauseAfter", "between 0 and 10000", nameof(PauseHuge) },
        { "maxParallel", "between 1 and 10000", nameof(ParallelHuge) },
    };

    private static JobDefinition Description() => Valid() with { Description = new string('d', 2_001) };
    private static JobDefinition TooManyTags() => Valid() with { Tags = Enumerable.Range(0, 33).Select(i => $"t{i}").ToList() };
    private static JobDefinition LongTag() => Valid() with { Tags = [new string('t', 65)] };
    private static JobDefinition TagWithNewline() => Valid() with { Tags = ["a\nb"] };
    private static JobDefinition LongTenant() => Valid() with { Tenant = new string('t', 65) };
    private static JobDefinition TenantWithEscape() => Valid() with { Tenant = "acme\u001b[31m" };
    private static JobDefinition LongZone() => Valid() with { TimeZone = new string('z', 65) };
    private static JobDefinition LongSchedule() => Valid() with { Schedule = string.Concat(Enumerable.Repeat("* ", 200)) };
    private static JobDefinition LongHandler() => Valid() with { Handler = new string('h', 65) };
    private static JobDefinition BigParameters() => Valid() with { Parameters = JsonSerializer.SerializeToElement(new { text = new string('p', 33_000) }) };
    private static JobDefinition DeepParameters() => Valid() with { Parameters = Nested(17) };
    private static JobDefinition TooManyEntities() => Valid() with { Entities = Enumerable.Range(0, 100_001).Select(i => $"e{i}").ToList() };
    private static JobDefinition LongEntity() => Valid() with { Entities = [new string('e', 257)] };
    private static JobDefinition EntityWithNewline() => Valid() with { Entities = ["a\n[FAKE] forged line"] };
    private static JobDefinition EntityWithEscape() => Valid() with { Entities = ["a\u001b[31m"] };
    private static JobDefinition LongBackoff() => Valid() with { Retry = new RetryPolicy { InitialBackoff = TimeSpan.FromDays(2), MaxBackoff = TimeSpan.FromDays(2) } };
    private static JobDefinition LongMaxBackoff() => Valid() with { Retry = new RetryPolicy { MaxBackoff = TimeSpan.FromDays(2) } };
    private static JobDefinition ManyKinds() => Valid() with { Retry = new RetryPolicy { NonRetryable = Enumerable.Range(0, 33).Select(i => $"k{i}").ToList() } };
    private static JobDefinition AlertHuge() => Valid() with { AlertAfter = 10_001 };
    private static JobDefinition PauseHuge() => Valid() with { PauseAfter = 10_001 };
    private static JobDefinition ParallelHuge() => Valid() with { MaxParallel = 10_001 };

    [Fact]
    public void The_sample_definition_is_within_every_limit() => Assert.Empty(JobDefinitionValidator.Validate(Valid()));

    [Fact]
    public void Values_at_the_limits_are_accepted()
    {
        var d = Valid() with
        {
            Description = new string('d', 2_000),
            Tags = Enumerable.Range(0, 32).Select(i => $"t{i}").ToList(),
            Tenant = new string('t', 64),
            Entities = [new string('e', 256)],
            Parameters = Nested(16),
            MaxParallel = 10_000,
            Retry = new RetryPolicy { InitialBackoff = TimeSpan.FromDays(1), MaxBackoff = TimeSpan.FromDays(1) },
        };
        Assert.Empty(JobDefinitionValidator.Validate(d));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_field_beyond_its_limit_is_named(string field, string message, string make)
    {
        var d = (JobDefinition)typeof(DefinitionLimitsTests).GetMethod(make, System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .Invoke(null, null)!;
        var errors = JobDefinitionValidator.Validate(d);
        var error = Assert.Single(errors, e => e.Field == field);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void A_definition_too_large_for_a_cluster_message_is_rejected_saying_its_size_and_the_limit()
    {
        // 8,000 entities of 10 characters: every field is within its own cap, the whole is not.
        var d = Valid() with { Entities = Enumerable.Range(0, 8_000).Select(i => $"item-{i:00000}").ToList() };
        var size = JobDefinitionValidator.SerializedSize(d);
        Assert.True(size > JobDefinitionLimits.DefaultMaxSerializedBytes, $"{size}");

        var error = Assert.Single(JobDefinitionValidator.Validate(d));

        Assert.Equal("definition", error.Field);
        Assert.Contains($"is {size:N0} bytes serialized; at most 65,536 fit a cluster message", error.Message);
        // The scheduler's check says the same; a node may raise the bound (akka.jobs.engine.max-definition-size).
        Assert.Contains(DefinitionCheck.Validate(d, ["noop"], ShellPolicy.Default, DateTimeOffset.UnixEpoch, isNew: true), e => e.Field == "definition");
        Assert.Empty(DefinitionCheck.Validate(d, ["noop"], ShellPolicy.Default, DateTimeOffset.UnixEpoch, isNew: true, maxSerializedBytes: 1024 * 1024));
    }
}
