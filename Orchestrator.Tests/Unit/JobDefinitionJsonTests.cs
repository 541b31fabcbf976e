using System.Text.Json;
using Akka.Jobs.Contracts.Jobs;
using Akka.Jobs.Orchestrator.Configuration;
using Xunit;
using static Akka.Jobs.Tests.Unit.Samples;

namespace Akka.Jobs.Tests.Unit;

public sealed class JobDefinitionJsonTests
{
    private const string Full = """
        {
          "id": "nightly-report",
          "schedule": "0 2 * * *",
          "timeZone": "Europe/Berlin",
          "handler": "http",
          "parameters": { "url": "https://reports.example.com/run", "headers": { "X-Tenant": "acme" }, "retries": [1, 2] },
          "entities": ["a", "b", "c"],
          "overlap": "buffer-one",
          "misfire": "fire-all",
          "maxCatchUp": 7,
          "retry": { "maxAttempts": 5, "initialBackoff": "2s", "maxBackoff": "3m", "multiplier": 3, "jitter": 0.1, "nonRetryable": ["http-4xx"] },
          "timeout": "1h30m",
          "maxParallel": 4,
          "alertAfter": 2,
          "pauseAfter": 5,
          "onInterrupt": "fail",
          "tenant": "acme",
          "description": "Builds the nightly report",
          "tags": ["reports", "nightly"]
        }
        """;

    private static (JobDefinition? Definition, IReadOnlyList<ValidationError> Errors) Read(string json, string id = "nightly-report") =>
        JobDefinitionJson.Read(id, Json(json));

    /// <summary>The full definition with one top-level field replaced (raw JSON value) or removed (null).</summary>
    private static string With(string field, string? rawValue)
    {
        var o = System.Text.Json.Nodes.JsonNode.Parse(Full)!.AsObject();
        if (rawValue is null) o.Remove(field);
        else o[field] = System.Text.Json.Nodes.JsonNode.Parse(rawValue);
        return o.ToJsonString();
    }

    private static ValidationError ErrorFor(string json, string field)
    {
        var (d, errors) = Read(json);
        Assert.Null(d);
        return Assert.Single(errors, e => e.Field == field);
    }

    [Fact]
    public void Full_definition_reads_every_field()
    {
        var (d, errors) = Read(Full);

        Assert.Empty(errors);
        Assert.NotNull(d);
        Assert.Equal("nightly-report", d.Id);
        Assert.Equal("0 2 * * *", d.Schedule);
        Assert.Equal("Europe/Berlin", d.TimeZone);
        Assert.Equal("http", d.Handler);
        Assert.Equal("acme", d.Parameters.GetProperty("headers").GetProperty("X-Tenant").GetString());
        Assert.Equal(2, d.Parameters.GetProperty("retries").GetArrayLength());
        Assert.Equal(["a", "b", "c"], d.Entities);
        Assert.Equal(OverlapPolicy.BufferOne, d.Overlap);
        Assert.Equal(MisfirePolicy.FireAll, d.Misfire);
        Assert.Equal(InterruptPolicy.Fail, d.OnInterrupt);
        Assert.Equal(7, d.MaxCatchUp);
        Assert.Equal(5, d.Retry.MaxAttempts);
        Assert.Equal(TimeSpan.FromSeconds(2), d.Retry.InitialBackoff);
        Assert.Equal(TimeSpan.FromMinutes(3), d.Retry.MaxBackoff);
        Assert.Equal(3.0, d.Retry.Multiplier);
        Assert.Equal(0.1, d.Retry.Jitter);
        Assert.Equal(["http-4xx"], d.Retry.NonRetryable);
        Assert.Equal(TimeSpan.FromMinutes(90), d.Timeout);
        Assert.Equal(4, d.MaxParallel);
        Assert.Equal(2, d.AlertAfter);
        Assert.Equal(5, d.PauseAfter);
        Assert.Equal("acme", d.Tenant);
        Assert.Equal("Builds the nightly report", d.Description);
        Assert.Equal(["reports", "nightly"], d.Tags);
    }

    [Fact]
    public void Minimal_definition_gets_the_defaults()
    {
        var (d, errors) = Read("""{"schedule":"hourly","handler":"noop"}""", "tiny");

        Assert.Empty(errors);
        Assert.Equal("tiny", d!.Id);
        Assert.Equal("UTC", d.TimeZone);
        Assert.Equal(OverlapPolicy.Forbid, d.Overlap);
        Assert.Equal(MisfirePolicy.FireOnce, d.Misfire);
        Assert.Equal(3, d.Retry.MaxAttempts);
        Assert.Equal(TimeSpan.FromMinutes(10), d.Timeout);
        Assert.Equal(JsonValueKind.Object, d.Parameters.ValueKind);
        Assert.Equal([JobParameters.SingleItemKey], d.ItemKeys());
    }

