using Bus.BagIt.Parsing;
using Bus.BagIt.Scanning;

namespace Bus.BagIt.Profiles;

/// <summary>Which profile a bag is validated against, and why.</summary>
public sealed record ProfileSelection(BagProfile Profile, string Reason, BagIssue? Warning = null);

/// <summary>The profiles shipped in the assembly (Profiles/*.json) and the rule that picks one for a bag.</summary>
public static class BagProfiles
{
    public const string AptrustName = "aptrust";
    public const string BtrName = "btr";
    public const string BagItName = "bagit";

    private static readonly Lazy<IReadOnlyDictionary<string, BagProfile>> Builtin = new(() =>
        new[] { AptrustName, BtrName, BagItName }.ToDictionary(n => n, LoadEmbedded, StringComparer.OrdinalIgnoreCase));

    public static BagProfile Aptrust => Builtin.Value[AptrustName];
    public static BagProfile Btr => Builtin.Value[BtrName];
    public static BagProfile BagIt => Builtin.Value[BagItName];
    public static IReadOnlyCollection<string> Names => [AptrustName, BtrName, BagItName];

    public static BagProfile? Find(string name) => Builtin.Value.GetValueOrDefault(name);

    /// <summary>
    /// BTR when bag-info.txt's BagIt-Profile-Identifier names it, otherwise APTrust (the default;
    /// an identifier naming no shipped profile gets a warning).
    /// </summary>
    public static ProfileSelection Select(BagInventory inventory)
    {
        var identifier = inventory.ReadTags("bag-info.txt")?
            .FirstOrDefault(t => string.Equals(t.Label, "BagIt-Profile-Identifier", StringComparison.OrdinalIgnoreCase))?.Value;
        if (string.IsNullOrWhiteSpace(identifier))
            return new(Aptrust, "default (bag-info.txt names no BagIt-Profile-Identifier)");
        var match = Builtin.Value.Values.FirstOrDefault(p => SameIdentifier(p.Identifier, identifier));
        if (match is not null)
            return new(match, $"BagIt-Profile-Identifier {identifier}");
        return new(Aptrust, $"default (BagIt-Profile-Identifier {BagIssueList.Quote(identifier)} is not a shipped profile)",
            new BagIssue(BagIssueCodes.ProfileUnknownIdentifier, $"bag-info.txt names profile '{BagIssueList.Quote(identifier)}', which Bus does not ship; validated as {AptrustName}", "bag-info.txt"));
    }

    private static bool SameIdentifier(string a, string b) =>
        string.Equals(a.Trim().TrimEnd('/'), b.Trim().TrimEnd('/'), StringComparison.OrdinalIgnoreCase);

    private static BagProfile LoadEmbedded(string name)
    {
        var resource = $"Bus.BagIt.Profiles.{name}.json";
        using var stream = typeof(BagProfiles).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"profile resource {resource} is missing from the assembly");
        return BagProfile.Load(stream, resource);
    }
}
