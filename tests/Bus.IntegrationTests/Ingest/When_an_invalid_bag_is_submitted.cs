namespace Bus.IntegrationTests.Ingest;

[Collection(IngestStack.Collection)]
public sealed class When_an_invalid_bag_is_submitted
{
    [Fact]
    public async Task A_manifest_mismatch_is_Rejected_with_its_reason_and_nothing_is_stored()
    {
        await using var stack = await IngestStack.StartAsync();
        var bag = new TestBag("invalid-" + Guid.NewGuid().ToString("N")[..8]);
        bag.CorruptManifest.Add("data/report.txt");
        bag.Access = "Everyone"; // a second, independent reason: the profile's Access values

        var (exit, result) = await stack.SubmitAndWaitAsync(bag);

        Assert.Equal(3, exit);
        Assert.Equal("Rejected", result.GetProperty("state").GetString());
        var codes = result.GetProperty("rejections").EnumerateArray().Select(r => r.GetProperty("code").GetString()).ToList();
        Assert.Contains("checksum.mismatch", codes);
        Assert.Contains("profile.tag-value-not-allowed", codes);
        var objects = await stack.QueryAsync("SELECT count(*) FROM registry.intellectual_objects WHERE institution = @i",
            r => r.GetInt64(0), ("i", stack.Institution));
        Assert.Equal(0, objects.Single());
        // Unpack staged the files; the rejection's compensation removes them (it runs just after the saga ends).
        var ingestId = result.GetProperty("ingestId").GetString()!;
        var staged = -1;
        for (var i = 0; i < 100 && staged != 0; i++)
        {
            staged = await stack.CountObjectsAsync(stack.Storage.StagingBucket, ingestId + "/");
            if (staged != 0) await Task.Delay(200);
        }
        Assert.Equal(0, staged);
        var interim = await stack.QueryAsync("SELECT count(*) FROM bus.ingest_files WHERE ingest_id = @id AND primary_stored_at IS NOT NULL",
            r => r.GetInt64(0), ("id", Guid.Parse(ingestId)));
        Assert.Equal(0, interim.Single());
    }

    [Fact]
    public async Task A_file_that_is_not_a_tar_is_Rejected_as_unreadable()
    {
        await using var stack = await IngestStack.StartAsync();
        var name = "garbage-" + Guid.NewGuid().ToString("N")[..8];
        var path = Path.Combine(Path.GetTempPath(), name + ".tar");
        await File.WriteAllBytesAsync(path, System.Text.Encoding.UTF8.GetBytes(new string('x', 5000)));
        try
        {
            var p = await stack.BusctlAsync("ingest", "submit", path, "--wait", "--json", "--timeout", "120");
            Assert.Equal(3, p.ExitCode);
            Assert.Contains("tar.", p.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_tar_with_a_hostile_header_is_Rejected_with_its_reason_not_faulted()
    {
        await using var stack = await IngestStack.StartAsync();
        var folder = Directory.CreateTempSubdirectory("hostile-").FullName;
        try
        {
            var bag = new TestBag("hostile-" + Guid.NewGuid().ToString("N")[..8]);
            var path = bag.WriteTar(folder);
            // The bag's entries, then a pax header claiming 1.5 GB (TarReader would allocate it), then the end.
            var tar = await File.ReadAllBytesAsync(path);
            await File.WriteAllBytesAsync(path, [.. tar.AsSpan(0, tar.Length - 1024), .. PaxHeaderClaiming($"{bag.Name}/data/x", 1_500_000_000), .. new byte[1024]]);

            var p = await stack.BusctlAsync("ingest", "submit", path, "--wait", "--json", "--timeout", "120");

            Assert.Equal(3, p.ExitCode);
            Assert.Contains("tar.header-too-large", p.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static byte[] PaxHeaderClaiming(string name, long size)
    {
        var h = new byte[512];
        System.Text.Encoding.ASCII.GetBytes(name).CopyTo(h, 0);
        System.Text.Encoding.ASCII.GetBytes("0000644\0" + "0000000\0" + "0000000\0" + Convert.ToString(size, 8).PadLeft(11, '0') + "\0" + "15107101400\0").CopyTo(h, 100);
        h[156] = (byte)'x';
        System.Text.Encoding.ASCII.GetBytes("ustar\0" + "00").CopyTo(h, 257);
        h.AsSpan(148, 8).Fill((byte)' ');
        var sum = h.Sum(b => (int)b);
        System.Text.Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(h, 148);
        return h;
    }
}
