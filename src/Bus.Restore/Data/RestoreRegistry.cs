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

    /// <summary>
    /// Writes the object's PREMIS events (its files' too), oldest first, into <paramref name="json"/> as the JSON tag
    /// file the restored bag carries: <c>{"intellectualObject": ..., "events": [...]}</c>. The rows stream from one
    /// statement (one snapshot, read row by row: memory does not grow with the number of events); the writer is
    /// flushed to its stream as it fills. Returns how many events were written.
    /// </summary>
    public async Task<long> WritePremisEventsAsync(RegisteredObject obj, Utf8JsonWriter json, CancellationToken ct)
    {
        await using var command = registry.DataSource.CreateCommand($"""
            SELECT e.id, e.event_type, e.date_time, e.outcome, e.detail, e.outcome_detail, e.agent, e.identifier
            FROM {S}.premis_events e WHERE e.object_id = @object ORDER BY e.date_time, e.id
            """);
        command.Parameters.AddWithValue("object", obj.Id);
        json.WriteStartObject();
        json.WriteString("intellectualObject", obj.Identifier);
        json.WriteStartArray("events");
        long count = 0;
        await using (var r = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, ct))
        {
            while (await r.ReadAsync(ct))
            {
                json.WriteStartObject();
                json.WriteString("eventIdentifier", r.GetGuid(0));
                json.WriteString("eventType", r.GetString(1));
                json.WriteString("eventDateTime", r.GetFieldValue<DateTimeOffset>(2));
                json.WriteString("eventOutcome", r.GetString(3));
                json.WriteString("eventDetail", r.GetString(4));
                if (r.IsDBNull(5)) json.WriteNull("eventOutcomeDetail");
                else json.WriteString("eventOutcomeDetail", r.GetString(5));
                json.WriteString("linkingAgent", r.GetString(6));
                json.WriteString("linkingObject", r.GetString(7));
                json.WriteEndObject();
                count++;
                if (json.BytesPending > 64 * 1024) await json.FlushAsync(ct);
            }
        }
        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync(ct);
        return count;
    }

    /// <summary>A copy read during a restore does not match the registry (or is missing): the alert fixity raises for a mismatch.</summary>
    public Task RaiseAlertAsync(Guid alertId, long? objectId, Guid fileId, string fileIdentifier, string message, CancellationToken ct) =>
        registry.RunAsync(store => store.AddAlertAsync(new AlertRecord(alertId, AlertKinds.FixityMismatch, objectId, fileId, fileIdentifier, message), ct), ct);

    private sealed record CopyJson(long id, string bucket, string key);
}
