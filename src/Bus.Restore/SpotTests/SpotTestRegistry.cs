using Bus.Registry.Model;
using Bus.Registry.Store;
using Npgsql;

namespace Bus.Restore.SpotTests;

/// <summary>An object a spot test restores: its bag name (the tar's top folder), its profile and its size.</summary>
public sealed record SpotTestObject(long Id, string Identifier, string BagName, string? Profile, long Bytes);

/// <summary>What the registry says a restored file must be: its bag-relative path and its latest ingest digest per algorithm.</summary>
public sealed record ExpectedFile(string Path, IReadOnlyDictionary<string, string> Digests);

/// <summary>The registry as spot tests see it: pick an object, the files it must restore to, the alert of a failure.</summary>
public interface ISpotTestRegistry
{
    /// <summary>
    /// One active object of <paramref name="institution"/> with files, all of whose active files together are at most
    /// <paramref name="maxBytes"/> (and at most <see cref="SpotTestRegistry.MaxFiles"/> files): random, but the same for the
    /// same <paramref name="seed"/> while the registry is unchanged (a redelivered request picks what the first delivery
    /// picked). Null when none of the objects sampled fits.
    /// </summary>
    Task<SpotTestObject?> PickAsync(string institution, Guid seed, long maxBytes, CancellationToken ct);
}

public sealed class SpotTestRegistry(RegistryDatabase registry) : ISpotTestRegistry
{
    private const string S = "registry";

    /// <summary>Objects sampled per pick: the pick reads at most this many objects' file rows, whatever the institution holds.</summary>
    public const int SampledObjects = 16;
    /// <summary>An object with more active files is not picked (its size is not summed past this many rows).</summary>
    public const int MaxFiles = 10_000;

