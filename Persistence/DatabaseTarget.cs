namespace Akka.Jobs.Persistence;

/// <summary>Where the journal lives: an embedded SQLite file (one node) or PostgreSQL (clusters).</summary>
public sealed record DatabaseTarget(string ProviderName, string ConnectionString, bool IsSqlite, string Display)
{
    /// <summary>What <see cref="ToString"/> prints: the connection string (it may carry a password) as <c>***</c>.</summary>
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append($"ProviderName = {ProviderName}, ConnectionString = ***, IsSqlite = {IsSqlite}, Display = {Display}");
        return true;
    }

    /// <summary>
    /// Reads the <c>--db</c> value: a PostgreSQL connection string (<c>Host=…</c> keywords or a
    /// <c>postgres://</c> URL) or else a SQLite file path.
    /// </summary>
    public static DatabaseTarget Parse(string db)
    {
        if (string.IsNullOrWhiteSpace(db)) throw new ArgumentException("--db: a SQLite file path or a PostgreSQL connection string is required");
        var text = db.Trim();
        if (text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
            return FromPostgresUrl(text);
        if (text.Contains('=') && text.Contains("host", StringComparison.OrdinalIgnoreCase))
        {
            var builder = new Npgsql.NpgsqlConnectionStringBuilder(text);
            return Postgres(builder, explicitKeys: text);
        }
        if (text.StartsWith("Data Source=", StringComparison.OrdinalIgnoreCase))
        {
            var b = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(text);
            return Sqlite(b.DataSource, b);
        }
        return Sqlite(text, new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder());
    }

    private static DatabaseTarget Sqlite(string path, Microsoft.Data.Sqlite.SqliteConnectionStringBuilder b)
    {
        var full = Path.GetFullPath(path);
        b.DataSource = full;
        b.DefaultTimeout = 30;
        return new DatabaseTarget("SQLite.MS", b.ConnectionString, true, $"SQLite {full}");
    }

    private static DatabaseTarget FromPostgresUrl(string url)
    {
        var uri = new Uri(url);
        var user = uri.UserInfo.Split(':', 2);
        var builder = new Npgsql.NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.Port > 0 ? uri.Port : 5432,
            Database = uri.AbsolutePath.Trim('/') is { Length: > 0 } name ? Uri.UnescapeDataString(name) : "postgres",
            Username = user.Length > 0 && user[0].Length > 0 ? Uri.UnescapeDataString(user[0]) : null,
            Password = user.Length > 1 ? Uri.UnescapeDataString(user[1]) : null,
        };
        return Postgres(builder, explicitKeys: "");
    }

    /// <summary>
    /// Pool settings for a journal that opens one short transaction per batch: without them every
    /// transaction costs an extra <c>DISCARD ALL</c> round trip and re-plans the same few statements.
    /// Values the user gave win.
    /// </summary>
    private static DatabaseTarget Postgres(Npgsql.NpgsqlConnectionStringBuilder builder, string explicitKeys)
    {
        if (!explicitKeys.Contains("Reset On Close", StringComparison.OrdinalIgnoreCase)) builder.NoResetOnClose = true;
        if (!explicitKeys.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase)) builder.MaxAutoPrepare = 64;
        return new DatabaseTarget("PostgreSQL.15", builder.ConnectionString, false, $"PostgreSQL {builder.Host}:{builder.Port}/{builder.Database}");
    }
}
