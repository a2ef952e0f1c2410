using Bus.Workflows.Copies;
using Bus.Fixity.Steps;
using Bus.Fixity.Data;
using Bus.Fixity.Sweep;
using Bus.Registry.Model;
using Bus.Registry.Store;
using Npgsql;

namespace Bus.Fixity.Data;

/// <summary>
/// Fixity on the registry: reads the copy with its file's ingest digests, and writes through
/// <see cref="RegistryStore"/> (events, fixity outcome, alerts) in one transaction per step, with ids
/// from the check so a redelivered step adds nothing. The sweep's claim is the registry's own
/// index-backed selection (<see cref="RegistryStore.ClaimDueCopiesAsync"/>).
/// </summary>
public sealed class RegistryFixityStore(RegistryDatabase registry) : IFixityRegistry, IDueCopies
{
    public const string Agent = "Bus fixity (sha256 streaming check, automatic repair)";
    private const string S = "registry";

    public async Task<RegisteredCopy?> FindCopyAsync(long storageRecordId, CancellationToken cancellationToken) =>
        (await ReadCopiesAsync($"s.id = @id AND s.state = 'active' AND f.state = 'active'", storageRecordId, cancellationToken)).SingleOrDefault();

    public Task<IReadOnlyList<RegisteredCopy>> OtherCopiesAsync(long storageRecordId, CancellationToken cancellationToken) =>
        ReadCopiesAsync($"s.file_id = (SELECT file_id FROM {S}.storage_records WHERE id = @id) AND s.id <> @id AND s.state = 'active'", storageRecordId, cancellationToken);

    private async Task<IReadOnlyList<RegisteredCopy>> ReadCopiesAsync(string where, long id, CancellationToken cancellationToken)
    {
        // The latest ingest digest per algorithm: a reingest with changed content adds a newer row.
        await using var command = registry.DataSource.CreateCommand($"""
            SELECT s.id, s.file_id, f.object_id, f.identifier, s.bucket, s.key,
                   coalesce((SELECT jsonb_object_agg(d.algorithm, d.digest) FROM (
                       SELECT DISTINCT ON (c.algorithm) c.algorithm, c.digest FROM {S}.checksums c
                       WHERE c.file_id = s.file_id AND c.source = 'ingest'
                       ORDER BY c.algorithm, c.date_time DESC, c.id DESC) d), jsonb_build_object())::text,
                   o.identifier, s.storage_class, s.tier, s.checksum_sha256, s.stored_at
            FROM {S}.storage_records s JOIN {S}.generic_files f ON f.id = s.file_id JOIN {S}.intellectual_objects o ON o.id = f.object_id
            WHERE {where}
            ORDER BY s.bucket
            """);
        command.Parameters.AddWithValue("id", id);
        var copies = new List<RegisteredCopy>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            copies.Add(new RegisteredCopy(reader.GetInt64(0), reader.GetGuid(1), reader.GetInt64(2), reader.GetString(3), reader.GetString(4), reader.GetString(5),
                System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(6))!, reader.GetString(7),
                reader.GetString(8), reader.GetString(9), reader.IsDBNull(10) ? null : reader.GetString(10),
                reader.IsDBNull(11) ? null : reader.GetFieldValue<DateTimeOffset>(11)));
        return copies;
    }

    public Task RecordCheckAsync(CheckRecord check, CancellationToken cancellationToken) =>
        registry.InTransactionAsync(async store =>
        {
            await store.AddEventsAsync([FixityEvent(check.EventId, check.Copy, check.Success, check.Detail, check.OutcomeDetail, check.At)], cancellationToken);
            await store.MarkFixityAsync(check.Copy.StorageRecordId, check.At, check.Success ? Outcomes.Success : Outcomes.Failure, cancellationToken);
            return 0;
        }, cancellationToken);

    public Task RecordRepairAsync(RepairRecord repair, CancellationToken cancellationToken) =>
        registry.InTransactionAsync(async store =>
        {
            var t = repair.Target;
            await store.AddEventsAsync(
            [
                new EventRecord(repair.ReplicationEventId, t.ObjectId, t.FileId, t.FileIdentifier, EventTypes.Replication, repair.At,
                    Outcomes.Success, repair.ReplicationDetail, $"{repair.Source.Bucket}/{repair.Source.Key} -> {t.Bucket}/{t.Key}", Agent),
                FixityEvent(repair.RecheckEventId, t, true, repair.RecheckDetail, "intact after repair", repair.At),
            ], cancellationToken);
            await store.MarkFixityAsync(t.StorageRecordId, repair.At, Outcomes.Success, cancellationToken);
            await store.MarkVerifiedAsync(t.FileId, t.Bucket, repair.At, repair.ChecksumSha256, cancellationToken);
            await store.AddAlertAsync(new AlertRecord(repair.AlertId, AlertKinds.Repaired, t.ObjectId, t.FileId, t.FileIdentifier, repair.AlertMessage), cancellationToken);
            return 0;
        }, cancellationToken);

    public Task RecordLostAsync(LostRecord lost, CancellationToken cancellationToken) =>
        registry.RunAsync(store => store.AddAlertAsync(
            new AlertRecord(lost.AlertId, AlertKinds.Lost, lost.Copy.ObjectId, lost.Copy.FileId, lost.Copy.FileIdentifier, lost.Message), cancellationToken),
            cancellationToken);

    public Task<IReadOnlyList<CheckRequest>> ClaimAsync(DateTimeOffset checkedBefore, int limit, TimeSpan lease, CancellationToken cancellationToken) =>
        registry.RunAsync(async store => (IReadOnlyList<CheckRequest>)(await store.ClaimDueCopiesAsync(checkedBefore, limit, lease, cancellationToken))
            .Select(c => new CheckRequest(c.StorageRecordId, c.FileIdentifier, c.Bucket)).ToList(), cancellationToken);

    /// <summary>The active copies of a file or of every file of an object, for busctl fixity check.</summary>
    public Task<IReadOnlyList<CheckRequest>> CopiesOfAsync(string identifier, CancellationToken cancellationToken) =>
        registry.RunAsync(async store => (IReadOnlyList<CheckRequest>)(await store.ListCopiesAsync(identifier, cancellationToken))
            .Where(c => c.State == RecordState.Active)
            .Select(c => new CheckRequest(c.Id, c.FileIdentifier, c.Bucket)).ToList(), cancellationToken);

    private static EventRecord FixityEvent(Guid id, RegisteredCopy copy, bool success, string detail, string outcomeDetail, DateTimeOffset at) =>
        new(id, copy.ObjectId, copy.FileId, copy.FileIdentifier, EventTypes.FixityCheck, at,
            success ? Outcomes.Success : Outcomes.Failure, detail, outcomeDetail, Agent);
}

/// <summary>Why the registry is unusable, as an operator should read it.</summary>
public static class RegistryErrors
{
    public static bool IsMissingTables(Exception e) => e is PostgresException { SqlState: PostgresErrorCodes.UndefinedTable };
}
