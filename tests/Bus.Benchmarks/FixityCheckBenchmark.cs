using System.Diagnostics;
using System.Security.Cryptography;
using Amazon.S3;
using Bus.Benchmarks.Ingest;
using Bus.Contracts.Fixity;
using Bus.Fixity;
using Bus.Hashing;
using Bus.Workflows.Copies;
using Bus.Workflows.Steps;

namespace Bus.Benchmarks;

/// <summary>
/// A fixity check of a 1 GiB copy through the production path: the object is ingested first (an ingest host), then a
/// fixity-only host (role <c>fixity</c>, its sweep off so it claims no one else's copies) gets the production
/// <see cref="CheckFixity"/> for the largest file's hot copy on the saga's queue, as busctl and the API send it (the
/// ledger row first). Timed from the send until the outcome is in <c>fixity.checks</c> (saga → verify step: stream,
/// resumable sha256, PREMIS event → saga → record-outcome step), which must be intact. Against it, in the same run and
/// from the same copy: a plain GET read to the end before and after (the goal: the check reaches at least 0.9 of its
/// throughput) and, labelled as the lighter variant, the verify step's read alone in this process (stream + sha256,
/// no bus, no database). The host first checks the smallest file, untimed (first-use costs); its high-water mark is
/// reset just before the timed check, so its peak is the check's. The check's time is split at the saga's transition rows
/// and the read's slice rows, which also say how many time slices the read took.
/// </summary>
public sealed class FixityCheckBenchmark : IBenchmark
{
    public string Name => "fixity-check";
    public string Description => "fixity check of a 1 GiB hot copy through the fixity saga and its steps on a fixity-only host, vs a plain S3 GET of it";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var (size, environment) = HostArgs.Parse(args);
        var sizeMiB = size ?? 1024;
        var settings = HostArgs.Describe(environment);
        // The fixity host's sweep would claim due copies of everyone on the shared database into this run's vhost.
        environment["Bus__Fixity__SweepEnabled"] = "false";
        var options = new FixityOptions();
        await using var bench = await IngestBench.StartAsync(Name, environment, "ingest,scheduler");
        var tar = await BenchBags.WriteLargeAsync(bench.Folder, "bench-fixity", sizeMiB, cancellationToken);
        var ingest = await SingleIngest.RunAsync(bench, tar, cancellationToken);
        var copy = await HotCopyAsync($"{bench.Institution}/bench-fixity", largest: true, cancellationToken);
        var warmUp = await HotCopyAsync($"{bench.Institution}/bench-fixity", largest: false, cancellationToken);
        var (checkId, warmUpId) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        try
        {
            var fixityHost = await bench.StartHostAsync("fixity", "fixity");
            var resilience = new S3Resilience();
            var s3 = bench.S3;
            var inProcess = new CopyReader(new S3CopyStorage(s3, resilience, new CopyWriter(s3, resilience), new CopyChecksums(s3, resilience), new CopyTemperature(s3, resilience)));
            async Task<long> InProcessReadAsync() =>
                (await inProcess.DigestAsync(copy.Bucket, copy.Key, options.AlgorithmList, options.ReadBufferKiB * 1024, cancellationToken))!.Size;

            // The host's first check pays first-use costs (JIT, connections) in every hop; a small file's check takes them
            // first, so the timed check sees a running host's latencies.
            var warmUpClock = Stopwatch.StartNew();
            await StartLedgerRowAsync(warmUpId, warmUp, bench.Submitter, DateTimeOffset.UtcNow, cancellationToken);
            await (await bench.Bus.GetSendEndpoint(WorkflowQueues.Address(FixityEndpoints.Check)))
                .Send(new CheckFixity(warmUpId, warmUp.StorageRecordId, bench.Submitter, DateTimeOffset.UtcNow), cancellationToken);
            var (warmUpOutcome, warmUpDetail) = await WaitForOutcomeAsync(warmUpId, fixityHost, cancellationToken);
            if (warmUpOutcome != FixityOutcomes.Intact)
                throw new InvalidOperationException($"warm-up check {warmUpId} of {warmUp.Bucket}/{warmUp.Key} ended {warmUpOutcome}: {warmUpDetail}; host log {fixityHost.LogPath}");
            var warmUpSeconds = warmUpClock.Elapsed.TotalSeconds;

            var loadBefore = RunMonitor.LoadAverage();
            var (getBefore, getCpuBefore) = await TimeAsync(() => PlainGetAsync(s3, copy.Bucket, copy.Key, cancellationToken));
            var (lightBefore, lightCpuBefore) = await TimeAsync(InProcessReadAsync);
            var loadAtCheck = RunMonitor.LoadAverage();
            var residentAtReset = fixityHost.ResetPeak() / 1024.0;
            var cpuBefore = fixityHost.CpuSeconds();
            var requestedAt = DateTimeOffset.UtcNow;
            var endpoint = await bench.Bus.GetSendEndpoint(WorkflowQueues.Address(FixityEndpoints.Check));
            var sentAt = DateTimeOffset.UtcNow;
            var sent = Stopwatch.StartNew();
            await StartLedgerRowAsync(checkId, copy, bench.Submitter, requestedAt, cancellationToken);
            await endpoint.Send(new CheckFixity(checkId, copy.StorageRecordId, bench.Submitter, requestedAt), cancellationToken);
            var (outcome, detail) = await WaitForOutcomeAsync(checkId, fixityHost, cancellationToken);
            sent.Stop();
            var outcomeAt = DateTimeOffset.UtcNow;
            var peak = fixityHost.PeakResidentKiB() / 1024.0;
            var cpu = fixityHost.CpuSeconds() - cpuBefore;
            var loadAfterCheck = RunMonitor.LoadAverage();
            if (outcome != FixityOutcomes.Intact)
                throw new InvalidOperationException($"fixity check {checkId} of {copy.Bucket}/{copy.Key} ended {outcome}: {detail}; host log {fixityHost.LogPath}");
            var premis = await PremisOutcomeAsync(FixityIds.ForRecord(checkId, "check", copy.StorageRecordId), cancellationToken);
            if (premis != "success")
                throw new InvalidOperationException($"fixity check {checkId} is intact in fixity.checks but its PREMIS event is {premis ?? "missing"}; host log {fixityHost.LogPath}");
            var slices = await SlicesAsync(checkId, cancellationToken);
            var transitions = await TransitionsAsync(FixityIds.ForCopy(copy.StorageRecordId), cancellationToken);
            var (lightAfter, lightCpuAfter) = await TimeAsync(InProcessReadAsync);
            var (getAfter, getCpuAfter) = await TimeAsync(() => PlainGetAsync(s3, copy.Bucket, copy.Key, cancellationToken));
            var loadEnd = RunMonitor.LoadAverage();

            var mb = copy.Bytes / 1e6;
            var getMbps = mb / ((getBefore + getAfter) / 2);
            var lightMbps = mb / ((lightBefore + lightAfter) / 2);
            var checkMbps = mb / sent.Elapsed.TotalSeconds;
            var ratio = checkMbps / getMbps;
            Console.WriteLine($"## Fixity check: {sizeMiB:N0} MiB hot copy through the fixity saga against a plain S3 GET");
            Console.WriteLine();
            Console.WriteLine($"`make bench-{Name}` ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC). Machine: {Machine.Describe()}.");
            Console.WriteLine();
            Console.WriteLine("| measure | value |");
            Console.WriteLine("|---|---|");
            IngestReport.Row("host settings", $"{settings} (fixity host: `Bus__Fixity__SweepEnabled=false`, time slice {options.TimeSlice.TotalMinutes:F0} min, read buffer {options.ReadBufferKiB} KiB, {string.Join("+", options.AlgorithmList)})");
            IngestReport.Row("ingest of the object first, on an ingest host (not measured here)", $"{ingest.WallSeconds:F1} s");
            var gib = copy.Bytes / 1073741824.0;
            IngestReport.Row($"plain GET of the hot copy ({copy.Bucket}), read to the end, before / after the check",
                $"{getBefore:F1} s / {getAfter:F1} s ({getMbps:F1} MB/s mean; {(getCpuBefore + getCpuAfter) / 2 / gib:F2} CPU-s per GiB in this process)");
            IngestReport.Row("lighter variant, not the consumer path: the verify step's read alone in this process (stream + sha256, no bus, no database), before / after",
                $"{lightBefore:F1} s / {lightAfter:F1} s ({lightMbps:F1} MB/s mean; {(lightCpuBefore + lightCpuAfter) / 2 / gib:F2} CPU-s per GiB)");
            IngestReport.Row($"warm-up: the fixity host's first check, of the smallest file ({warmUp.Bytes:N0} bytes), sent → intact", $"{warmUpSeconds:F2} s");
            IngestReport.Row("fixity check on a fixity-only host, CheckFixity sent → outcome intact in fixity.checks (saga, verify step, PREMIS event, record-outcome step)",
                $"{sent.Elapsed.TotalSeconds:F1} s ({checkMbps:F1} MB/s)");
            if (slices.Count > 0 && transitions.TryGetValue("Verifying", out var verifying) && transitions.TryGetValue("Final", out var final))
            {
                // Each hop's clock: the saga's transition rows and the read's slice rows (host clocks, the same machine's).
                var (first, last) = (slices[0], slices[^1]);
                var read = (last.EndedAt - first.StartedAt).TotalSeconds;
                IngestReport.Row("of which: sent (ledger row, CheckFixity) → saga in Verifying", $"{(verifying - sentAt).TotalSeconds:F2} s");
                IngestReport.Row("of which: saga in Verifying → first slice started (VerifyCopy through the outbox, the step's registry lookup)", $"{(first.StartedAt - verifying).TotalSeconds:F2} s");
                IngestReport.Row("of which: the read, first slice started → last slice ended (ranged GET, sha256, checkpoint row)", $"{read:F2} s ({mb / read:F1} MB/s)");
                IngestReport.Row("of which: last slice ended → saga Final (PREMIS event, CopyVerified)", $"{(final - last.EndedAt).TotalSeconds:F2} s");
                IngestReport.Row("of which: saga Final → outcome seen (FixityCheckCompleted through the outbox, record-outcome step; polled every 100 ms)", $"{(outcomeAt - final).TotalSeconds:F2} s");
            }
            IngestReport.Row("check / plain GET throughput (goal ≥ 0.9)", $"{ratio:F2} {(ratio >= 0.9 ? "(met)" : "(NOT met)")}");
            IngestReport.Row("check / lighter variant throughput", $"{checkMbps / lightMbps:F2}");
            IngestReport.Row("slices of the check's read (bus.copy_read_slices: how each ended)", $"{slices.Count} ({string.Join(", ", slices.Select(x => x.Ended))})");
            IngestReport.Row("fixity host CPU during the check", $"{cpu:F1} CPU-s ({cpu / gib:F2} CPU-s per GiB)");
            IngestReport.Row("fixity-only host: resident at the reset before the check / peak during the check (VmHWM after clear_refs)", $"{residentAtReset:F0} MiB / {peak:F0} MiB");
            IngestReport.Row("load average (1 min): before the baselines / at the check's start / at its end / at the end", $"{loadBefore:F1} / {loadAtCheck:F1} / {loadAfterCheck:F1} / {loadEnd:F1}");
            Console.WriteLine();
            Console.WriteLine("sha256 of 1 GiB in memory, CPU-seconds (the check's hash vs .NET's; CPU time, not wall: the machine is shared):");
            Console.WriteLine();
            Console.WriteLine("| hash | CPU-s per GiB |");
            Console.WriteLine("|---|---|");
            Console.WriteLine($"| ResumableHash (OpenSSL SHA256_Update, checkpointable) | {HashSeconds(b => { var h = ResumableHash.Create("sha256"); foreach (var _ in Enumerable.Range(0, 16)) h.Append(b); h.Finish(); }):F2} |");
            Console.WriteLine($"| IncrementalHash (OpenSSL EVP) | {HashSeconds(b => { using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256); foreach (var _ in Enumerable.Range(0, 16)) h.AppendData(b); h.GetHashAndReset(); }):F2} |");
            return 0;
        }
        finally
        {
            // The ingest bench removes the registry rows (PREMIS events included) and the S3 objects; these are the check's own.
            await DeleteCheckRowsAsync(checkId, copy.StorageRecordId);
            await DeleteCheckRowsAsync(warmUpId, warmUp.StorageRecordId);
        }
    }

    private sealed record HotCopy(long StorageRecordId, string FileIdentifier, string Bucket, string Key, long Bytes);

    /// <summary>The largest (or smallest) file's hot copy (a cold one's GET is refused, and its check compares a checksum attribute instead of reading it).</summary>
    private static async Task<HotCopy> HotCopyAsync(string objectIdentifier, bool largest, CancellationToken ct)
    {
        await using var command = IngestBench.Database.CreateCommand("""
            SELECT s.id, f.identifier, s.bucket, s.key, f.size FROM registry.storage_records s JOIN registry.generic_files f ON f.id = s.file_id
            JOIN registry.intellectual_objects o ON o.id = f.object_id
            WHERE o.identifier = @o AND s.state = 'active' AND s.tier = 'hot' ORDER BY f.size * @sign DESC, s.bucket LIMIT 1
            """);
        command.Parameters.AddWithValue("sign", largest ? 1L : -1L);
        command.Parameters.AddWithValue("o", objectIdentifier);
        await using var r = await command.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) throw new InvalidOperationException($"no hot copy of {objectIdentifier}");
        return new HotCopy(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt64(4));
    }

    /// <summary>The ledger row busctl and the API insert before they send (CheckLedger.StartAsync), so the check runs as theirs do.</summary>
    private static async Task StartLedgerRowAsync(Guid checkId, HotCopy copy, string requestedBy, DateTimeOffset at, CancellationToken ct)
    {
        await using var command = IngestBench.Database.CreateCommand("""
            INSERT INTO fixity.checks (check_id, storage_record_id, file_identifier, bucket, requested_by, requested_at)
            VALUES (@id, @copy, @identifier, @bucket, @by, @at)
            """);
        command.Parameters.AddWithValue("id", checkId);
        command.Parameters.AddWithValue("copy", copy.StorageRecordId);
        command.Parameters.AddWithValue("identifier", copy.FileIdentifier);
        command.Parameters.AddWithValue("bucket", copy.Bucket);
        command.Parameters.AddWithValue("by", requestedBy);
        command.Parameters.AddWithValue("at", at.ToUniversalTime());
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Polls fixity.checks until the check has an outcome; fails when the host dies or nothing comes within an hour.</summary>
    private static async Task<(string Outcome, string? Detail)> WaitForOutcomeAsync(Guid checkId, BenchHost host, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromHours(1);
        while (DateTime.UtcNow < deadline)
        {
            if (host.ExitCode is { } exit) throw new InvalidOperationException($"the fixity host exited with {exit} during check {checkId}; log {host.LogPath}");
            await using var command = IngestBench.Database.CreateCommand("SELECT outcome, detail FROM fixity.checks WHERE check_id = @id AND outcome IS NOT NULL");
            command.Parameters.AddWithValue("id", checkId);
            await using (var r = await command.ExecuteReaderAsync(ct))
                if (await r.ReadAsync(ct)) return (r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1));
            await Task.Delay(100, ct);
        }
        throw new TimeoutException($"fixity check {checkId} had no outcome within an hour; host log {host.LogPath}");
    }

    private static async Task<string?> PremisOutcomeAsync(Guid eventId, CancellationToken ct)
    {
        await using var command = IngestBench.Database.CreateCommand("SELECT outcome FROM registry.premis_events WHERE id = @id");
        command.Parameters.AddWithValue("id", eventId);
        return await command.ExecuteScalarAsync(ct) as string;
    }

    /// <summary>When the check saga entered each state (bus.saga_transitions; Final is the intact outcome's transition).</summary>
    private static async Task<Dictionary<string, DateTimeOffset>> TransitionsAsync(Guid correlationId, CancellationToken ct)
    {
        await using var command = IngestBench.Database.CreateCommand("SELECT to_state, occurred_at FROM bus.saga_transitions WHERE correlation_id = @id ORDER BY id");
        command.Parameters.AddWithValue("id", correlationId);
        var entered = new Dictionary<string, DateTimeOffset>();
        await using var r = await command.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) entered[r.GetString(0)] = r.GetFieldValue<DateTimeOffset>(1);
        return entered;
    }

    private sealed record Slice(string Ended, DateTimeOffset StartedAt, DateTimeOffset EndedAt);

    /// <summary>The slices of the check's read (the read id is the check id): one "finished" means no checkpoint was resumed.</summary>
    private static async Task<IReadOnlyList<Slice>> SlicesAsync(Guid checkId, CancellationToken ct)
    {
        await using var command = IngestBench.Database.CreateCommand("SELECT ended, started_at, ended_at FROM bus.copy_read_slices WHERE read_id = @id ORDER BY slice");
        command.Parameters.AddWithValue("id", checkId);
        var slices = new List<Slice>();
        await using var r = await command.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) slices.Add(new Slice(r.GetString(0), r.GetFieldValue<DateTimeOffset>(1), r.GetFieldValue<DateTimeOffset>(2)));
        return slices;
    }

    /// <summary>The check's ledger row, slices, saga row and transitions (none references the registry rows the ingest bench deletes).</summary>
    private static async Task DeleteCheckRowsAsync(Guid checkId, long storageRecordId)
    {
        try
        {
            string[] statements =
            [
                "DELETE FROM fixity.checks WHERE check_id = @check OR storage_record_id = @copy",
                "DELETE FROM bus.copy_read_slices WHERE read_id = @check",
                "DELETE FROM bus.saga_transitions WHERE correlation_id = @saga",
                "DELETE FROM bus.fixity_check_saga WHERE correlation_id = @saga",
            ];
            foreach (var sql in statements)
            {
                await using var command = IngestBench.Database.CreateCommand(sql);
                command.Parameters.AddWithValue("check", checkId);
                command.Parameters.AddWithValue("copy", storageRecordId);
                command.Parameters.AddWithValue("saga", FixityIds.ForCopy(storageRecordId));
                await command.ExecuteNonQueryAsync();
            }
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException)
        {
            Console.Error.WriteLine($"cleanup of fixity check {checkId} incomplete: {e.GetBaseException().Message}");
        }
    }

    /// <summary>Median CPU time of three runs over a 64 MiB buffer hashed 16 times (1 GiB), on the calling thread.</summary>
    private static double HashSeconds(Action<byte[]> hash)
    {
        var buffer = new byte[64 * 1024 * 1024];
        new Random(1).NextBytes(buffer);
        var times = new List<double>();
        for (var i = 0; i < 3; i++)
        {
            var before = Process.GetCurrentProcess().TotalProcessorTime;
            hash(buffer);
            times.Add((Process.GetCurrentProcess().TotalProcessorTime - before).TotalSeconds);
        }
        return times.Order().ElementAt(1);
    }

    private static async Task<long> PlainGetAsync(IAmazonS3 s3, string bucket, string key, CancellationToken cancellationToken)
    {
        using var response = await s3.GetObjectAsync(bucket, key, cancellationToken);
        var buffer = new byte[1024 * 1024];
        long total = 0;
        int n;
        while ((n = await response.ResponseStream.ReadAsync(buffer, cancellationToken)) > 0) total += n;
        return total;
    }

    /// <summary>Wall seconds and this process's CPU seconds (its bus idles meanwhile) of <paramref name="work"/>.</summary>
    private static async Task<(double Seconds, double CpuSeconds)> TimeAsync(Func<Task<long>> work)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        await work();
        return (watch.Elapsed.TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds);
    }
}
