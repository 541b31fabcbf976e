using Akka.Actor;
using Akka.Jobs.Orchestrator.Configuration;
using Akka.Jobs.Persistence;
using Akka.Jobs.Persistence.Audit;
using Akka.Jobs.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Akka.Jobs.Tests.Security;

/// <summary>
/// The database's secrets: the connection string can come from a file, never reaches the ActorSystem's HOCON (which
/// <c>akka.log-config-on-start</c> prints), and the SQLite file is readable by the node's user only.
/// </summary>
public sealed class DatabaseSecretTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("akka-jobs-db-secret-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Func<string, string?> Env(params (string Key, string Value)[] vars) => k => vars.FirstOrDefault(v => v.Key == k).Value;

    private static string Db(Func<string, string?> env, string? argument = null, string? hoconDb = null) =>
        DatabaseSetting.Read(argument, env, key => key == "db" ? hoconDb : null);

    [Fact]
    public void Connection_string_is_read_from_the_file_named_by_AKKA_JOBS_DB_FILE_without_its_trailing_newline()
    {
        var file = Path.Combine(_dir, "db");
        File.WriteAllText(file, "Host=pg;Username=app;Password=s3cret\n");

        Assert.Equal("Host=pg;Username=app;Password=s3cret", Db(Env(("AKKA_JOBS_DB_FILE", file)), hoconDb: "hocon.db"));
        // The usual order still holds: the command line, then AKKA_JOBS_DB, then the file, then HOCON.
        Assert.Equal("inline.db", Db(Env(("AKKA_JOBS_DB", "inline.db"), ("AKKA_JOBS_DB_FILE", file))));
        Assert.Equal("arg.db", Db(Env(("AKKA_JOBS_DB_FILE", file)), argument: "arg.db"));
        Assert.Equal("hocon.db", Db(Env(), hoconDb: "hocon.db"));
    }

    [Fact]
    public void Missing_or_empty_db_file_is_refused_naming_the_setting()
    {
        var missing = Path.Combine(_dir, "missing");
        Assert.Equal($"AKKA_JOBS_DB_FILE: file '{missing}' does not exist",
            Assert.Throws<ConfigException>(() => Db(Env(("AKKA_JOBS_DB_FILE", missing)))).Message);

        var empty = Path.Combine(_dir, "empty");
        File.WriteAllText(empty, "\n");
        Assert.StartsWith("AKKA_JOBS_DB_FILE: file", Assert.Throws<ConfigException>(() => Db(Env(("AKKA_JOBS_DB_FILE", empty)))).Message);
    }

    [Fact]
    public async Task The_postgres_password_is_not_in_the_actor_systems_config()
    {
        const string password = "never-in-hocon-7f3a9c";
        // The test server trusts local connections, so the password is carried but never asked for.
        await using var node = await TestNode.StartAsync(db: TestDatabases.NewPostgresDatabase() + $";Password={password}");

        var config = node.Services.GetRequiredService<ActorSystem>().Settings.Config;
        Assert.DoesNotContain(password, config.ToString(includeFallback: true));
        Assert.Equal("PostgreSQL.15", config.GetString("akka.persistence.journal.sql.provider-name"));
        Assert.True(string.IsNullOrEmpty(config.GetString("akka.persistence.journal.sql.connection-string")));
        // The settings the engine's throughput depends on are still there.
        Assert.Equal("Csv", config.GetString("akka.persistence.journal.sql.tag-write-mode"));
        Assert.Equal(4, config.GetInt("akka.persistence.journal.sql.parallelism"));
        Assert.Equal(1000, config.GetInt("akka.persistence.journal.sql.batch-size"));
    }

    [Fact]
    public async Task A_new_sqlite_database_gets_an_owner_only_folder_and_owner_only_files()
    {
        if (OperatingSystem.IsWindows()) return;
        var folder = Path.Combine(_dir, "data");
        var path = Path.Combine(folder, "jobs.db");

        // The audit store may be first to open the file; the journal then finds it ready.
        await new AuditStore(DatabaseTarget.Parse(path)).RecordAsync(TimeProvider.System.GetUtcNow(), "test", "probe", "-", "ok", "test");
        await using (var node = await TestNode.StartAsync(db: path))
        {
            Assert.NotNull(node.Db);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder));
            foreach (var file in new[] { path, path + "-wal", path + "-shm" })
                if (File.Exists(file)) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            Assert.True(File.Exists(path + "-wal"), "the database is not in WAL mode");
        }
    }
}
