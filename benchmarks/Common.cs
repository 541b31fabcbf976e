using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Akka.Jobs.Benchmarks;

/// <summary>One handler start as a job body saw it: which job (and item), the engine's own scheduled time, when the body ran.</summary>
public readonly record struct Fire(string Key, DateTimeOffset? ScheduledUtc, DateTimeOffset StartUtc, int Attempt = 1);

/// <summary>Every job body of every system reports here (same process, same clock).</summary>
public static class Recorder
{
    private static ConcurrentQueue<Fire> _starts = new();
    private static long _finished;
    private static long _completed;
    private static long _lastCompletedTicks;
    private static ConcurrentDictionary<string, DateTimeOffset> _completedRuns = new();

    public static TimeProvider Clock { get; } = TimeProvider.System;
    public static DateTimeOffset Now => Clock.GetUtcNow();

    public static void Reset()
    {
        _starts = new ConcurrentQueue<Fire>();
        _completedRuns = new ConcurrentDictionary<string, DateTimeOffset>();
        Interlocked.Exchange(ref _finished, 0);
        Interlocked.Exchange(ref _completed, 0);
        Interlocked.Exchange(ref _lastCompletedTicks, 0);
    }

    public static void Started(string key, DateTimeOffset? scheduled, int attempt = 1) => _starts.Enqueue(new Fire(key, scheduled, Now, attempt));

    public static void Finished() => Interlocked.Increment(ref _finished);

    /// <summary>A run the engine itself recorded as done (Akka.Jobs: RunStatusChanged succeeded).</summary>
    public static void Completed(string runId)
    {
        var now = Now;
        if (_completedRuns.TryAdd(runId, now))
        {
            Interlocked.Increment(ref _completed);
            Interlocked.Exchange(ref _lastCompletedTicks, now.UtcTicks);
        }
    }

    public static int StartCount => _starts.Count;
    public static long FinishedCount => Interlocked.Read(ref _finished);
    public static long CompletedCount => Interlocked.Read(ref _completed);
    public static DateTimeOffset LastCompleted => new(Interlocked.Read(ref _lastCompletedTicks), TimeSpan.Zero);
    public static bool IsCompleted(string runId) => _completedRuns.ContainsKey(runId);
    public static DateTimeOffset? CompletedWithPrefix(string prefix) =>
        _completedRuns.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).Select(kv => (DateTimeOffset?)kv.Value).Min();
    public static List<Fire> Starts => [.. _starts];

    public static async Task<bool> WaitAsync(Func<bool> condition, TimeSpan timeout, int pollMs = 5)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            if (sw.Elapsed > timeout) return false;
            await Task.Delay(pollMs);
        }
        return true;
    }
}

/// <summary>Statement and commit counters of one database, read at the server from the <c>postgres</c> database.</summary>
public sealed record PgCounters(long Commits, long Rollbacks, long Statements, long TupInserted, long TupUpdated, long TupDeleted, long TupReturned, long TupFetched)
{
    public PgCounters Minus(PgCounters o) => new(Commits - o.Commits, Rollbacks - o.Rollbacks, Statements - o.Statements,
        TupInserted - o.TupInserted, TupUpdated - o.TupUpdated, TupDeleted - o.TupDeleted, TupReturned - o.TupReturned, TupFetched - o.TupFetched);
}

public sealed class Pg(string adminConnectionString)
{
    public string Admin { get; } = adminConnectionString;

    public string For(string database, int maxPool = 100) => new NpgsqlConnectionStringBuilder(Admin)
    {
        Database = database, Pooling = true, MaxPoolSize = maxPool,
    }.ConnectionString;

