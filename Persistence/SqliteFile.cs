using Microsoft.Data.Sqlite;

namespace Akka.Jobs.Persistence;

/// <summary>
/// Creates the SQLite file's folder and switches it to WAL so history reads do not block journal writes. The database
/// holds job definitions (a shell job's environment may carry credentials) and the audit log: only the node's user may
/// read it, so a folder this creates is 0700 and the database with its -wal and -shm files is 0600.
/// </summary>
internal static class SqliteFile
{
    private const UnixFileMode OwnerOnlyFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static void Prepare(string connectionString)
    {
        var path = Path.GetFullPath(new SqliteConnectionStringBuilder(connectionString).DataSource);
        var dir = Path.GetDirectoryName(path);
        // A folder that exists already (the working directory, a mounted volume) keeps its mode: it may be shared.
        if (!string.IsNullOrEmpty(dir) && !Directory.Exists(dir))
        {
            if (OperatingSystem.IsWindows()) Directory.CreateDirectory(dir);
            else Directory.CreateDirectory(dir, OwnerOnlyFolder);
        }
        // Created here rather than by SQLite, whose mode follows the umask (usually 0644); SQLite gives the -wal and
        // -shm files the database file's mode. Files from an older version are narrowed too.
        if (!OperatingSystem.IsWindows())
        {
            try
            {
                using (File.Open(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = OwnerOnlyFile })) { }
            }
            catch (IOException) when (File.Exists(path))
            {
                // Already there (or the audit store and the journal prepared it at once).
            }
            foreach (var file in new[] { path, path + "-wal", path + "-shm" })
                if (File.Exists(file)) File.SetUnixFileMode(file, OwnerOnlyFile);
        }
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "PRAGMA journal_mode=WAL;";
        cmd.ExecuteNonQuery();
    }
}
