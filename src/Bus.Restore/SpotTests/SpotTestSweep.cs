using Bus.Contracts.Restore;
using Bus.Registry.Store;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Bus.Restore.SpotTests;

/// <summary>A spot test the sweep asked for.</summary>
public sealed record SweptSpotTest(string Institution, Guid SpotTestId);

/// <summary>
/// One sweep: an institution whose spot-test interval is not zero is due when its latest spot test started that
/// long ago, or, before its first, when its oldest active object was created that long ago (a new institution is
/// first tested one interval after its first deposit). Each gets <see cref="RunSpotTest"/> with the id that follows
/// its latest spot test (<see cref="SpotTestIds.Next"/>). Sending it twice (two hosts, a sweep before the first
/// message was consumed) names the same spot test, which the saga runs once.
/// </summary>
public sealed class SpotTestSweep(SpotTestRecords records, RegistryDatabase registry, ISendEndpointProvider sendEndpoints, IOptions<SpotTestOptions> options, TimeProvider clock)
{
    public async Task<IReadOnlyList<SweptSpotTest>> RunAsync(string requestedBy, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var due = await DueAsync(now, ct);
        var endpoint = await sendEndpoints.GetSendEndpoint(new Uri($"queue:{SpotTestEndpoints.Saga}"));
        foreach (var s in due) await endpoint.Send(new RunSpotTest(s.SpotTestId, s.Institution, requestedBy, now), ct);
        return due;
    }

    /// <summary>The spot tests a sweep at <paramref name="now"/> asks for (reads only: nothing is sent).</summary>
    public async Task<IReadOnlyList<SweptSpotTest>> DueAsync(DateTimeOffset now, CancellationToken ct)
    {
        var latest = await records.LatestAsync(ct);
        var due = new List<SweptSpotTest>();
        foreach (var (institution, firstObjectAt) in await InstitutionsWithObjectsAsync(ct))
        {
            var interval = options.Value.IntervalFor(institution);
            if (interval <= TimeSpan.Zero) continue;
            var last = latest.GetValueOrDefault(institution);
            if (now - (last?.StartedAt ?? firstObjectAt) < interval) continue;
            due.Add(new SweptSpotTest(institution, SpotTestIds.Next(institution, last?.SpotTestId)));
        }
        return due;
    }

    /// <summary>
    /// Institutions with an active object, each with when its oldest active object was created. Bounded by the
    /// institutions, not their objects: one read of the partial index on (institution, created_at) of active objects
    /// (restore's migration IndexOldestActiveObjectPerInstitution) per institution, which stops at its first entry.
    /// </summary>
    public const string InstitutionsWithObjectsSql = """
        SELECT i.identifier, oldest.created_at
        FROM registry.institutions i
        CROSS JOIN LATERAL (SELECT o.created_at FROM registry.intellectual_objects o
                            WHERE o.institution = i.identifier AND o.state = 'active'
                            ORDER BY o.created_at LIMIT 1) oldest
        ORDER BY i.identifier
        """;

    private async Task<IReadOnlyList<(string Institution, DateTimeOffset FirstObjectAt)>> InstitutionsWithObjectsAsync(CancellationToken ct)
    {
        await using var command = registry.DataSource.CreateCommand(InstitutionsWithObjectsSql);
        var institutions = new List<(string, DateTimeOffset)>();
        await using var r = await command.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) institutions.Add((r.GetString(0), r.GetFieldValue<DateTimeOffset>(1)));
        return institutions;
    }
}