    private async Task<NpgsqlConnection> OpenAdminAsync()
    {
        var c = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Admin) { Database = "postgres", Pooling = false }.ConnectionString);
        await c.OpenAsync();
        return c;
    }

    public async Task ExecAsync(string sql, string database = "postgres")
    {
        await using var c = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Admin) { Database = database, Pooling = false }.ConnectionString);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, c) { CommandTimeout = 300 };
        await cmd.ExecuteNonQueryAsync();
    }

    public async Task<object?> ScalarAsync(string sql, string database = "postgres")
    {
        await using var c = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Admin) { Database = database, Pooling = false }.ConnectionString);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, c) { CommandTimeout = 300 };
        return await cmd.ExecuteScalarAsync();
    }

    public async Task CreateDatabaseAsync(string name)
    {
        NpgsqlConnection.ClearAllPools();
        await ExecAsync($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        await ExecAsync($"CREATE DATABASE {name}");
    }

    public async Task DropDatabaseAsync(string name)
    {
        NpgsqlConnection.ClearAllPools();
        try { await ExecAsync($"DROP DATABASE IF EXISTS {name} WITH (FORCE)"); }
        catch (NpgsqlException ex) { Console.Error.WriteLine($"drop {name}: {ex.Message}"); }
    }

    public bool HasStatements { get; private set; }

    public async Task InitAsync()
    {
        try
        {
            await ExecAsync("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
            await ScalarAsync("SELECT count(*) FROM pg_stat_statements");
            HasStatements = true;
        }
        catch (PostgresException ex)
        {
            Console.Error.WriteLine($"pg_stat_statements unavailable ({ex.MessageText}); statements are counted as 0");
        }
    }

    /// <summary>
    /// Counters of <paramref name="database"/>. Backends flush their statistics when a transaction ends
    /// at most once a second and otherwise when idle (up to 10 s later) or on exit, so callers close the
    /// system's connections (<see cref="NpgsqlConnection.ClearAllPools"/>) before each read.
    /// pg_stat_statements counts at once (executor end), so statement figures have no such lag.
    /// </summary>
    public async Task<PgCounters> ReadAsync(string database)
    {
        // An idle backend reports its transaction counts up to 10 s late (PGSTAT_IDLE_INTERVAL); closing
        // the pooled connections of this process (the systems under test share Npgsql's static pools)
        // makes their backends exit and flush. The systems open new connections as they need them.
        NpgsqlConnection.ClearAllPools();
        await Task.Delay(300);
        await using var c = await OpenAdminAsync();
        await using (var snap = new NpgsqlCommand("SELECT pg_stat_clear_snapshot()", c)) await snap.ExecuteNonQueryAsync();
        long commits, rollbacks, ins, upd, del, ret, fet;
        await using (var cmd = new NpgsqlCommand(
            "SELECT xact_commit, xact_rollback, tup_inserted, tup_updated, tup_deleted, tup_returned, tup_fetched FROM pg_stat_database WHERE datname = @d", c))
        {
            cmd.Parameters.AddWithValue("d", database);
            await using var r = await cmd.ExecuteReaderAsync();
            if (!await r.ReadAsync()) throw new InvalidOperationException($"no stats for {database}");
            commits = r.GetInt64(0); rollbacks = r.GetInt64(1); ins = r.GetInt64(2); upd = r.GetInt64(3); del = r.GetInt64(4); ret = r.GetInt64(5); fet = r.GetInt64(6);
        }
        long statements = 0;
        if (HasStatements)
        {
            await using var cmd = new NpgsqlCommand(
                "SELECT coalesce(sum(calls),0)::bigint FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = @d", c);
            cmd.Parameters.AddWithValue("d", database);
            statements = (long)(await cmd.ExecuteScalarAsync())!;
        }
        return new PgCounters(commits, rollbacks, statements, ins, upd, del, ret, fet);
    }

    /// <summary>The most-called statements of a database since the last reset, for the report's evidence.</summary>
    public async Task<List<(long Calls, string Query)>> TopStatementsAsync(string database, int n = 8)
    {
        var list = new List<(long, string)>();
        if (!HasStatements) return list;
        await using var c = await OpenAdminAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT calls, left(regexp_replace(query, '\\s+', ' ', 'g'), 160) FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = @d ORDER BY calls DESC LIMIT @n", c);
        cmd.Parameters.AddWithValue("d", database);
        cmd.Parameters.AddWithValue("n", n);
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) list.Add((r.GetInt64(0), r.GetString(1)));
        return list;
    }
}

public static class Stats
{
    public static double Percentile(IReadOnlyList<double> sorted, double p)
    {
        if (sorted.Count == 0) return double.NaN;
        var rank = (int)Math.Ceiling(p / 100.0 * sorted.Count) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Count - 1)];
    }

    public static string F(double v, int digits = 1) =>
        double.IsNaN(v) ? "n/a" : v.ToString("N" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
