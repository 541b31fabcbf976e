using Akka.Actor;

namespace Akka.Jobs.Actors;

/// <summary>
/// Props whose actor is made by a plain delegate. <c>Props.Create(() => new X(…))</c> builds an expression
/// tree on every call and reads its arguments back by reflection (dozens of objects per actor); workers
/// and attempt runners are created for every run, so that cost was paid thousands of times a second.
/// </summary>
internal static class ActorProps
{
    public static Props Of<TActor>(Func<TActor> make) where TActor : ActorBase => Props.CreateBy(new Producer<TActor>(make));

    private sealed class Producer<TActor>(Func<TActor> make) : IIndirectActorProducer where TActor : ActorBase
    {
        public Type ActorType => typeof(TActor);

        public ActorBase Produce() => make();

        public void Release(ActorBase actor) { }
    }
}
