using Npgsql;

namespace Akka.Jobs.Tests.Infrastructure;

/// <summary>
/// Fresh, isolated databases for tests.
/// PostgreSQL: ./test.sh starts a throwaway server and exports AKKA_JOBS_TEST_PG (an admin connection
/// string); every call to <see cref="NewPostgresDatabase"/> creates a new, uniquely named database on it.
/// SQLite: <see cref="NewSqliteFile"/> hands out a fresh temp file path.
/// </summary>
public static class TestDatabases
{
    public const string PostgresVariable = "AKKA_JOBS_TEST_PG";

    private const string MissingMessage =
        "AKKA_JOBS_TEST_PG is not set: run the tests through ./test.sh";

    /// <summary>
    /// The admin connection string from AKKA_JOBS_TEST_PG, or null when it is not set.
    /// Under CI (env CI set) a missing variable throws instead: PostgreSQL tests must never be
    /// skipped silently there.
    /// </summary>
    public static string? PostgresConnectionString
    {
        get
        {
            var value = Environment.GetEnvironmentVariable(PostgresVariable);
            if (!string.IsNullOrWhiteSpace(value))
                return value;
            if (IsCi)
                throw new InvalidOperationException(MissingMessage + " (CI is set, so PostgreSQL tests cannot be skipped)");
            return null;
        }
    }

    private static bool IsCi
    {
        get
        {
            var ci = Environment.GetEnvironmentVariable("CI");
            return !string.IsNullOrWhiteSpace(ci)
                && !string.Equals(ci, "false", StringComparison.OrdinalIgnoreCase)
                && ci != "0";
        }
    }

    /// <summary>
    /// Creates a fresh database named t_&lt;guid&gt; on the test server and returns a connection
    /// string for it. Throws <see cref="InvalidOperationException"/> when AKKA_JOBS_TEST_PG is not set.
    /// </summary>
    public static string NewPostgresDatabase()
    {
        var admin = PostgresConnectionString ?? throw new InvalidOperationException(MissingMessage);
        var name = $"t_{Guid.NewGuid():N}";

        using (var connection = new NpgsqlConnection(admin))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            // name is generated above (t_ + 32 hex digits): safe to inline, and CREATE DATABASE takes no parameters.
            command.CommandText = $"CREATE DATABASE \"{name}\"";
            command.ExecuteNonQuery();
        }

        var builder = new NpgsqlConnectionStringBuilder(admin)
        {
            Database = name,
            // One pool per test database: let idle connections go quickly so that a long suite
            // does not pile up idle connections against max_connections.
            ConnectionIdleLifetime = 10,
            ConnectionPruningInterval = 5,
        };
        return builder.ConnectionString;
    }

    /// <summary>A fresh temp file path (not yet created) for a SQLite database.</summary>
    public static string NewSqliteFile() =>
        Path.Combine(Path.GetTempPath(), $"akka-jobs-test-{Guid.NewGuid():N}.db");

    /// <summary>Deletes a SQLite database file from <see cref="NewSqliteFile"/> with its side files; null does nothing.</summary>
    public static void DeleteSqliteFile(string? file)
    {
        if (file is null) return;
        foreach (var f in new[] { file, file + "-wal", file + "-shm", file + "-journal" })
        {
            try { File.Delete(f); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
