using System.Formats.Tar;
using System.Text;
using System.Text.Json;
using Bus.BagIt;
using Bus.BagIt.Profiles;
using Bus.BagIt.Scanning;
using Bus.BagIt.Validation;
using Bus.Contracts.Ingest;
using Bus.Ingest.Steps;
using Bus.Ingest.StateMachines.Messages;

namespace Bus.Tests.BagIt;

/// <summary>
/// Every malformed line, unlisted file or bad entry is a reason, and bag text is quoted in them: the
/// lists are bounded (100 kept, the rest counted in one more-reasons reason) and every quote is cut
/// to 512 characters, so a BagInvalid stays far below RabbitMQ's frame limit whatever the bag holds.
/// </summary>
public class When_a_bag_has_more_problems_than_a_rejection_lists
{
    private const int MalformedLines = 5000;

    private static TestBag Bag()
    {
        var bag = new TestBag();
        bag.TagManifestAlgorithms.Clear();
        // Three 4 MiB one-line root files (not parsed: hashed only, no reason), a 900 KB one-line bag-info entry, a 2 MiB one-line manifest entry.
        for (var i = 1; i <= 3; i++) bag.Extra[$"notes-{i}.txt"] = Encoding.ASCII.GetBytes(new string('x', 4 * 1024 * 1024));
        bag.Tamper = files =>
        {
            files["bag-info.txt"] = [.. files["bag-info.txt"], .. Encoding.ASCII.GetBytes(new string('y', 900_000) + "\n")];
            var manifest = new StringBuilder(Encoding.UTF8.GetString(files["manifest-md5.txt"]));
            for (var i = 0; i < MalformedLines; i++) manifest.Append("not-a-line-").Append(i).Append('\n');
            manifest.Append(new string('z', 2 * 1024 * 1024)).Append('\n');
            files["manifest-md5.txt"] = Encoding.UTF8.GetBytes(manifest.ToString());
        };
        return bag;
    }

    [Fact]
    public async Task Should_keep_the_first_100_and_count_the_rest()
    {
        var result = BagValidator.Validate(await Bag().ScanTarAsync(), BagProfiles.BagIt);

        // 5,001 malformed manifest lines, 1 malformed bag-info line; the large notes files are no reason.
        const int Total = MalformedLines + 1 + 1;
        Assert.Equal(BagIssueList.MaxKept + 1, result.Errors.Count);
        Assert.Equal(0, result.Errors.Count(e => e.Code == BagIssueCodes.TagTooLarge));
        var more = result.Errors[^1];
        Assert.Equal(BagIssueCodes.MoreReasons, more.Code);
        Assert.Equal(Total - BagIssueList.MaxKept, BagIssueList.CountIn(more.Message));
        AssertQuotesCut(result.Errors.Select(e => e.Message));
    }

    [Fact]
    public async Task Should_make_a_small_BagInvalid_also_with_the_registry_reasons_first()
    {
        var result = BagValidator.Validate(await Bag().ScanTarAsync(), BagProfiles.BagIt);

        var reasons = RejectionReasons.Bounded(
            [new IngestRejection("institution-unknown", "institution 'x.edu' is not registered"), .. result.Errors.Select(e => new IngestRejection(e.Code, e.Message, e.Path))]);

        Assert.Equal(BagIssueList.MaxKept + 1, reasons.Count);
        Assert.Equal("institution-unknown", reasons[0].Code);
        Assert.Equal(BagIssueCodes.MoreReasons, reasons[^1].Code);
        Assert.Equal(MalformedLines + 2 + 1 - BagIssueList.MaxKept, BagIssueList.CountIn(reasons[^1].Message));
        var json = JsonSerializer.SerializeToUtf8Bytes(new BagInvalid(Guid.NewGuid(), reasons, DateTimeOffset.UtcNow));
        Assert.True(json.Length < 256 * 1024, $"BagInvalid is {json.Length} bytes");
        AssertQuotesCut(reasons.Select(r => r.Message));
    }

    [Fact]
    public async Task Should_bound_scan_findings_also_through_a_checkpoint()
    {
        var bag = new TestBag();
        var links = Enumerable.Range(0, 300).Select(i => new PaxTarEntry(TarEntryType.SymbolicLink, $"{bag.Name}/data/link-{i}") { LinkName = "../../etc/passwd" });
        var tar = bag.ToTar(extraEntries: links);

        var slice = await TarBagScanner.ScanSliceAsync(new NonSeekableStream(new MemoryStream(tar)), 0, null, [], null, new BagScanOptions { ExpectedBagName = bag.Name },
            null, CancellationToken.None);
        var state = JsonSerializer.Deserialize<TarScanState>(JsonSerializer.Serialize(slice.State))!;

        Assert.Equal(BagIssueList.MaxKept, state.Findings.Count);
        Assert.Equal(200, state.FindingsOmitted);
        var result = BagValidator.Validate(state.ToInventory(slice.Files, bag.Name), BagProfiles.BagIt);
        Assert.Equal(BagIssueCodes.MoreReasons, result.Errors[^1].Code);
        Assert.Equal(200, BagIssueList.CountIn(result.Errors[^1].Message));
    }

    [Fact]
    public void Should_cut_a_long_quote_with_a_visible_ellipsis()
    {
        var quoted = BagIssueList.Quote(new string('q', 10_000));
        Assert.Equal(BagIssueList.MaxQuotedChars, quoted.Length);
        Assert.EndsWith("…", quoted, StringComparison.Ordinal);
        var issue = new BagIssue("x", new string('m', 100_000), new string('p', 100_000));
        Assert.Equal(BagIssue.MaxMessageChars, issue.Message.Length);
        Assert.Equal(BagIssueList.MaxQuotedChars, issue.Path!.Length);
    }

    private static void AssertQuotesCut(IEnumerable<string> messages) =>
        Assert.All(messages, m =>
        {
            Assert.True(m.Length <= BagIssue.MaxMessageChars, $"a message of {m.Length} characters");
            foreach (var c in "xyz") Assert.DoesNotContain(new string(c, BagIssueList.MaxQuotedChars + 1), m, StringComparison.Ordinal);
        });
}
