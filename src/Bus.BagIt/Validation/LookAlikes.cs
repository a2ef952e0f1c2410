using System.Text;

namespace Bus.BagIt.Validation;

internal static class LookAlikes
{
    // With InvariantGlobalization .NET returns strings unnormalised instead of throwing, so the
    // check is only meaningful where ICU is loaded (busctl and the tests turn invariant mode off).
    public static readonly bool NormalizationWorks = "e\u0301".Normalize(NormalizationForm.FormC).Length == 1;

    /// <summary>Case folding for collisions: upper-case invariant, as Windows compares names (macOS folds the same letters).</summary>
    public static string Fold(string path) => path.ToUpperInvariant();
}
