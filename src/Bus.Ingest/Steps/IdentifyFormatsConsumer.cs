using Amazon.S3;
using Amazon.S3.Model;
using Bus.Contracts.Ingest;
using Bus.Ingest.Data;
using Bus.Ingest.Steps;
using Bus.Workflows.Copies;
using Bus.Platform.Options;
using MassTransit;
using Microsoft.Extensions.Options;
using Bus.Workflows.Steps;
using Bus.Ingest.StateMachines.Messages;

namespace Bus.Ingest.Steps;

/// <summary>
/// Gives a format to each file Unpack could not identify as it staged it (<see cref="StreamFormats"/>:
/// normally none; a file a slice boundary cut inside is the exception), from a bounded read of its
/// head in staging (a ranged GET: never the whole file), and reports the counts by method. Formats
/// are saved in batches, so a retry or continuation skips identified files.
/// </summary>
public sealed class IdentifyFormatsConsumer(InterimStore store, IAmazonS3 s3, S3Resilience resilience, FormatIdentifier identifier,
    IOptions<StorageOptions> storage, IOptions<IngestOptions> options) : IConsumer<IdentifyFormats>
{
    private const int BatchSize = 200;

    public async Task Consume(ConsumeContext<IdentifyFormats> context)
    {
        var id = context.Message.IngestId;
        var run = await IngestStep.BeginAsync(context, id, IngestSteps.Identify, options.Value.TimeSlice);
        if (await store.IsCancelledAsync(id, run.CancellationToken)) return;
        var total = await store.CountFilesAsync(id, InterimFiles.WithoutFormat, run.CancellationToken);
        var done = 0;
        await foreach (var batch in store.FileChunksAsync(id, InterimFiles.WithoutFormat, BatchSize, run.CancellationToken))
        {
            var results = new (string Path, string Format, string Method)[batch.Count];
            await Parallel.ForEachAsync(Enumerable.Range(0, batch.Count),
                new ParallelOptions { MaxDegreeOfParallelism = options.Value.StepConcurrency, CancellationToken = run.CancellationToken },
                async (i, ct) =>
                {
                    var head = await ReadHeadAsync(batch[i].StagingKey, batch[i].Size, ct);
                    var (format, method) = identifier.Identify(batch[i].Path, head);
                    results[i] = (batch[i].Path, format, method);
                });
            await store.SetFormatsAsync(id, results, CancellationToken.None);
            done += batch.Count;
            await run.ProgressAsync(done, total);
            if (done < total && run.ShouldYield)
            {
                await run.ContinueAsync();
                return;
            }
        }
        var (libmagic, extension) = await store.FormatMethodCountsAsync(id, run.CancellationToken);
        await context.Publish(new FormatsIdentified(id, libmagic, extension, DateTimeOffset.UtcNow));
    }

    private async Task<byte[]> ReadHeadAsync(string key, long size, CancellationToken ct)
    {
        if (size == 0) return [];
        var length = (int)Math.Min(size, options.Value.IdentifyHeadBytes);
        return await resilience.RunAsync(async c =>
        {
            using var response = await s3.GetObjectAsync(new GetObjectRequest
            {
                BucketName = storage.Value.StagingBucket, Key = key, ByteRange = new ByteRange(0, length - 1),
            }, c);
            var buffer = new byte[length];
            await response.ResponseStream.ReadAtLeastAsync(buffer, length, throwOnEndOfStream: false, c);
            return buffer;
        }, ct);
    }
}

public sealed class IdentifyFormatsConsumerDefinition(IOptions<IngestOptions> options)
    : StepConsumerDefinition<IdentifyFormatsConsumer>(options, q => q.Identify, 4);
