using Bus.BagIt.Profiles;
using Bus.BagIt.Scanning;
using Bus.BagIt.Validation;
using Bus.Restore.Steps;

namespace Bus.Restore.SpotTests;

/// <summary>
/// What a spot test checks in a restored tar: what <c>busctl bag validate</c> checks (the same scan and validator,
/// in the object's recorded profile), and then that the bag holds exactly the object's registered files, each with
/// every digest the registry recorded at ingest. Reading is forward only (an S3 GET body), nothing on disk.
/// </summary>
public static class RestoredBagCheck
{
    /// <summary>Problems listed in a reason before the rest are only counted: a reason stays one readable line.</summary>
    public const int MaxListed = 10;

    /// <summary>Null when the bag passes; else why not.</summary>
    public static async Task<string?> CheckAsync(Stream tar, long? length, SpotTestObject obj, IReadOnlyList<ExpectedFile> expected, CancellationToken ct)
    {
        BagInventory inventory;
        try
        {
            inventory = await TarBagScanner.ScanAsync(tar, null, new BagScanOptions { ExpectedBagName = obj.BagName, SourceLength = length }, ct);
        }
        catch (BagScanException e)
        {
            return $"the restored tar cannot be read as a bag: {e.Message} [{e.Code}]";
        }
        var validation = await BagValidator.ValidateAsync(inventory, obj.Profile is null ? null : BagProfiles.Find(obj.Profile), ct);
        if (!validation.IsValid)
            return Summarise("the restored bag is invalid", validation.Errors.Select(e => $"{e.Code}: {e.Message}").ToList());
        var differences = Compare(inventory.Files, expected);
        return differences.Count == 0 ? null : Summarise("the restored bag differs from the registry", differences);
    }

    /// <summary>
    /// Every registered file must be in the bag with each of its registered digests; the bag may hold nothing else
    /// but the PREMIS events file the restore adds.
    /// </summary>
    public static IReadOnlyList<string> Compare(IReadOnlyList<BagFile> restored, IReadOnlyList<ExpectedFile> expected)
    {
        var problems = new List<string>();
        var byPath = new Dictionary<string, BagFile>(StringComparer.Ordinal);
        foreach (var f in restored) byPath.TryAdd(f.Path, f);
        foreach (var e in expected)
        {
            if (!byPath.Remove(e.Path, out var file))
            {
                problems.Add($"'{e.Path}' is registered but not in the restored bag");
                continue;
            }
            if (!e.Digests.ContainsKey("sha256")) problems.Add($"'{e.Path}' has no ingest sha256 in the registry to compare with");
            foreach (var (name, digest) in e.Digests.OrderBy(d => d.Key, StringComparer.Ordinal))
            {
                if (!DigestAlgorithms.TryParse(name, out var algorithm)) continue;
                if (!file.Digests.Matches(algorithm, digest))
                    problems.Add($"'{e.Path}' {name} {file.Digests.Hex(algorithm)} is not the registry's {digest}");
            }
        }
        foreach (var extra in byPath.Keys.Where(p => p != RestoreKeys.PremisEventsFile).Order(StringComparer.Ordinal))
            problems.Add($"'{extra}' is in the restored bag but not registered");
        return problems;
    }

    private static string Summarise(string what, IReadOnlyList<string> problems)
    {
        var listed = string.Join("; ", problems.Take(MaxListed));
        var rest = problems.Count > MaxListed ? $"; and {problems.Count - MaxListed} more" : "";
        var text = $"{what}: {listed}{rest}";
        // A reason is a row column and an alert message: bounded whatever the bag's paths.
        return text.Length <= 4000 ? text : text[..4000] + "...";
    }
}
