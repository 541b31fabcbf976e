using Akka.Jobs.Domain.Schedules;
using Akka.Jobs.Domain.Secrets;
using Akka.Jobs.Contracts.Jobs;

namespace Akka.Jobs.Domain.Definitions;

/// <summary>Full validation of a definition: structure, schedule syntax, handler name and parameters, and the node's shell policy.</summary>
public static class DefinitionCheck
{
    /// <summary>
    /// Every problem; empty when the definition can be stored. With <paramref name="secrets"/> (the node's store: every
    /// node reads the same configuration), the secrets the definition names must exist and be open to its tenant and host.
    /// </summary>
    public static IReadOnlyList<ValidationError> Validate(JobDefinition d, IReadOnlyCollection<string> handlers, ShellPolicy shell, DateTimeOffset now, bool isNew,
        ISecretStore? secrets = null, int maxSerializedBytes = JobDefinitionLimits.DefaultMaxSerializedBytes)
    {
        var errors = JobDefinitionValidator.Validate(d, maxSerializedBytes).ToList();
        if (!string.IsNullOrWhiteSpace(d.Schedule) && JobDefinitionValidator.TryFindTimeZone(d.TimeZone, out var zone))
        {
            if (!ScheduleParser.TryParse(d.Schedule, zone, out var schedule, out var error))
                errors.Add(new ValidationError("schedule", error ?? $"'{d.Schedule}' is not a valid schedule"));
            else if (isNew && schedule is OneShotSchedule o && o.At <= now)
                errors.Add(new ValidationError("schedule", $"the one-shot time {o.At:O} is in the past"));
        }
        if (!string.IsNullOrEmpty(d.Handler) && !handlers.Contains(d.Handler))
            errors.Add(new ValidationError("handler", $"unknown handler '{d.Handler}'; registered: {string.Join(", ", handlers.Order())}"));
        var parameterErrors = HandlerParameterValidation.Validate(d.Handler ?? "", d.Parameters);
        errors.AddRange(parameterErrors);
        // A runAs that is not even a user name is reported once, by the parameter check.
        errors.AddRange(shell.Check(d).Where(e => !parameterErrors.Any(p => p.Field == e.Field)));
        if (secrets is not null) errors.AddRange(SecretReferences.Check(d, secrets));
        return errors;
    }

    /// <summary>The parsed schedule of a definition that passed <see cref="Validate"/>.</summary>
    public static Schedule ScheduleOf(JobDefinition d)
    {
        JobDefinitionValidator.TryFindTimeZone(d.TimeZone, out var zone);
        return ScheduleParser.Parse(d.Schedule, zone);
    }
}
