using Npgsql;

namespace Bus.Workflows.Copies.Data;

/// <summary>The copy kit's pooled connections (its table <c>bus.copy_read_slices</c>).</summary>
public sealed class CopiesDatabase(string connectionString) : IAsyncDisposable
{
    public NpgsqlDataSource DataSource { get; } = NpgsqlDataSource.Create(connectionString);
    public ValueTask DisposeAsync() => DataSource.DisposeAsync();
}
