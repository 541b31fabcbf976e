namespace Akka.Jobs.Orchestrator.Configuration;

/// <summary>A secret kept in a file (a container secret, a password file): errors name the setting and the path, never the content.</summary>
public static class SecretFile
{
    /// <summary>The file's text without the trailing newline that echo and editors add (it is not part of the secret).</summary>
    public static string Read(string path, string key)
    {
        if (!File.Exists(path)) throw new ConfigException($"{key}: file '{path}' does not exist");
        try
        {
            return File.ReadAllText(path).TrimEnd('\r', '\n');
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"{key}: cannot read '{path}' ({ex.GetType().Name})");
        }
    }
}
