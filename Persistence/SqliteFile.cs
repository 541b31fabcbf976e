using Microsoft.Data.Sqlite;

namespace Akka.Jobs.Persistence;

/// <summary>Creates the SQLite file's folder and switches it to WAL so history reads do not block journal writes.</summary>
internal static class SqliteFile
{
    public static void Prepare(string connectionString)
    {
        var b = new SqliteConnectionStringBuilder(connectionString);
        var dir = Path.GetDirectoryName(Path.GetFullPath(b.DataSource));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "PRAGMA journal_mode=WAL;";
        cmd.ExecuteNonQuery();
    }
}
