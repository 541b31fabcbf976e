using System.Text.Json;
using Akka.Actor;
using Akka.Serialization;
using SerializationException = System.Runtime.Serialization.SerializationException;

namespace Akka.Jobs.Contracts.Serialization;

/// <summary>
/// System.Text.Json payloads under explicit, versioned manifests. A manifest is a promise: once
/// written to a journal it must keep reading; a changed shape gets a new manifest (".v2") and the
/// old one stays readable.
/// </summary>
public abstract class JsonManifestSerializer : SerializerWithStringManifest
{
    private readonly Dictionary<Type, string> _manifests;
    private readonly Dictionary<string, Type> _types;

    /// <summary>Creates the serializer over a type → manifest table.</summary>
    protected JsonManifestSerializer(ExtendedActorSystem system, IReadOnlyDictionary<Type, string> manifests) : base(system)
    {
        _manifests = new Dictionary<Type, string>(manifests);
        _types = manifests.ToDictionary(kv => kv.Value, kv => kv.Key);
    }

    /// <summary>Every type this serializer handles, with its manifest.</summary>
    public IReadOnlyDictionary<Type, string> Manifests => _manifests;

    /// <inheritdoc />
    public override string Manifest(object o) =>
        _manifests.TryGetValue(o.GetType(), out var m)
            ? m
            : throw new ArgumentException($"{GetType().Name} has no manifest for {o.GetType().FullName}");

    /// <inheritdoc />
    public override byte[] ToBinary(object obj) => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), JobsJson.Options);

    /// <inheritdoc />
    public override object FromBinary(byte[] bytes, string manifest) =>
        _types.TryGetValue(manifest, out var type)
            ? JsonSerializer.Deserialize(bytes, type, JobsJson.Options) ?? throw new SerializationException($"null payload for manifest '{manifest}'")
            : throw new SerializationException($"{GetType().Name} does not know manifest '{manifest}'");
}
