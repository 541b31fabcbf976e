using System.Data.Common;
using Akka.Jobs.Contracts.Audit;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Akka.Jobs.Persistence.Audit;

/// <summary>
/// The audit log: one row per mutating call in <c>akka_jobs_audit</c>, in the node's own database (the SQLite file or
/// PostgreSQL), so every node of a cluster writes and reads the same log and it survives restarts. A call's reply is
/// sent only after its row is written.
/// </summary>
public sealed class AuditStore
{
    /// <summary>Most entries one query returns; a larger limit is clamped to it.</summary>
    public const int MaxPage = 1000;

    private readonly DatabaseTarget _db;
    private readonly SemaphoreSlim _schema = new(1, 1);
    private volatile bool _schemaReady;

    public AuditStore(DatabaseTarget db) => _db = db;

    /// <summary>
    /// Writes one entry; completes once it is stored. Entries recorded while a write is under way are stored together by
    /// the next one (one statement, one commit): with one transaction per call, registering jobs through the API from
    /// 32 clients was a quarter slower than without the audit log.
    /// </summary>
    public Task RecordAsync(DateTimeOffset atUtc, string caller, string action, string target, string outcome, string via, CancellationToken ct = default)
    {
        var row = new Row(atUtc.ToUnixTimeMilliseconds(), Clip(caller, 300), Clip(action, 100), Clip(target, 300), Clip(outcome, 1000), Clip(via, 20),
            new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        _pending.Writer.TryWrite(row);
        if (Interlocked.Exchange(ref _writerStarted, 1) == 0) _ = Task.Run(WriteLoopAsync, CancellationToken.None);
        // A caller that stops waiting does not take its entry back: it is written all the same.
        return row.Stored.Task.WaitAsync(ct);
    }

    /// <summary>Most entries one statement stores (6 parameters each, well within SQLite's and PostgreSQL's limits).</summary>
    public const int MaxBatch = 100;

    private sealed record Row(long AtMs, string Caller, string Action, string Target, string Outcome, string Via, TaskCompletionSource Stored);

    private readonly System.Threading.Channels.Channel<Row> _pending =
        System.Threading.Channels.Channel.CreateUnbounded<Row>(new System.Threading.Channels.UnboundedChannelOptions { SingleReader = true });
    private int _writerStarted;

    private async Task WriteLoopAsync()
    {
        var batch = new List<Row>(MaxBatch);
        while (await _pending.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _pending.Reader.TryRead(out var row)) batch.Add(row);
            try
            {
                await InsertAsync(batch);
                foreach (var row in batch) row.Stored.TrySetResult();
            }
            catch (Exception ex)
            {
                foreach (var row in batch) row.Stored.TrySetException(ex);
            }
        }
    }

    private async Task InsertAsync(List<Row> rows)
    {
        await using var connection = await OpenAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        var values = new System.Text.StringBuilder();
        for (var i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            values.Append(i == 0 ? "" : ", ").Append($"(@at{i}, @caller{i}, @action{i}, @target{i}, @outcome{i}, @via{i})");
            Add(command, $"at{i}", r.AtMs);
            Add(command, $"caller{i}", r.Caller);
            Add(command, $"action{i}", r.Action);
            Add(command, $"target{i}", r.Target);
            Add(command, $"outcome{i}", r.Outcome);
            Add(command, $"via{i}", r.Via);
        }
        command.CommandText = $"insert into akka_jobs_audit (at_ms, caller, action, target, outcome, via) values {values}";
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Entries at or after <paramref name="sinceUtc"/>, newest first; <paramref name="limit"/> is clamped to 1..<see cref="MaxPage"/>.</summary>
    public async Task<IReadOnlyList<AuditEntry>> ListAsync(DateTimeOffset? sinceUtc, int limit, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "select id, at_ms, caller, action, target, outcome, via from akka_jobs_audit where at_ms >= @since order by id desc limit @limit";
        Add(command, "since", sinceUtc?.ToUnixTimeMilliseconds() ?? long.MinValue);
        Add(command, "limit", Math.Clamp(limit, 1, MaxPage));
        var entries = new List<AuditEntry>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            entries.Add(new AuditEntry(reader.GetInt64(0), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)), reader.GetString(2),
                reader.GetString(3), reader.GetString(4), reader.GetString(5), reader.GetString(6)));
        return entries;
    }

    /// <summary>Deletes entries older than <paramref name="beforeUtc"/> (retention); returns how many.</summary>
    public async Task<int> PruneAsync(DateTimeOffset beforeUtc, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "delete from akka_jobs_audit where at_ms < @before";
        Add(command, "before", beforeUtc.ToUnixTimeMilliseconds());
        return await command.ExecuteNonQueryAsync(ct);
    }

    private async Task<DbConnection> OpenAsync(CancellationToken ct)
    {
        // The audit store may open the SQLite file before the journal does: it must create it as the journal would (0600, WAL).
        if (_db.IsSqlite && !_schemaReady) SqliteFile.Prepare(_db.ConnectionString);
        DbConnection connection = _db.IsSqlite ? new SqliteConnection(_db.ConnectionString) : new NpgsqlConnection(_db.ConnectionString);
        try
        {
            await connection.OpenAsync(ct);
            if (!_schemaReady) await CreateSchemaAsync(connection, ct);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private async Task CreateSchemaAsync(DbConnection connection, CancellationToken ct)
    {
        await _schema.WaitAsync(ct);
        try
        {
            if (_schemaReady) return;
            await using var command = connection.CreateCommand();
            var id = _db.IsSqlite ? "integer primary key autoincrement" : "bigserial primary key";
            command.CommandText = $"""
                create table if not exists akka_jobs_audit (
                  id {id}, at_ms bigint not null, caller text not null, action text not null,
                  target text not null, outcome text not null, via text not null);
                create index if not exists akka_jobs_audit_at on akka_jobs_audit (at_ms);
                """;
            await command.ExecuteNonQueryAsync(ct);
            _schemaReady = true;
        }
        finally
        {
            _schema.Release();
        }
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var p = command.CreateParameter();
        p.ParameterName = "@" + name;
        p.Value = value;
        command.Parameters.Add(p);
    }

    private static string Clip(string text, int max) => text.Length <= max ? text : text[..max] + "…";
}
