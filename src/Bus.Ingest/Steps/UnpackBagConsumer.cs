using System.Net;
using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Model;
using Bus.BagIt;
using Bus.BagIt.Scanning;
using Bus.BagIt.Validation;
using Bus.Contracts.Ingest;
using Bus.Ingest.Data;
using Bus.Ingest.Steps;
using Bus.Workflows.Copies;
using Bus.Platform.Options;
using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Bus.Workflows.Steps;
using Bus.Ingest.StateMachines.Messages;

namespace Bus.Ingest.Steps;

/// <summary>
/// Streams the tar from the receiving bucket (forward reads, no local disk), computes the four
/// digests of every file in that pass while each file goes to staging, validates the inventory
/// (RFC 8493 + profile) and saves per-file rows with binary COPY. An unreadable tar, or an object
/// that is gone or changed since submit, is a fatal outcome: BagInvalid, never a retry.
/// Time-sliced: when the slice is spent or the host is stopping, it stops at the next file
/// boundary, or inside a large file at its next 16 MiB staging part, commits that slice's rows with
/// the tar offset to read on from and the scan state (for a file stopped inside: its four digest
/// states and the open staging upload), sends itself a continuation and acknowledges; the
/// continuation, on any process, reads on from that offset with a ranged GET (still If-Match the
/// submitted ETag).
/// </summary>
public sealed class UnpackBagConsumer(InterimStore store, IAmazonS3 s3, S3Resilience resilience, FormatIdentifier identifier, IOptions<StorageOptions> storage,
    IOptions<IngestOptions> options, ILogger<UnpackBagConsumer> logger) : IConsumer<UnpackBag>
{
    public async Task Consume(ConsumeContext<UnpackBag> context)
    {
        var m = context.Message;
        var run = await IngestStep.BeginAsync(context, m.IngestId, IngestSteps.Unpack, options.Value.TimeSlice);
        await using var slice = await store.BeginUnpackSliceAsync(m.IngestId, IngestIds.NormalizeETag(m.ETag), run.CancellationToken);
        if (slice is null)
        {
            // Another delivery of this ingest's Unpack (a redelivered first command beside its
            // continuation) holds the checkpoint now; its message carries the work on.
            logger.LogInformation("Unpack of {IngestId} is running elsewhere; this delivery leaves it to that one", m.IngestId);
            return;
        }
        var checkpoint = slice.Checkpoint;
        if (checkpoint.Finished is { } finished)
        {
            // Committed, but the process may have died before publishing: the saga ignores a repeat.
            await context.Publish(new BagUnpacked(m.IngestId, finished.BagName, finished.PayloadFiles, finished.PayloadBytes, DateTimeOffset.UtcNow));
            return;
        }
        var offset = checkpoint.NextOffset;
        GetObjectResponse? response;
        try
        {
            // EtagToMatch: a key re-uploaded since submit (or between slices) is a different ingest, not this one.
            response = await resilience.RunAsync(async c => await s3.GetObjectAsync(new GetObjectRequest
            {
                BucketName = m.Bucket, Key = m.Key, EtagToMatch = $"\"{m.ETag}\"",
                ByteRange = offset > 0 ? new ByteRange($"bytes={offset}-") : null,
            }, c), run.CancellationToken);
        }
        catch (AmazonS3Exception e) when (e.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.PreconditionFailed)
        {
            var code = e.StatusCode == HttpStatusCode.NotFound ? "receiving-object-missing" : "receiving-object-changed";
            await Invalid(context, new IngestRejection(code, $"s3://{m.Bucket}/{m.Key} with ETag {m.ETag}: {e.Message}"));
            return;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && offset > 0)
        {
            response = null; // the last slice ended exactly at the end of a tar without end-of-archive blocks
        }
        using (response)
        {
            // Each file's format from its first bytes as it passes: Identify need not GET it back from staging.
            var formats = new StreamFormats(identifier, options.Value.IdentifyHeadBytes);
            var sink = new StagingSink(s3, resilience, storage.Value.StagingBucket, m.IngestId, formats);
            // Manifests and all but a few KiB of tag files are read back from staging, never carried in the checkpoint.
            // SourceLength: a body cut short is a broken transfer (IOException, retried), not a short tar.
            var scanOptions = new BagScanOptions
            {
                ExpectedBagName = TarBagScanner.BagNameFromTarName(m.Key),
                MaxTagFileBytes = options.Value.MaxTagFileBytes,
                TagSource = new StagedTagFiles(s3, resilience, storage.Value.StagingBucket, m.IngestId),
                SourceLength = response?.ContentLength,
            };
            var prior = checkpoint.Slices > 0 ? await slice.FilePathsAsync(run.CancellationToken) : [];
            TarScanSlice scanned;
            try
            {
                await using var body = response?.ResponseStream ?? Stream.Null;
                scanned = await TarBagScanner.ScanSliceAsync(body, offset, checkpoint.State, prior, sink, scanOptions, () => run.ShouldYield, run.CancellationToken);
            }
            catch (BagScanException e)
            {
                // Every damaged header, number or entry the reader meets is one of these (a reason
                // code); a failed read of the body is not, and goes to the retry policy.
                await Invalid(context, new IngestRejection(e.Code, e.Message, e.Path));
                return;
            }
            catch (PartialFileRefusedException e) when (checkpoint.State?.Partial is { } partial)
            {
                // Never a wrong digest and never a loop: the file is read again from its header, whole
                // this time (it may outlast the consumer timeout, but only after a refusal, which a
                // mixed OpenSSL fleet or a lost upload causes, not a normal run).
                await sink.DiscardAsync(partial.Entry, partial.SinkState, CancellationToken.None);
                var restart = checkpoint.State;
                restart.Partial = null;
                restart.UnpausablePaths.Add(partial.Path);
                await slice.CommitSliceAsync([], partial.HeaderOffset, restart, CancellationToken.None);
                logger.LogWarning("Unpack of {IngestId} reads '{Path}' again from its start at tar offset {Offset}: {Reason}",
                    m.IngestId, partial.Path, partial.HeaderOffset, e.Message);
                await run.ContinueAsync();
                return;
            }
            // Made while COPY writes them, not held as a list beside the scan's files through validation
            // (~0.9 KB of hex strings and keys per file: ~9 MiB more at the peak for 10,000 files).
            var rows = scanned.Files.Select(f => Row(m.IngestId, f, formats));
            if (!scanned.Finished)
            {
                await slice.CommitSliceAsync(rows, scanned.NextOffset, scanned.State, CancellationToken.None);
                var inside = scanned.State.Partial is { } p ? $", inside '{p.Path}' after {p.BytesDone} of {p.Size} bytes" : "";
                logger.LogInformation("Unpack of {IngestId} checkpointed after slice {Slice} at tar offset {Offset} ({Files} files in this slice{Inside}){Reason}",
                    m.IngestId, checkpoint.Slices + 1, scanned.NextOffset, scanned.Files.Count, inside, run.HostIsStopping ? ", host stopping" : "");
                await run.ContinueAsync();
                return;
            }
            // The whole bag: files of the earlier slices (their rows) and of this one.
            var files = checkpoint.Slices > 0 ? [.. await slice.FilesAsync(run.CancellationToken), .. scanned.Files] : scanned.Files;
            var inventory = scanned.State.ToInventory(files, scanOptions.ExpectedBagName, scanOptions.TagSource);
            var result = await BagValidator.ValidateAsync(inventory, null, run.CancellationToken);
            var aptrust = inventory.ReadTags("aptrust-info.txt");
            var bagInfo = inventory.ReadTags("bag-info.txt");
            string? Tag(string label) =>
                (aptrust ?? []).Concat(bagInfo ?? []).FirstOrDefault(t => string.Equals(t.Label, label, StringComparison.OrdinalIgnoreCase))?.Value?.Trim();
            var problems = RejectionReasons.Bounded(result.Errors);
            var bagName = inventory.BagName ?? TarBagScanner.BagNameFromTarName(m.Key);
            var bag = new UnpackedBag(bagName, JsonSerializer.Serialize(problems), result.ManifestAlgorithms,
                Tag("Title"), Tag("Description") ?? Tag("External-Description"), Tag("Access"), Tag("Storage-Option"), result.Profile);
            await slice.CommitFinishedAsync(rows, scanned.NextOffset, m.Institution, bag,
                new UnpackFinished(bagName, inventory.PayloadFileCount, inventory.PayloadBytes), CancellationToken.None);
            if (checkpoint.Slices > 0)
                logger.LogInformation("Unpack of {IngestId} finished in {Slices} slices", m.IngestId, checkpoint.Slices + 1);
            await context.Publish(new BagUnpacked(m.IngestId, bagName, inventory.PayloadFileCount, inventory.PayloadBytes, DateTimeOffset.UtcNow));
        }
    }

    private static InterimFile Row(Guid ingestId, BagFile f, StreamFormats formats)
    {
        var id = StagingSink.FileIdFor(ingestId, f.Path);
        var (format, method) = formats.For(f.Path);
        return new InterimFile(f.Path, id, f.Size, f.Digests.Md5, f.Digests.Sha1, f.Digests.Sha256, f.Digests.Sha512,
            ObjectKeys.Staging(ingestId, id), f.IsPayload, format, method);
    }

    private static Task Invalid(ConsumeContext<UnpackBag> context, IngestRejection reason) =>
        context.Publish(new BagInvalid(context.Message.IngestId, RejectionReasons.Bounded([reason]), DateTimeOffset.UtcNow));
}

public sealed class UnpackBagConsumerDefinition(IOptions<IngestOptions> options)
    : StepConsumerDefinition<UnpackBagConsumer>(options, q => q.Unpack, 2);
