namespace Bus.IntegrationTests.Ingest;

/// <summary>
/// Unpack with a 1-second slice on a bag of many files: it checkpoints at file boundaries, sends
/// itself continuations that read on from the tar offset with ranged GETs, and the ingest ends
/// Completed with one interim row per file and the right digests. Its sha256 manifest is padded to
/// 4 MiB (tag files come first in the tar): every checkpoint stays small all the same, because
/// manifests are read back from staging at validation instead of riding in the checkpoint's state.
/// </summary>
[Collection(IngestStack.Collection)]
public sealed class When_unpack_runs_in_time_slices
{
    [Fact]
    public async Task Should_complete_in_several_slices_with_one_row_per_file()
    {
        await using var stack = await IngestStack.StartAsync(new Dictionary<string, string> { ["Bus__Ingest__TimeSliceSeconds"] = "1" });
        var bag = new TestBag("sliced-" + Guid.NewGuid().ToString("N")[..8]).WithFiles(1000);
        bag.ManifestPaddingLines = 4 * 1024 * 1024;

        var submitted = stack.SubmitAndWaitAsync(bag);
        var (largestState, checkpointsSeen) = await LargestCheckpointStateAsync(stack, bag.Name, submitted);
        var (exit, result) = await submitted;

        Assert.True(exit == 0, $"exit {exit}: {result}\nhost: {stack.Host!.Process.Stdout}");
        var id = Guid.Parse(result.GetProperty("ingestId").GetString()!);
        var checkpoint = (await stack.QueryAsync("SELECT slices, finished_at IS NOT NULL FROM bus.ingest_unpack_checkpoints WHERE ingest_id = @id",
            r => (Slices: r.GetInt32(0), Finished: r.GetBoolean(1)), ("id", id))).Single();
        Assert.True(checkpoint.Finished);
        Assert.True(checkpoint.Slices >= 3, $"Unpack took {checkpoint.Slices} slice(s); a 1 s slice over 1,000 files should take several");
        Assert.True(checkpointsSeen > 0, "no checkpoint with a state was seen while Unpack ran");
        Assert.True(largestState < 64 * 1024, $"a checkpoint's state was {largestState} bytes with a 4 MiB manifest");
        Assert.Contains($"Unpack of {id} finished in {checkpoint.Slices} slices", stack.Host!.Process.Stdout, StringComparison.Ordinal);
        // Continuations are not attempts, and the steps after a continued one still report theirs (with a start time).
        var steps = new[] { "unpack", "validate", "identify", "store", "verify", "record", "clean_up" };
        // Each step's "started" report is a message of its own that may reach the saga after later steps' results: wait for all.
        Assert.True(await stack.SagaBecomesAsync(id, string.Join(" AND ", steps.Select(s => $"{s}_started_at IS NOT NULL"))),
            "a step's start was never reported");
        var attempts = (await stack.QueryAsync(
            $"SELECT {string.Join(", ", steps.Select(s => $"{s}_attempts, {s}_started_at IS NOT NULL"))} FROM bus.ingest_saga WHERE correlation_id = @id",
            r => steps.Select((s, i) => $"{s}={r.GetInt32(2 * i)}/{r.GetBoolean(2 * i + 1)}").ToList(), ("id", id))).Single();
        Assert.Equal(steps.Select(s => $"{s}=1/True"), attempts);

        var rows = await stack.QueryAsync("SELECT path, sha256, sha512 FROM bus.ingest_files WHERE ingest_id = @id",
            r => (Path: r.GetString(0), Sha256: r.GetString(1), Sha512: r.GetString(2)), ("id", id));
        var expected = bag.AllFiles();
        Assert.Equal(expected.Count, rows.Count);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), rows.Select(r => r.Path).Order(StringComparer.Ordinal));
        Assert.All(rows, r => Assert.Equal(TestBag.Sha256(expected[r.Path]), r.Sha256));
        Assert.All(rows, r => Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA512.HashData(expected[r.Path])), r.Sha512));

        var registered = await stack.QueryAsync("""
            SELECT count(*) FROM registry.generic_files f JOIN registry.intellectual_objects o ON o.id = f.object_id WHERE o.identifier = @o
            """, r => r.GetInt64(0), ("o", $"{stack.Institution}/{bag.Name}"));
        Assert.Equal(expected.Count, registered.Single());
    }

    /// <summary>
    /// Reads the ingest's checkpoint state size until the submit finishes: each state lives at least
    /// one 1 s slice, so sampling every 100 ms sees every one of them.
    /// </summary>
    private static async Task<(long Largest, int Seen)> LargestCheckpointStateAsync(IngestStack stack, string bagName, Task finished)
    {
        long largest = 0;
        var seen = 0;
        while (!finished.IsCompleted)
        {
            var sizes = await stack.QueryAsync("""
                SELECT octet_length(c.state::text) FROM bus.ingest_unpack_checkpoints c JOIN bus.ingest_saga s ON s.correlation_id = c.ingest_id
                WHERE s.key LIKE @key AND c.state IS NOT NULL
                """, r => r.GetInt32(0), ("key", $"%{bagName}.tar"));
            foreach (var size in sizes)
            {
                largest = Math.Max(largest, size);
                seen++;
            }
            await Task.WhenAny(finished, Task.Delay(100));
        }
        return (largest, seen);
    }
}
