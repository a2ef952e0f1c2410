using Npgsql;

namespace Bus.Fixity;

/// <summary>The fixity module's pooled connections (its own tables in schema <c>fixity</c>).</summary>
public sealed class FixityDatabase(string connectionString) : IAsyncDisposable
{
    public NpgsqlDataSource DataSource { get; } = NpgsqlDataSource.Create(connectionString);
    public string ConnectionString => connectionString;
    public ValueTask DisposeAsync() => DataSource.DisposeAsync();
}