    /// <summary>
    /// One statement, bounded whatever the institution holds: a point in the institution's range of active object ids
    /// (from the seed), the <see cref="SampledObjects"/> objects from there on (wrapping to the start), each sized over at
    /// most <see cref="MaxFiles"/> + 1 file rows, and the first that fits. The ends of the range and the sample come from
    /// the partial index on (institution, id) of active objects (restore's migration AddSpotTestTimeout).
    /// </summary>
    public async Task<SpotTestObject?> PickAsync(string institution, Guid seed, long maxBytes, CancellationToken ct)
    {
        await using var command = registry.DataSource.CreateCommand($"""
            WITH range AS (
                SELECT (SELECT id FROM {S}.intellectual_objects WHERE institution = @institution AND state = 'active' ORDER BY id LIMIT 1) AS lo,
                       (SELECT id FROM {S}.intellectual_objects WHERE institution = @institution AND state = 'active' ORDER BY id DESC LIMIT 1) AS hi),
            point AS (SELECT lo + floor(@fraction * (hi - lo + 1))::bigint AS id FROM range WHERE lo IS NOT NULL),
            sample AS (
                (SELECT o.id, o.identifier, o.bag_name, o.bagit_profile, 0 AS lap FROM {S}.intellectual_objects o, point p
                  WHERE o.institution = @institution AND o.state = 'active' AND o.id >= p.id ORDER BY o.id LIMIT @sampled)
                UNION ALL
                (SELECT o.id, o.identifier, o.bag_name, o.bagit_profile, 1 AS lap FROM {S}.intellectual_objects o, point p
                  WHERE o.institution = @institution AND o.state = 'active' AND o.id < p.id ORDER BY o.id LIMIT @sampled))
            SELECT c.id, c.identifier, c.bag_name, c.bagit_profile, f.bytes
            FROM (SELECT * FROM sample ORDER BY lap, id LIMIT @sampled) c
            CROSS JOIN LATERAL (SELECT count(*) AS files, coalesce(sum(size), 0) AS bytes
                                FROM (SELECT size FROM {S}.generic_files WHERE object_id = c.id AND state = 'active' LIMIT @maxFiles + 1) capped) f
            WHERE f.files BETWEEN 1 AND @maxFiles AND f.bytes <= @max
            ORDER BY c.lap, c.id
            LIMIT 1
            """);
        command.Parameters.AddWithValue("institution", institution);
        command.Parameters.AddWithValue("max", maxBytes);
        command.Parameters.AddWithValue("fraction", Fraction(seed));
        command.Parameters.AddWithValue("sampled", SampledObjects);
        command.Parameters.AddWithValue("maxFiles", MaxFiles);
        await using var r = await command.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? new SpotTestObject(r.GetInt64(0), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3), r.GetInt64(4)) : null;
    }

    /// <summary>Where in the id range a spot test starts looking: [0, 1), from its id alone.</summary>
    public static double Fraction(Guid seed)
    {
        Span<byte> hash = stackalloc byte[32];
        System.Security.Cryptography.SHA256.HashData(seed.ToByteArray(), hash);
        return (System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(hash) >> 11) / (double)(1UL << 53);
    }

    /// <summary>The object's profile and id (null once it is no longer active).</summary>
    public async Task<SpotTestObject?> FindObjectAsync(string identifier, CancellationToken ct)
    {
        await using var command = registry.DataSource.CreateCommand($"""
            SELECT id, identifier, bag_name, bagit_profile FROM {S}.intellectual_objects WHERE identifier = @id AND state = 'active'
            """);
        command.Parameters.AddWithValue("id", identifier);
        await using var r = await command.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? new SpotTestObject(r.GetInt64(0), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3), 0) : null;
    }

    /// <summary>Every active file of the object with its latest ingest digest of each algorithm the registry holds.</summary>
    public async Task<IReadOnlyList<ExpectedFile>> ExpectedFilesAsync(SpotTestObject obj, CancellationToken ct)
    {
        await using var command = registry.DataSource.CreateCommand($"""
            SELECT f.identifier, c.algorithm, c.digest
            FROM {S}.generic_files f
            LEFT JOIN LATERAL (SELECT DISTINCT ON (algorithm) algorithm, digest FROM {S}.checksums
                               WHERE file_id = f.id AND source = 'ingest' ORDER BY algorithm, date_time DESC, id DESC) c ON true
            WHERE f.object_id = @object AND f.state = 'active'
            ORDER BY f.identifier
            """);
        command.Parameters.AddWithValue("object", obj.Id);
        var prefix = obj.Identifier + "/";
        var files = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        await using var r = await command.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var identifier = r.GetString(0);
            var path = identifier.StartsWith(prefix, StringComparison.Ordinal) ? identifier[prefix.Length..] : identifier;
            if (!files.TryGetValue(path, out var digests)) files[path] = digests = new Dictionary<string, string>(StringComparer.Ordinal);
            if (!r.IsDBNull(1)) digests[r.GetString(1)] = r.GetString(2);
        }
        return files.Select(f => new ExpectedFile(f.Key, f.Value)).ToList();
    }

    /// <summary>The <c>spot-test-failed</c> alert, once per spot test (its id is derived from the spot test's).</summary>
    public Task RaiseFailedAsync(Guid spotTestId, string institution, string? objectIdentifier, string message, CancellationToken ct) =>
        registry.RunAsync(async store =>
        {
            var objectId = objectIdentifier is null ? null : (await FindObjectIdAsync(objectIdentifier, ct));
            return await store.AddAlertAsync(new AlertRecord(SpotTestIds.ForAlert(spotTestId), AlertKinds.SpotTestFailed, objectId, null,
                objectIdentifier ?? institution, message), ct);
        }, ct);

    private async Task<long?> FindObjectIdAsync(string identifier, CancellationToken ct)
    {
        await using var command = registry.DataSource.CreateCommand($"SELECT id FROM {S}.intellectual_objects WHERE identifier = @id");
        command.Parameters.AddWithValue("id", identifier);
        return await command.ExecuteScalarAsync(ct) is long id ? id : null;
    }
}
