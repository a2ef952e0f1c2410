using System.Text.Json;
using Bus.Registry.Model;
using Bus.Registry.Store;

namespace Bus.Restore.Data;

/// <summary>A registered file to restore with its active copies (from <c>registry.storage_records</c>).</summary>
public sealed record RegisteredFile(Guid FileId, string Identifier, string Path, long Size, string? Sha256, IReadOnlyList<RegisteredCopy> Copies);

public sealed record RegisteredCopy(long StorageRecordId, string Bucket, string Key);

/// <summary>An active object: what its tar is named after and which events its PREMIS file lists.</summary>
public sealed record RegisteredObject(long Id, string Identifier, string Institution, string BagName, string? Profile);

/// <summary>The registry as restore sees it: read the files and copies of an object or a file, its PREMIS events; raise alerts.</summary>
public sealed class RestoreRegistry(RegistryDatabase registry)
{
    private const string S = "registry";

    public async Task<RegisteredObject?> FindObjectAsync(string identifier, CancellationToken ct)
    {
        await using var command = registry.DataSource.CreateCommand($"""
            SELECT id, identifier, institution, bag_name, bagit_profile FROM {S}.intellectual_objects WHERE identifier = @id AND state = 'active'
            """);
        command.Parameters.AddWithValue("id", identifier);
        await using var r = await command.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? new RegisteredObject(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4)) : null;
    }

    /// <summary>
    /// The active files of <paramref name="obj"/> (or only <paramref name="fileIdentifier"/>), each with its latest
    /// ingest sha256 and its active copies, ordered by identifier.
    /// </summary>
    public async Task<IReadOnlyList<RegisteredFile>> FilesAsync(RegisteredObject obj, string? fileIdentifier, CancellationToken ct)
    {
        await using var command = registry.DataSource.CreateCommand($"""
            SELECT f.id, f.identifier, f.size,
                   (SELECT c.digest FROM {S}.checksums c WHERE c.file_id = f.id AND c.algorithm = 'sha256' AND c.source = 'ingest'
                     ORDER BY c.date_time DESC, c.id DESC LIMIT 1),
                   coalesce((SELECT jsonb_agg(jsonb_build_object('id', s.id, 'bucket', s.bucket, 'key', s.key) ORDER BY s.id)
                     FROM {S}.storage_records s WHERE s.file_id = f.id AND s.state = 'active'), '[]'::jsonb)::text
            FROM {S}.generic_files f
            WHERE f.object_id = @object AND f.state = 'active' AND (@file::text IS NULL OR f.identifier = @file)
            ORDER BY f.identifier
            """);
        command.Parameters.AddWithValue("object", obj.Id);
        command.Parameters.Add(new Npgsql.NpgsqlParameter("file", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)fileIdentifier ?? DBNull.Value });
        var files = new List<RegisteredFile>();
        var prefix = obj.Identifier + "/";
        await using var r = await command.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var identifier = r.GetString(1);
            var copies = JsonSerializer.Deserialize<List<CopyJson>>(r.GetString(4))!.Select(c => new RegisteredCopy(c.id, c.bucket, c.key)).ToList();
            files.Add(new RegisteredFile(r.GetGuid(0), identifier, identifier.StartsWith(prefix, StringComparison.Ordinal) ? identifier[prefix.Length..] : identifier,
                r.GetInt64(2), r.IsDBNull(3) ? null : r.GetString(3), copies));
        }
        return files;
    }

    /// <summary>The object's PREMIS events (its files' too), oldest first, as the JSON tag file the restored bag carries.</summary>
    public async Task<byte[]> PremisEventsJsonAsync(RegisteredObject obj, CancellationToken ct)
    {
        await using var command = registry.DataSource.CreateCommand($"""
            SELECT coalesce(jsonb_agg(jsonb_build_object(
                       'eventIdentifier', e.id, 'eventType', e.event_type, 'eventDateTime', e.date_time, 'eventOutcome', e.outcome,
                       'eventDetail', e.detail, 'eventOutcomeDetail', e.outcome_detail, 'linkingAgent', e.agent, 'linkingObject', e.identifier)
                     ORDER BY e.date_time, e.id), '[]'::jsonb)::text
            FROM {S}.premis_events e WHERE e.object_id = @object
            """);
        command.Parameters.AddWithValue("object", obj.Id);
        var events = (string)(await command.ExecuteScalarAsync(ct))!;
        using var doc = JsonDocument.Parse(events);
        var json = JsonSerializer.SerializeToUtf8Bytes(new { intellectualObject = obj.Identifier, events = doc.RootElement }, Indented);
        return json;
    }

    /// <summary>A copy read during a restore does not match the registry (or is missing): the alert fixity raises for a mismatch.</summary>
    public Task RaiseAlertAsync(Guid alertId, long? objectId, Guid fileId, string fileIdentifier, string message, CancellationToken ct) =>
        registry.RunAsync(store => store.AddAlertAsync(new AlertRecord(alertId, AlertKinds.FixityMismatch, objectId, fileId, fileIdentifier, message), ct), ct);

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private sealed record CopyJson(long id, string bucket, string key);
}
