using System.Diagnostics;
using System.Text.Json;

namespace Bus.Tests.BagIt;

/// <summary>Runs the real busctl (built next to the tests) on generated bags: exit codes, JSON, stderr.</summary>
public sealed class When_busctl_validates_a_bag : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("busctl-bag-").FullName;

    private string WriteTar(TestBag bag)
    {
        var path = Path.Combine(_folder, bag.Name + ".tar");
        File.WriteAllBytes(path, bag.ToTar());
        return path;
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> BusctlAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        // No colours of busctl's own, so an escape sequence in the output can only come from a bag.
        start.Environment["TERM"] = "dumb";
        start.Environment["NO_COLOR"] = "1";
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "busctl.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task Should_exit_0_for_a_valid_tar_with_one_json_document()
    {
        var (code, stdout, _) = await BusctlAsync("bag", "validate", WriteTar(new TestBag()), "--json");
        Assert.Equal(0, code);
        using var json = JsonDocument.Parse(stdout);
        Assert.True(json.RootElement.GetProperty("valid").GetBoolean());
        Assert.Equal("test-bag", json.RootElement.GetProperty("bag").GetString());
        Assert.Equal("aptrust", json.RootElement.GetProperty("profile").GetString());
        Assert.Equal("17.2", json.RootElement.GetProperty("payloadOxum").GetString());
        Assert.Equal(2, json.RootElement.GetProperty("fileCount").GetInt32());
    }

    [Fact]
    public async Task Should_exit_1_listing_every_error_in_json()
    {
        var bag = new TestBag { Name = "bad-bag", Tamper = files => files["data/hello.txt"] = "tampered"u8.ToArray() };
        bag.Extra["data/stray.txt"] = [1];
        var (code, stdout, _) = await BusctlAsync("bag", "validate", WriteTar(bag), "--json");
        Assert.Equal(1, code);
        using var json = JsonDocument.Parse(stdout);
        Assert.False(json.RootElement.GetProperty("valid").GetBoolean());
        var codes = json.RootElement.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("code").GetString()).ToList();
        Assert.Contains("checksum.mismatch", codes);
        Assert.Contains("payload.unlisted-file", codes);
        Assert.Contains("oxum.mismatch", codes);
        Assert.All(json.RootElement.GetProperty("errors").EnumerateArray(), e => Assert.False(string.IsNullOrEmpty(e.GetProperty("message").GetString())));
    }

    [Fact]
    public async Task Should_list_the_first_100_errors_and_count_the_rest()
    {
        var bag = new TestBag { Name = "many-problems" };
        for (var i = 0; i < 250; i++) bag.Extra[$"data/unlisted-{i:D3}.txt"] = [1];
        var (code, stdout, _) = await BusctlAsync("bag", "validate", WriteTar(bag), "--json", "--profile", "bagit");
        Assert.Equal(1, code);
        using var json = JsonDocument.Parse(stdout);
        var errors = json.RootElement.GetProperty("errors").EnumerateArray().ToList();
        Assert.Equal(101, errors.Count);
        Assert.Equal("more-reasons", errors[^1].GetProperty("code").GetString());
        // 250 unlisted files in each of two manifests, and the Payload-Oxum.
        Assert.StartsWith("401 more", errors[^1].GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_print_warnings_on_stderr_and_honour_profile()
    {
        var bag = new TestBag { AptrustInfo = null };
        bag.Payload["data/A.txt"] = [1];
        bag.Payload["data/a.txt"] = [2];
        var tar = WriteTar(bag);
        var (code, stdout, stderr) = await BusctlAsync("bag", "validate", tar, "--profile", "bagit");
        Assert.Equal(0, code);
        Assert.Contains("path.case-collision", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("path.case-collision", stdout, StringComparison.Ordinal);
        Assert.Equal(1, (await BusctlAsync("bag", "validate", tar, "--profile", "aptrust")).ExitCode);
    }

    [Fact]
    public async Task Should_validate_a_folder()
    {
        var bagFolder = Path.Combine(_folder, "folder-bag");
        new TestBag { Name = "folder-bag" }.ToFolder(bagFolder);
        Assert.Equal(0, (await BusctlAsync("bag", "validate", bagFolder)).ExitCode);
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("junk")]
    [InlineData("badprofile")]
    public async Task Should_exit_2_for_usage_and_unreadable_input(string kind)
    {
        var path = Path.Combine(_folder, "input.tar");
        if (kind == "junk") File.WriteAllBytes(path, new byte[2048].Select((_, i) => (byte)(i * 7 + 1)).ToArray());
        if (kind == "badprofile") File.WriteAllBytes(path, new TestBag { Name = "input" }.ToTar());
        var args = kind == "badprofile" ? new[] { "bag", "validate", path, "--profile", "nope", "--json" } : new[] { "bag", "validate", path, "--json" };
        var (code, stdout, stderr) = await BusctlAsync(args);
        Assert.Equal(2, code);
        Assert.NotEmpty(stderr);
        if (kind != "badprofile") JsonDocument.Parse(stdout).Dispose();
    }

    [Fact]
    public async Task Should_exit_0_1_or_2_with_a_reason_for_damaged_tars()
    {
        var tar = new TestBag().ToTar();
        // Cases of the seeded fuzz that once escaped as exceptions or allocated gigabytes, and hand-made hostile headers.
        var damaged = new[] { 8, 56, 176, 254, 77 }.Select(n => TarDamage.Mutate(tar, n).Bytes)
            .Append([.. tar.AsSpan(0, tar.Length - 1024), .. TarDamage.Header("test-bag/data/x", 'x', 1_500_000_000), .. TarDamage.EndOfArchive])
            .Append([.. tar.AsSpan(0, tar.Length - 1024), .. TarDamage.Header("test-bag/data/s", 'S', 10), .. new byte[512], .. TarDamage.EndOfArchive])
            .Append(tar[..2600]);
        var outcomes = new List<string>();
        foreach (var bytes in damaged)
        {
            var path = Path.Combine(_folder, "test-bag.tar");
            await File.WriteAllBytesAsync(path, bytes);
            var (code, stdout, stderr) = await BusctlAsync("bag", "validate", path, "--json");
            Assert.DoesNotContain("Unhandled exception", stderr, StringComparison.Ordinal);
            using var json = JsonDocument.Parse(stdout);
            var reason = code switch
            {
                1 => json.RootElement.GetProperty("errors")[0].GetProperty("code").GetString(),
                2 => json.RootElement.GetProperty("code").GetString(),
                _ => null,
            };
            Assert.True(code is 1 or 2 && !string.IsNullOrEmpty(reason), $"exit {code}: {stdout} {stderr}");
            if (code == 2) Assert.Contains($"[{reason}]", stderr, StringComparison.Ordinal);
            outcomes.Add(reason!);
        }
        Assert.Contains("tar.header-too-large", outcomes);
        Assert.Contains("entry.unsupported-type", outcomes);
        Assert.Contains("tar.unreadable", outcomes);
    }

    [Fact]
    public async Task Should_print_bag_text_without_control_characters_or_escape_sequences()
    {
        var bag = new TestBag();
        // Not in the manifests: its path comes back in payload.unlisted-file's message and path.
        bag.Extra["data/evil\u001b[31mred\u001b]0;title\u0007\rsafe.txt"] = [1];
        var tar = WriteTar(bag);
        var (code, stdout, stderr) = await BusctlAsync("bag", "validate", tar, "--profile", "bagit");
        Assert.Equal(1, code);
        Assert.Contains("payload.unlisted-file", stdout, StringComparison.Ordinal);
        Assert.Contains("evil", stdout, StringComparison.Ordinal);
        foreach (var output in new[] { stdout, stderr })
        {
            Assert.DoesNotContain('\u001b', output);
            Assert.DoesNotContain('\r', output);
            Assert.DoesNotContain('\u0007', output);
            Assert.DoesNotContain("[31m", output, StringComparison.Ordinal);
        }

        // JSON keeps the exact text for scripts; the serializer writes the controls as \u escapes.
        var (_, json, _) = await BusctlAsync("bag", "validate", tar, "--profile", "bagit", "--json");
        Assert.DoesNotContain('\u001b', json);
        Assert.DoesNotContain('\r', json);
        using var document = JsonDocument.Parse(json);
        Assert.Contains(document.RootElement.GetProperty("errors").EnumerateArray(),
            e => e.GetProperty("path").GetString() == "data/evil\u001b[31mred\u001b]0;title\u0007\rsafe.txt");
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
