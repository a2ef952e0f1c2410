using Npgsql;

namespace Bus.Fixity;

/// <summary>The fixity module's tables (schema <c>fixity</c>), on the process's shared data source.</summary>
public sealed class FixityDatabase(NpgsqlDataSource dataSource)
{
    public NpgsqlDataSource DataSource { get; } = dataSource;
}
