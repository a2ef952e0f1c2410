using Amazon.S3.Model;
using Bus.IntegrationTests.Ingest;

namespace Bus.IntegrationTests.Restore;

/// <summary>Restore spot tests on the real stack: busctl or the scheduler's sweep asks, a host restores, checks, records and cleans up.</summary>
[Collection(IngestStack.Collection)]
public sealed class When_a_spot_test_runs(SpotTestWorld world) : IClassFixture<SpotTestWorld>
{
    [Fact]
    public async Task A_sound_object_passes_the_outcome_is_recorded_and_the_restored_copy_is_deleted()
    {
        var institution = SpotTestWorld.NewInstitution();
        var identifier = await world.IngestAsync(institution, new TestBag("spot-" + Guid.NewGuid().ToString("N")[..8]));

        var (exit, result) = await world.RunAsync(institution);

        Assert.True(exit == 0, $"exit {exit}: {result}\nhost: {world.Stack.Host?.Process.Stdout}");
        Assert.Equal("passed", result.GetProperty("outcome").GetString());
        Assert.Equal(identifier, result.GetProperty("object").GetString());
        Assert.StartsWith($"spot-tests/{institution}/", result.GetProperty("restoreKey").GetString(), StringComparison.Ordinal);
        Assert.True(result.TryGetProperty("finishedAt", out var finished) && finished.ValueKind != System.Text.Json.JsonValueKind.Null);
        Assert.Equal(0, await world.SpotTestCopiesAsync(institution));
        var listed = Assert.Single(await world.ListAsync(institution));
        Assert.Equal(result.GetProperty("spotTestId").GetGuid(), listed.GetProperty("spotTestId").GetGuid());
        Assert.DoesNotContain(await world.AlertsAsync(identifier), a => a.Kind == "spot-test-failed");
    }

    [Fact]
    public async Task An_object_whose_every_copy_is_corrupted_fails_and_raises_a_spot_test_failed_alert()
    {
        var institution = SpotTestWorld.NewInstitution();
        var identifier = await world.IngestAsync(institution, new TestBag("spot-bad-" + Guid.NewGuid().ToString("N")[..8]));
        // Every copy, hot and cold, overwritten: whichever the restore reads (or falls back to) does not match.
        foreach (var c in (await world.Stack.RecordedCopiesAsync(identifier)).Where(c => c.File.EndsWith("/data/report.txt", StringComparison.Ordinal)))
            await world.Stack.S3.PutObjectAsync(new PutObjectRequest { BucketName = c.Bucket, Key = c.Key, ContentBody = "not the report\n" });

        var (exit, result) = await world.RunAsync(institution);

        Assert.True(exit == 1, $"exit {exit}: {result}\nhost: {world.Stack.Host?.Process.Stdout}");
        Assert.Equal("failed", result.GetProperty("outcome").GetString());
        Assert.Contains("data/report.txt", result.GetProperty("reason").GetString(), StringComparison.Ordinal);
        var alert = Assert.Single(await world.AlertsAsync(identifier), a => a.Kind == "spot-test-failed");
        Assert.Contains(result.GetProperty("spotTestId").GetString()!, alert.Message, StringComparison.Ordinal);
        Assert.Equal(0, await world.SpotTestCopiesAsync(institution));
    }

    /// <summary>
    /// The restore verifies sha256 only; the spot test compares every digest the registry holds, so a registry whose
    /// md5 no longer matches the content is caught by the validation step (the restore itself succeeds).
    /// </summary>
    [Fact]
    public async Task A_restored_file_whose_registered_md5_differs_fails_validation_and_raises_the_alert()
    {
        var institution = SpotTestWorld.NewInstitution();
        var identifier = await world.IngestAsync(institution, new TestBag("spot-md5-" + Guid.NewGuid().ToString("N")[..8]));
        await world.Stack.ExecuteAsync("""
            UPDATE registry.checksums SET digest = repeat('0', 32)
            WHERE algorithm = 'md5' AND source = 'ingest' AND file_id = (SELECT id FROM registry.generic_files WHERE identifier = @f)
            """, ("f", $"{identifier}/data/notes.csv"));

        var (exit, result) = await world.RunAsync(institution);

        Assert.True(exit == 1, $"exit {exit}: {result}\nhost: {world.Stack.Host?.Process.Stdout}");
        Assert.Equal("failed", result.GetProperty("outcome").GetString());
        Assert.Contains("'data/notes.csv' md5", result.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Single(await world.AlertsAsync(identifier), a => a.Kind == "spot-test-failed");
        Assert.Equal(0, await world.SpotTestCopiesAsync(institution));
    }

    [Fact]
    public async Task The_sweep_spot_tests_a_due_institution_once_and_not_again_within_its_interval()
    {
        var identifier = await world.IngestAsync(world.SweptInstitution, new TestBag("spot-swept-" + Guid.NewGuid().ToString("N")[..8]));
        // Before its first spot test an institution is due one interval after its oldest object: two days ago, here.
        await world.Stack.ExecuteAsync("UPDATE registry.intellectual_objects SET created_at = now() - interval '2 days' WHERE identifier = @o", ("o", identifier));

        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        List<System.Text.Json.JsonElement> rows;
        while ((rows = await world.ListAsync(world.SweptInstitution)).Count == 0 || rows[0].GetProperty("outcome").ValueKind == System.Text.Json.JsonValueKind.Null)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the sweep did not finish a spot test of {world.SweptInstitution}: {string.Join(", ", rows)}\nhost: {world.Stack.Host?.Process.Stdout}");
            await Task.Delay(500);
        }
        // A sweep now, with the host's settings, finds the institution tested within its one-day interval: nothing is due.
        Assert.DoesNotContain(await world.SweepAsync(), d => d.Institution == world.SweptInstitution);

        var spot = Assert.Single(await world.ListAsync(world.SweptInstitution));
        Assert.Equal("passed", spot.GetProperty("outcome").GetString());
        Assert.Equal(identifier, spot.GetProperty("object").GetString());
        Assert.StartsWith("sweep@", spot.GetProperty("requestedBy").GetString(), StringComparison.Ordinal);
    }
}
