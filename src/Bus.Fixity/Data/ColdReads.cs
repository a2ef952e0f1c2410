namespace Bus.Fixity.Data;

/// <summary>When each cold copy was last restored and read in full (<c>fixity.cold_reads</c>), so its next read is due a <see cref="FixityOptions.ColdInterval"/> later.</summary>
public interface IColdReads
{
    /// <summary>The last full read of the copy, or null when it was never read.</summary>
    Task<DateTimeOffset?> LastReadAsync(long storageRecordId, CancellationToken cancellationToken);

    /// <summary>Records a full read by check <paramref name="checkId"/> (a redelivery records the same read again, harmlessly).</summary>
    Task RecordAsync(long storageRecordId, Guid checkId, DateTimeOffset at, CancellationToken cancellationToken);
}

public sealed class ColdReads(FixityDatabase database) : IColdReads
{
    public async Task<DateTimeOffset?> LastReadAsync(long storageRecordId, CancellationToken cancellationToken)
    {
        await using var command = database.DataSource.CreateCommand("SELECT read_at FROM fixity.cold_reads WHERE storage_record_id = @id");
        command.Parameters.AddWithValue("id", storageRecordId);
        return await command.ExecuteScalarAsync(cancellationToken) is DateTime at ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : null;
    }

    public async Task RecordAsync(long storageRecordId, Guid checkId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var command = database.DataSource.CreateCommand("""
            INSERT INTO fixity.cold_reads (storage_record_id, read_at, check_id) VALUES (@id, @at, @check)
            ON CONFLICT (storage_record_id) DO UPDATE SET read_at = greatest(fixity.cold_reads.read_at, excluded.read_at), check_id = excluded.check_id
            """);
        command.Parameters.AddWithValue("id", storageRecordId);
        command.Parameters.AddWithValue("at", at.ToUniversalTime());
        command.Parameters.AddWithValue("check", checkId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

/// <summary>Whether a cold copy's periodic full read is due.</summary>
public static class ColdReadSchedule
{
    /// <summary>Due when <paramref name="interval"/> is set and the last read (never read: the copy's storage) is at least that long ago.</summary>
    public static bool IsDue(TimeSpan? interval, DateTimeOffset? lastRead, DateTimeOffset? storedAt, DateTimeOffset now) =>
        interval is { } every && (lastRead ?? storedAt ?? DateTimeOffset.MinValue) <= now - every;
}