    [Theory]
    [InlineData("overlap", "forbid", OverlapPolicy.Forbid)]
    [InlineData("overlap", "allow", OverlapPolicy.Allow)]
    [InlineData("overlap", "replace", OverlapPolicy.Replace)]
    [InlineData("overlap", "buffer-one", OverlapPolicy.BufferOne)]
    [InlineData("overlap", "buffer_one", OverlapPolicy.BufferOne)]
    [InlineData("overlap", "BufferOne", OverlapPolicy.BufferOne)]
    public void Overlap_accepts_kebab_case_values(string field, string value, OverlapPolicy expected) =>
        Assert.Equal(expected, Read(With(field, JsonSerializer.Serialize(value))).Definition!.Overlap);

    [Theory]
    [InlineData("fire-once", MisfirePolicy.FireOnce)]
    [InlineData("fire-all", MisfirePolicy.FireAll)]
    [InlineData("skip", MisfirePolicy.Skip)]
    public void Misfire_accepts_kebab_case_values(string value, MisfirePolicy expected) =>
        Assert.Equal(expected, Read(With("misfire", JsonSerializer.Serialize(value))).Definition!.Misfire);

    [Theory]
    [InlineData("overlap", "\"sometimes\"", "buffer-one")]
    [InlineData("overlap", "\"1\"", "forbid")]
    [InlineData("misfire", "\"fire-twice\"", "fire-all")]
    [InlineData("onInterrupt", "\"retry\"", "resume")]
    public void Unknown_enum_value_names_the_field_and_lists_the_kebab_case_values(string field, string raw, string listed)
    {
        var error = ErrorFor(With(field, raw), field);

        Assert.Contains(listed, error.Message);
    }

    [Theory]
    [InlineData("timeZone", "\"Mars/Olympus_Mons\"")]
    [InlineData("handler", "\"Not A Handler!\"")]
    [InlineData("handler", "\"-leading-dash\"")]
    [InlineData("timeout", "\"ten minutes\"")]
    [InlineData("timeout", "\"0s\"")]
    [InlineData("timeout", "\"8d\"")]
    [InlineData("timeout", "600")]
    [InlineData("maxCatchUp", "0")]
    [InlineData("maxCatchUp", "1.5")]
    [InlineData("maxParallel", "\"many\"")]
    [InlineData("alertAfter", "-1")]
    [InlineData("pauseAfter", "-1")]
    [InlineData("schedule", "5")]
    [InlineData("schedule", "\" \"")]
    [InlineData("handler", "[\"http\"]")]
    [InlineData("tenant", "{}")]
    [InlineData("parameters", "[1,2]")]
    [InlineData("parameters", "\"url=x\"")]
    [InlineData("entities", "\"a,b\"")]
    [InlineData("entities", "[\"a\", 1]")]
    [InlineData("entities", "[\"a\", \"a\"]")]
    [InlineData("entities", "[\"a|b\"]")]
    [InlineData("tags", "[\"\"]")]
    [InlineData("retry", "3")]
    [InlineData("overlap", "2")]
    public void Bad_field_yields_an_error_naming_it(string field, string raw) =>
        ErrorFor(With(field, raw), field);

