using System.Diagnostics;
using System.Text.Json;
using Bus.Cli.Commands;
using Bus.Cli.Output;
using Xunit.Abstractions;

namespace Bus.Tests.BagIt;

/// <summary>Measures allocation process-wide, so nothing else may run beside it.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AloneCollection
{
    public const string Name = "runs alone";
}

/// <summary>
/// Seeded fuzzing of <c>busctl bag validate</c> (the same method the command runs): 500 mutations of
/// a valid bag tar (bit flips, truncations, header field damage, duplicated and reordered blocks, pax
/// records). Each must end in exit 0, 1 (with reason codes) or 2 (with the scan's reason code), in
/// seconds and within 100 MiB, never with an exception.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class When_a_damaged_tar_is_validated(ITestOutputHelper log) : IDisposable
{
    private const int Cases = 500;
    private static readonly TimeSpan MaxPerCase = TimeSpan.FromSeconds(3);
    private const long MaxAllocatedPerCase = 100L * 1024 * 1024;
    private readonly string _folder = Directory.CreateTempSubdirectory("bag-fuzz-").FullName;

    private static byte[] ValidTar()
    {
        var bag = new TestBag();
        bag.Payload["data/notes/a-longer-name-for-a-file-in-a-folder.txt"] = "some words\n"u8.ToArray();
        return bag.ToTar();
    }

    private async Task<(int Code, string Stdout, string Stderr)> ValidateAsync(byte[] tar)
    {
        // Named as the bag, so an undamaged tar is valid under the default profile.
        var path = Path.Combine(_folder, "test-bag.tar");
        await File.WriteAllBytesAsync(path, tar);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await BagCommands.ValidateAsync(path, null, new CliOutput(json: true, stdout, stderr), CancellationToken.None);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Should_reject_every_mutation_with_a_reason_quickly_and_in_bounded_memory()
    {
        var tar = ValidTar();
        Assert.Equal(0, (await ValidateAsync(tar)).Code);
        var problems = new List<string>();
        var outcomes = new Dictionary<string, int>();
        for (var n = 0; n < Cases; n++)
        {
            var (kind, bytes) = TarDamage.Mutate(tar, n);
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            var watch = Stopwatch.StartNew();
            (int Code, string Stdout, string Stderr) run;
            try
            {
                run = await ValidateAsync(bytes);
            }
            catch (Exception e)
            {
                problems.Add($"case {n} ({kind}): {e.GetType().Name} escaped: {e.Message}");
                continue;
            }
            watch.Stop();
            var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
            if (watch.Elapsed > MaxPerCase) problems.Add($"case {n} ({kind}): took {watch.Elapsed.TotalSeconds:F1} s");
            if (allocated > MaxAllocatedPerCase) problems.Add($"case {n} ({kind}): allocated {allocated / 1024 / 1024} MiB");
            var reason = Reason(run);
            if (reason is null) problems.Add($"case {n} ({kind}): exit {run.Code} without a reason: {run.Stdout} {run.Stderr}");
            else outcomes[$"{run.Code} {reason}"] = outcomes.GetValueOrDefault($"{run.Code} {reason}") + 1;
        }
        log.WriteLine(string.Join("\n", outcomes.OrderByDescending(o => o.Value).Select(o => $"{o.Value,4} exit {o.Key}")));
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        // The mutations reach past the first check: several kinds of outcome, not one.
        Assert.True(outcomes.Keys.Count(k => k.StartsWith("2 ", StringComparison.Ordinal)) >= 3, string.Join(", ", outcomes));
        Assert.Contains(outcomes.Keys, k => k.StartsWith("1 ", StringComparison.Ordinal));
    }

    /// <summary>The first reason code of a run: an error's for exit 1, the scan's for exit 2, "valid" for 0; null when missing.</summary>
    private static string? Reason((int Code, string Stdout, string Stderr) run)
    {
        using var json = JsonDocument.Parse(run.Stdout);
        var root = json.RootElement;
        return run.Code switch
        {
            0 when root.GetProperty("valid").GetBoolean() => "valid",
            1 => root.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("code").GetString()).FirstOrDefault(c => !string.IsNullOrEmpty(c)),
            2 when root.TryGetProperty("code", out var code) && run.Stderr.Contains($"[{code.GetString()}]", StringComparison.Ordinal) => code.GetString(),
            _ => null,
        };
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
