using Akka.Actor;

namespace Akka.Jobs.Orchestrator.Api;

/// <summary>The API's one way of asking an actor: a timeout becomes a 503 naming what did not answer, never a 500.</summary>
public static class Ask
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static async Task<IResult> Send<T>(IActorRef actor, object message, Func<T, IResult> map, string who = "the scheduler")
    {
        var (value, error) = await Send<T, IResult>(actor, message, map, who);
        return error ?? value!;
    }

    /// <summary>The mapped reply, or the error reply to give instead.</summary>
    public static async Task<(TOut? Value, IResult? Error)> Send<T, TOut>(IActorRef actor, object message, Func<T, TOut> map, string who = "the scheduler")
    {
        try
        {
            var reply = await actor.Ask<T>(message, Timeout);
            return (map(reply), null);
        }
        catch (AskTimeoutException)
        {
            return (default, ApiErrors.Unavailable(who));
        }
    }
}