    [Theory]
    [InlineData("""{"maxAttempts": -1}""", "retry.maxAttempts", "got -1")]
    [InlineData("""{"maxAttempts": 101}""", "retry.maxAttempts", "got 101")]
    [InlineData("""{"maxAttempts": "three"}""", "retry.maxAttempts", "whole number")]
    [InlineData("""{"initialBackoff": "ten minutes"}""", "retry.initialBackoff", "duration")]
    [InlineData("""{"initialBackoff": "5m", "maxBackoff": "1m"}""", "retry.maxBackoff", "at least retry.initialBackoff")]
    [InlineData("""{"multiplier": 0.5}""", "retry.multiplier", "between 1 and 100")]
    [InlineData("""{"multiplier": "fast"}""", "retry.multiplier", "number")]
    [InlineData("""{"jitter": 2}""", "retry.jitter", "between 0 and 1")]
    [InlineData("""{"nonRetryable": "http-4xx"}""", "retry.nonRetryable", "array of strings")]
    [InlineData("""{"maxAtempts": 3}""", "retry.maxAtempts", "unknown field")]
    public void Bad_retry_field_yields_an_error_with_its_dotted_name(string retry, string field, string message)
    {
        var error = ErrorFor(With("retry", retry), field);

        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Duration_error_quotes_the_bad_value()
    {
        var error = ErrorFor(With("timeout", "\"ten minutes\""), "timeout");

        Assert.Contains("\"ten minutes\"", error.Message);
    }

    [Fact]
    public void Unknown_field_is_named_and_known_fields_are_listed()
    {
        var error = ErrorFor(With("maxParalel", "3"), "maxParalel");

        Assert.Contains("unknown field", error.Message);
        Assert.Contains("maxParallel", error.Message);
    }

    [Fact]
    public void Id_in_the_body_must_match_the_path()
    {
        Assert.Empty(Read(Full, "nightly-report").Errors);

        var error = ErrorFor2(Full, "other-id", "id");

        Assert.Equal("'nightly-report' does not match the id in the path 'other-id'", error.Message);
    }

    [Fact]
    public void Id_that_is_not_a_string_is_reported() =>
        ErrorFor(With("id", "42"), "id");

    private static ValidationError ErrorFor2(string json, string pathId, string field)
    {
        var (d, errors) = Read(json, pathId);
        Assert.Null(d);
        return Assert.Single(errors, e => e.Field == field);
    }

    [Fact]
    public void Invalid_path_id_is_reported()
    {
        var (d, errors) = Read(With("id", null), "Bad Id");

        Assert.Null(d);
        Assert.Contains("not a valid job id", Assert.Single(errors, e => e.Field == "id").Message);
    }

    [Fact]
    public void Missing_required_fields_are_each_reported_once()
    {
        var (d, errors) = Read("""{}""", "empty");

        Assert.Null(d);
        Assert.Equal(["handler", "schedule"], errors.Select(e => e.Field).Order());
        Assert.All(errors, e => Assert.Equal("is required", e.Message));
    }

    [Fact]
    public void Required_field_of_the_wrong_type_is_reported_as_a_type_error_only()
    {
        var error = ErrorFor(With("schedule", "5"), "schedule");

        Assert.Equal("must be a string, got number", error.Message);
    }

    [Fact]
    public void Several_problems_are_all_reported()
    {
        var (_, errors) = Read("""{"schedule":"hourly","handler":"noop","timeZone":"Nowhere/City","timeout":"soon","maxParallel":0,"color":"red"}""", "multi");

        Assert.Equal(["color", "maxParallel", "timeZone", "timeout"], errors.Select(e => e.Field).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Numbers_written_as_strings_are_accepted()
    {
        var (d, errors) = Read(With("maxParallel", "\"8\""));

        Assert.Empty(errors);
        Assert.Equal(8, d!.MaxParallel);
    }

    [Fact]
    public void Body_that_is_not_an_object_is_rejected() =>
        Assert.Equal("body", Assert.Single(Read("[1]").Errors).Field);

    // ------------------------------------------------------------------ the validator on its own

    [Fact]
    public void Validator_accepts_the_sample_definition() =>
        Assert.Empty(JobDefinitionValidator.Validate(Definition()));

    public static TheoryData<string, string, string> ValidatorCases() => new()
    {
        { "id", "'UPPER' is not a valid job id", nameof(Id_upper) },
        { "timeZone", "'Mars' is not a known IANA time zone", nameof(Zone_mars) },
        { "maxCatchUp", "must be between 1 and 10000, got 0", nameof(Catch_up_zero) },
        { "timeout", "must be more than 0 and at most 7 days", nameof(Timeout_zero) },
        { "retry.maxAttempts", "must be between 1 and 100, got 0", nameof(Attempts_zero) },
        { "retry.initialBackoff", "must not be negative", nameof(Backoff_negative) },
        { "retry.jitter", "must be between 0 and 1, got 1.5", nameof(Jitter_high) },
        { "parameters", "must be a JSON object", nameof(Parameters_array) },
        { "entities", "entries must be unique", nameof(Entities_duplicate) },
        { "tags", "tags must be non-empty", nameof(Tags_blank) },
    };

    private static JobDefinition Id_upper() => Definition() with { Id = "UPPER" };
    private static JobDefinition Zone_mars() => Definition() with { TimeZone = "Mars" };
    private static JobDefinition Catch_up_zero() => Definition() with { MaxCatchUp = 0 };
    private static JobDefinition Timeout_zero() => Definition() with { Timeout = TimeSpan.Zero };
    private static JobDefinition Attempts_zero() => Definition() with { Retry = new RetryPolicy { MaxAttempts = 0 } };
    private static JobDefinition Backoff_negative() => Definition() with { Retry = new RetryPolicy { InitialBackoff = TimeSpan.FromSeconds(-1) } };
    private static JobDefinition Jitter_high() => Definition() with { Retry = new RetryPolicy { Jitter = 1.5 } };
    private static JobDefinition Parameters_array() => Definition() with { Parameters = Json("[1]") };
    private static JobDefinition Entities_duplicate() => Definition() with { Entities = ["a", "a"] };
    private static JobDefinition Tags_blank() => Definition() with { Tags = [" "] };

    [Theory]
    [MemberData(nameof(ValidatorCases))]
    public void Validator_names_the_field_and_says_what_is_wrong(string field, string message, string make)
    {
        var definition = (JobDefinition)typeof(JobDefinitionJsonTests)
            .GetMethod(make, System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!.Invoke(null, null)!;

        var error = Assert.Single(JobDefinitionValidator.Validate(definition));

        Assert.Equal(field, error.Field);
        Assert.Contains(message, error.Message);
    }

    [Theory]
    [InlineData("a", true)]
    [InlineData("0-job_name.v2", true)]
    [InlineData("-job", false)]
    [InlineData("Job", false)]
    [InlineData("job id", false)]
    [InlineData("", false)]
    public void Id_pattern(string id, bool valid) =>
        Assert.Equal(valid, JobDefinitionValidator.IsValidId(id));

    [Fact]
    public void Id_of_128_characters_is_valid_and_129_is_not()
    {
        Assert.True(JobDefinitionValidator.IsValidId(new string('a', 128)));
        Assert.False(JobDefinitionValidator.IsValidId(new string('a', 129)));
    }
}
