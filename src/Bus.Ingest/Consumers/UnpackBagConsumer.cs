using System.Net;
using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Model;
using Bus.BagIt;
using Bus.BagIt.Scanning;
using Bus.BagIt.Validation;
using Bus.Contracts.Ingest;
using Bus.Ingest.Data;
using Bus.Ingest.Storage;
using Bus.Platform.Options;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Bus.Ingest.Consumers;

/// <summary>
/// Streams the tar from the receiving bucket (one forward read, no local disk), computes the four
/// digests of every file in that pass while each file goes to staging, validates the inventory
/// (RFC 8493 + profile) and saves per-file rows with one binary COPY. An unreadable tar, or an
/// object that is gone or changed since submit, is a fatal outcome: BagInvalid, never a retry.
/// The tar cannot be resumed mid-stream, so Unpack is one slice: each attempt starts over, and
/// name-based file ids make the rerun overwrite what the last attempt staged.
/// </summary>
public sealed class UnpackBagConsumer(InterimStore store, IAmazonS3 s3, S3Resilience resilience, IOptions<StorageOptions> storage,
    IOptions<IngestOptions> options) : IConsumer<UnpackBag>
{
    public async Task Consume(ConsumeContext<UnpackBag> context)
    {
        var m = context.Message;
        var run = await StepRun<UnpackBag>.BeginAsync(context, m.IngestId, IngestSteps.Unpack, options.Value.TimeSlice);
        GetObjectResponse response;
        try
        {
            // EtagToMatch: a key re-uploaded since submit is a different ingest, not this one.
            response = await resilience.RunAsync(async c => await s3.GetObjectAsync(new GetObjectRequest
            {
                BucketName = m.Bucket, Key = m.Key, EtagToMatch = $"\"{m.ETag}\"",
            }, c), run.CancellationToken);
        }
        catch (AmazonS3Exception e) when (e.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.PreconditionFailed)
        {
            var code = e.StatusCode == HttpStatusCode.NotFound ? "receiving-object-missing" : "receiving-object-changed";
            await Invalid(context, new IngestRejection(code, $"s3://{m.Bucket}/{m.Key} with ETag {m.ETag}: {e.Message}"));
            return;
        }
        using (response)
        {
            var sink = new StagingSink(s3, resilience, storage.Value.StagingBucket, m.IngestId);
            BagInventory inventory;
            try
            {
                await using var body = response.ResponseStream;
                inventory = await TarBagScanner.ScanAsync(body, sink,
                    new BagScanOptions { ExpectedBagName = TarBagScanner.BagNameFromTarName(m.Key) }, run.CancellationToken);
            }
            catch (BagScanException e)
            {
                await Invalid(context, new IngestRejection(e.Code, e.Message, e.Path));
                return;
            }
            var result = BagValidator.Validate(inventory);
            var files = inventory.Files.Select(f =>
            {
                var id = StagingSink.FileIdFor(m.IngestId, f.Path);
                return new InterimFile(f.Path, id, f.Size, f.Digests.Md5, f.Digests.Sha1, f.Digests.Sha256, f.Digests.Sha512,
                    ObjectKeys.Staging(m.IngestId, id), f.IsPayload);
            }).ToList();
            var aptrust = inventory.ReadTags("aptrust-info.txt");
            var bagInfo = inventory.ReadTags("bag-info.txt");
            string? Tag(string label) =>
                (aptrust ?? []).Concat(bagInfo ?? []).FirstOrDefault(t => string.Equals(t.Label, label, StringComparison.OrdinalIgnoreCase))?.Value?.Trim();
            var problems = result.Errors.Select(e => new IngestRejection(e.Code, e.Message, e.Path)).ToList();
            var bagName = inventory.BagName ?? TarBagScanner.BagNameFromTarName(m.Key);
            await store.SaveUnpackedAsync(m.IngestId, m.Institution, new UnpackedBag(bagName, JsonSerializer.Serialize(problems), result.ManifestAlgorithms,
                Tag("Title"), Tag("Description") ?? Tag("External-Description"), Tag("Access"), Tag("Storage-Option"), result.Profile), files, CancellationToken.None);
            await context.Publish(new BagUnpacked(m.IngestId, bagName, inventory.PayloadFileCount, inventory.PayloadBytes, DateTimeOffset.UtcNow));
        }
    }

    private static Task Invalid(ConsumeContext<UnpackBag> context, IngestRejection reason) =>
        context.Publish(new BagInvalid(context.Message.IngestId, [reason], DateTimeOffset.UtcNow));
}

public sealed class UnpackBagConsumerDefinition(IOptions<IngestOptions> options)
    : StepConsumerDefinition<UnpackBagConsumer>(options, q => q.Unpack, 2);
