namespace Akka.Jobs.Orchestrator.Configuration;

/// <summary>
/// The <c>--db</c> value: the command line, <c>AKKA_JOBS_DB</c>, the file named by <c>AKKA_JOBS_DB_FILE</c> (a container
/// secret), <c>akka.jobs.node.db</c> or <c>db-file</c> in HOCON, first wins. A file keeps a PostgreSQL password off the
/// command line and out of the process environment; errors name the setting, never the connection string.
/// </summary>
public static class DatabaseSetting
{
    public const string Default = "data/akka-jobs.db";

    public static string Read(string? argument, Func<string, string?> env, Func<string, string?> hocon)
    {
        if (!string.IsNullOrWhiteSpace(argument)) return argument;
        if (env("AKKA_JOBS_DB") is { Length: > 0 } inline) return inline;
        if (env("AKKA_JOBS_DB_FILE") is { Length: > 0 } file) return FromFile(file, "AKKA_JOBS_DB_FILE");
        if (hocon("db") is { Length: > 0 } db) return db;
        if (hocon("db-file") is { Length: > 0 } hoconFile) return FromFile(hoconFile, "akka.jobs.node.db-file");
        return Default;
    }

    private static string FromFile(string path, string key)
    {
        var value = SecretFile.Read(path, key);
        if (string.IsNullOrWhiteSpace(value)) throw new ConfigException($"{key}: file '{path}' is empty; it should hold a SQLite path or a PostgreSQL connection string");
        return value;
    }
}
