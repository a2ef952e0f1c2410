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

        WarnOnLookAlikes(context);
    }

    /// <summary>Names equal but for case or Unicode normalisation collide on some file systems (macOS, Windows).</summary>
    private static void WarnOnLookAlikes(ValidationContext context)
    {
        var paths = context.Inventory.Files.Select(f => f.Path).ToList();
        foreach (var group in paths.GroupBy(p => p.ToUpperInvariant(), StringComparer.Ordinal).Where(g => g.Count() > 1))
            context.Warn(BagIssueCodes.PathCaseCollision, $"these paths differ only by case: {string.Join(", ", group.Select(p => $"'{p}'"))}", group.First());

        var nonAscii = paths.Where(p => !Ascii.IsValid(p)).ToList();
        if (nonAscii.Count == 0) return;
        if (!LookAlikes.NormalizationWorks)
        {
            context.Warn(BagIssueCodes.PathNormalizationUnchecked, "paths with non-ASCII names were not checked for Unicode normalisation look-alikes: this process runs in invariant globalization mode (no ICU)");
            return;
        }
        foreach (var group in nonAscii.Concat(paths.Where(p => Ascii.IsValid(p)))
                     .GroupBy(p => p.Normalize(NormalizationForm.FormC), StringComparer.Ordinal).Where(g => g.Count() > 1))
            context.Warn(BagIssueCodes.PathNormalizationCollision, $"these paths differ only by Unicode normalisation: {string.Join(", ", group.Select(p => $"'{p}'"))}", group.First());
    }
}
