using Npgsql;
using NpgsqlTypes;

namespace Bus.Registry.Store;

/// <summary>
/// The registry's write and lookup operations, on a connection (and optional transaction) the caller
/// owns: a consumer that writes its outbox messages in the same transaction passes both here, and its
/// registry writes commit or roll back with them. Every write is idempotent (ON CONFLICT), so a
/// retried or redelivered step can call it again. Bulk writes send arrays (unnest), one round trip per
/// batch of <see cref="BatchSize"/> rows. Not thread-safe (a connection runs one command at a time).
/// Without a caller's transaction, use <see cref="RegistryDatabase"/>.
/// </summary>
public sealed partial class RegistryStore(NpgsqlConnection connection, NpgsqlTransaction? transaction = null)
{
    public const int BatchSize = 20_000;
    private const string S = RegistryDbContext.Schema;

    private NpgsqlCommand Command(string sql) => new(sql, connection, transaction);

    // Npgsql writes timestamptz only from UTC values.
    private static DateTimeOffset Utc(DateTimeOffset value) => value.ToUniversalTime();
    private static DateTimeOffset? Utc(DateTimeOffset? value) => value?.ToUniversalTime();

    private static NpgsqlParameter Array<T>(string name, IEnumerable<T> values, NpgsqlDbType elementType) =>
        new(name, NpgsqlDbType.Array | elementType) { Value = values.ToArray() };

    private static DateTimeOffset? NullableTime(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<DateTimeOffset>(ordinal);

    private static string? NullableString(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static IEnumerable<IReadOnlyList<T>> Batches<T>(IReadOnlyCollection<T> rows) => rows.Chunk(BatchSize);
}
