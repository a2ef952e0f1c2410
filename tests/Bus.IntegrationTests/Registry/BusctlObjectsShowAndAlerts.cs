using Bus.Registry.Model;
using Bus.Registry.Store;

namespace Bus.IntegrationTests.Registry;

public sealed class BusctlObjectsShowAndAlerts
{
    [Fact]
    public async Task Show_prints_files_checksums_copies_and_events_and_alerts_list_shows_open_alerts()
    {
        await using var t = await TestInstitution.CreateAsync();
        var obj = await t.Store.UpsertObjectAsync(t.Bag("bag"));
        var a = t.File(obj.Identifier, "data/a.txt");
        var b = t.File(obj.Identifier, "data/b.txt");
        await t.Store.UpsertFilesAsync(obj.Id, [a, b]);
        var now = DateTimeOffset.UtcNow;
        await t.Store.AddChecksumsAsync([new ChecksumRecord(a.Id, DigestAlgorithms.Sha256, new string('a', 64), now, ChecksumSources.Ingest)]);
        await t.Store.RecordCopiesAsync([new StorageCopy(a.Id, "primary", a.Id.ToString(), "e", "Standard", now, now)]);
        await t.Store.AddEventsAsync([
            new EventRecord(Guid.NewGuid(), obj.Id, null, obj.Identifier, EventTypes.Creation, now, Outcomes.Success, "created", null, "bus"),
            new EventRecord(Guid.NewGuid(), obj.Id, a.Id, a.Identifier, EventTypes.Ingestion, now, Outcomes.Success, "ingested", null, "bus"),
        ]);
        var alertId = Guid.NewGuid();
        await t.Store.AddAlertAsync(new AlertRecord(alertId, AlertKinds.Lost, obj.Id, a.Id, a.Identifier, "no copy verifies"));

        var shown = await Busctl.RunAsync("objects", "show", obj.Identifier, "--json");
        Assert.True(shown.ExitCode == 0, shown.Stderr);
        Assert.Equal(obj.Identifier, shown.Json.GetProperty("intellectualObject").GetProperty("identifier").GetString());
        var files = shown.Json.GetProperty("files").EnumerateArray().ToList();
        Assert.Equal([a.Identifier, b.Identifier], files.Select(f => f.GetProperty("file").GetProperty("identifier").GetString()));
        Assert.Equal(new string('a', 64), files[0].GetProperty("checksums")[0].GetProperty("digest").GetString());
        Assert.Equal("primary", files[0].GetProperty("storageRecords")[0].GetProperty("bucket").GetString());
        Assert.Equal(2, shown.Json.GetProperty("events").GetArrayLength());

        var oneFile = await Busctl.RunAsync("objects", "show", a.Identifier, "--json");
        Assert.Equal(0, oneFile.ExitCode);
        Assert.Single(oneFile.Json.GetProperty("files").EnumerateArray());
        Assert.Equal(EventTypes.Ingestion, Assert.Single(oneFile.Json.GetProperty("events").EnumerateArray()).GetProperty("eventType").GetString());

        var missing = await Busctl.RunAsync("objects", "show", obj.Identifier + "/data/none.txt", "--json");
        Assert.Equal(1, missing.ExitCode);
        var invalid = await Busctl.RunAsync("objects", "show", "no-institution", "--json");
        Assert.Equal(2, invalid.ExitCode);
        Assert.Contains("invalid identifier", invalid.Json.GetProperty("error").GetString());

        var alerts = await Busctl.RunAsync("alerts", "list", "--json");
        Assert.Equal(0, alerts.ExitCode);
        Assert.Contains(alerts.Json.GetProperty("alerts").EnumerateArray(), x => x.GetProperty("id").GetGuid() == alertId);
        Assert.Equal(0, (await Busctl.RunAsync("alerts", "ack", alertId.ToString(), "--by", "op@" + t.Identifier)).ExitCode);
        Assert.Equal(1, (await Busctl.RunAsync("alerts", "ack", alertId.ToString(), "--by", "op@" + t.Identifier)).ExitCode);
        var open = await Busctl.RunAsync("alerts", "list", "--json");
        Assert.DoesNotContain(open.Json.GetProperty("alerts").EnumerateArray(), x => x.GetProperty("id").GetGuid() == alertId);
    }
}
