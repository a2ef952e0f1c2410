using System.Reflection;
using Amazon.S3;
using Amazon.S3.Model;
using Bus.BagIt.Scanning;
using Bus.Ingest.Steps;
using Bus.Workflows.Steps;

namespace Bus.Tests.Ingest;

/// <summary>
/// Unpack identifies each file's format from the bytes it stages, so Identify has nothing to read
/// back from staging (one ranged GET per file less).
/// </summary>
public sealed class When_unpack_stages_a_file
{
    private static readonly byte[] Png = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==");

    [Fact]
    public async Task Its_format_is_identified_from_the_bytes_that_pass_to_staging()
    {
        using var magic = new LibMagic();
        var formats = new StreamFormats(new FormatIdentifier(magic), headBytes: 64 * 1024);
        var s3 = PutOnlyS3.Create();
        var sink = new StagingSink(s3, new S3Resilience(), "bus-staging", Guid.NewGuid(), formats);

        await sink.WriteAsync(new BagEntry("data/scan.dat", Png.Length, BagEntryKind.RegularFile), new MemoryStream(Png), CancellationToken.None);
        await sink.WriteAsync(new BagEntry("data/empty.pdf", 0, BagEntryKind.RegularFile), new MemoryStream(), CancellationToken.None);

        Assert.Equal(2, ((PutOnlyS3)(object)s3).Puts);
        Assert.Equal(("image/png", FormatIdentifier.ByLibmagic), formats.For("data/scan.dat"));
        Assert.Equal(("application/pdf", FormatIdentifier.ByExtension), formats.For("data/empty.pdf"));
        Assert.Equal((null, null), formats.For("data/not-staged.txt"));
    }

    /// <summary>An S3 client that accepts PutObject and refuses every other call.</summary>
    public class PutOnlyS3 : DispatchProxy
    {
        private int _puts;

        public int Puts => _puts;

        public static IAmazonS3 Create() => Create<IAmazonS3, PutOnlyS3>();

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            if (targetMethod?.Name == nameof(IAmazonS3.PutObjectAsync) && args?[0] is PutObjectRequest)
            {
                Interlocked.Increment(ref _puts);
                return Task.FromResult(new PutObjectResponse());
            }
            throw new InvalidOperationException($"unexpected S3 call {targetMethod?.Name}");
        }
    }
}
