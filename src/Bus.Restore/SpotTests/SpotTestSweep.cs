using Bus.Contracts.Restore;
using Bus.Registry.Store;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Bus.Restore.SpotTests;

/// <summary>A spot test the sweep asked for.</summary>
public sealed record SweptSpotTest(string Institution, Guid SpotTestId);

/// <summary>
/// One sweep: every institution with an active object whose spot-test interval is not zero and whose latest spot
/// test started that long ago (or that has none) is due; each gets <see cref="RunSpotTest"/> with the id that follows
/// its latest spot test (<see cref="SpotTestIds.Next"/>). Sending it twice (two hosts, a sweep before the first
/// message was consumed) names the same spot test, which the saga runs once.
/// </summary>
public sealed class SpotTestSweep(SpotTestRecords records, RegistryDatabase registry, ISendEndpointProvider sendEndpoints, IOptions<SpotTestOptions> options, TimeProvider clock)
{
    public async Task<IReadOnlyList<SweptSpotTest>> RunAsync(string requestedBy, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var latest = await records.LatestAsync(ct);
        var due = new List<SweptSpotTest>();
        foreach (var institution in await InstitutionsWithObjectsAsync(ct))
        {
            var interval = options.Value.IntervalFor(institution);
            if (interval <= TimeSpan.Zero) continue;
            var last = latest.GetValueOrDefault(institution);
            if (last is not null && now - last.StartedAt < interval) continue;
            due.Add(new SweptSpotTest(institution, SpotTestIds.Next(institution, last?.SpotTestId)));
        }
        var endpoint = await sendEndpoints.GetSendEndpoint(new Uri($"queue:{SpotTestEndpoints.Saga}"));
        foreach (var s in due) await endpoint.Send(new RunSpotTest(s.SpotTestId, s.Institution, requestedBy, now), ct);
        return due;
    }

    private async Task<IReadOnlyList<string>> InstitutionsWithObjectsAsync(CancellationToken ct)
    {
        await using var command = registry.DataSource.CreateCommand("""
            SELECT i.identifier FROM registry.institutions i
            WHERE EXISTS (SELECT 1 FROM registry.intellectual_objects o WHERE o.institution = i.identifier AND o.state = 'active')
            ORDER BY i.identifier
            """);
        var institutions = new List<string>();
        await using var r = await command.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) institutions.Add(r.GetString(0));
        return institutions;
    }
}
