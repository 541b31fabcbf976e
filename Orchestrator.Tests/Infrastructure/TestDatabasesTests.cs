using Npgsql;
using Xunit;

namespace Akka.Jobs.Tests.Infrastructure;

public class TestDatabasesTests
{
    [Fact]
    public async Task NewPostgresDatabase_accepts_create_insert_select()
    {
        var connectionString = TestDatabases.NewPostgresDatabase();

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "CREATE TABLE t(x int); INSERT INTO t(x) VALUES (41), (1); SELECT sum(x) FROM t;";
        var sum = await command.ExecuteScalarAsync();

        Assert.Equal(42L, Convert.ToInt64(sum));
    }

    [Fact]
    public async Task NewPostgresDatabase_returns_a_different_database_each_call()
    {
        var first = TestDatabases.NewPostgresDatabase();
        var second = TestDatabases.NewPostgresDatabase();

        Assert.NotEqual(first, second);
        Assert.NotEqual(await CurrentDatabase(first), await CurrentDatabase(second));
    }

    private static async Task<string> CurrentDatabase(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT current_database()";
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
