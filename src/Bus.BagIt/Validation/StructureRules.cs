using System.Text;
using Bus.BagIt.Scanning;

namespace Bus.BagIt.Validation;

/// <summary>Serialization and entries: scan findings, tar folder name, data/ present, colliding names.</summary>
internal static class StructureRules
{
    public static void Check(ValidationContext context)
    {
        var inventory = context.Inventory;
        context.Errors.AddRange(inventory.Findings);

        if (inventory.Source == BagSource.Tar && context.Profile.TarDirMustMatchName && inventory.ExpectedBagName is { } expected
            && inventory.BagName is { } actual && actual != expected)
            context.Error(BagIssueCodes.TarNameMismatch, $"the tar's top-level folder is '{actual}' but the bag is named '{expected}' (from the tar's name); they must match", actual);

        if (!inventory.HasDirectory("data"))
            context.Error(BagIssueCodes.PayloadMissingDataDirectory, "the bag has no data/ payload directory", "data");

        CheckCollisions(context);
    }

    /// <summary>
    /// Paths that name the same file on some file systems: equal after Unicode NFC (macOS), after case
    /// folding (macOS, Windows), or a file that is also a folder of another file (<c>x</c> beside
    /// <c>x/y</c>, which no file system can hold). Extracted, one file would replace or hide another.
    /// Errors under profiles with <see cref="Profiles.BagProfile.RejectPathCollisions"/>, warnings otherwise.
    /// </summary>
    private static void CheckCollisions(ValidationContext context)
    {
        void Report(string code, string message, string path)
        {
            if (context.Profile.RejectPathCollisions) context.Error(code, message, path);
            else context.Warn(code, message, path);
        }

        var paths = context.Inventory.Files.Select(f => f.Path).ToList();
        var normalizes = LookAlikes.NormalizationWorks;
        if (!normalizes && paths.Any(p => !Ascii.IsValid(p)))
            context.Warn(BagIssueCodes.PathNormalizationUnchecked, "paths with non-ASCII names were not checked for Unicode normalisation look-alikes: this process runs in invariant globalization mode (no ICU)");
        string Nfc(string p) => normalizes && !Ascii.IsValid(p) ? p.Normalize(NormalizationForm.FormC) : p;

        foreach (var group in paths.GroupBy(Nfc, StringComparer.Ordinal).Where(g => g.Count() > 1))
            Report(BagIssueCodes.PathNormalizationCollision, $"these paths differ only by Unicode normalisation: {string.Join(", ", group.Select(p => $"'{p}'"))}", group.First());
        foreach (var group in paths.GroupBy(p => LookAlikes.Fold(Nfc(p)), StringComparer.Ordinal)
                     .Where(g => g.Select(Nfc).Distinct(StringComparer.Ordinal).Count() > 1))
            Report(BagIssueCodes.PathCaseCollision, $"these paths differ only by case: {string.Join(", ", group.Select(p => $"'{p}'"))}", group.First());

        // A file whose path (folded) is a folder of another file or a folder entry of the tar.
        var folders = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var folder in paths.SelectMany(Parents).Concat(context.Inventory.OtherEntries.Where(e => e.Kind == BagEntryKind.Directory).Select(e => e.Path)))
            folders.TryAdd(LookAlikes.Fold(Nfc(folder)), folder);
        foreach (var file in paths)
            if (folders.TryGetValue(LookAlikes.Fold(Nfc(file)), out var folder))
                Report(BagIssueCodes.PathFileFolderCollision, $"'{file}' is a file, and '{folder}' is a folder{(file == folder ? "" : " (the same name after case folding or Unicode normalisation)")} of other entries", file);
    }

    private static IEnumerable<string> Parents(string path)
    {
        for (var i = path.IndexOf('/', StringComparison.Ordinal); i > 0; i = path.IndexOf('/', i + 1))
            yield return path[..i];
    }
}
