using Bus.BagIt.Profiles;
using Bus.BagIt.Scanning;

namespace Bus.BagIt.Validation;

/// <summary>
/// RFC 8493 "complete" and "valid" plus a <see cref="BagProfile"/>, over a scanned
/// <see cref="BagInventory"/>. Runs every rule group and reports every problem found, up to
/// <see cref="BagIssueList.MaxKept"/> errors and as many warnings, each list then closed by one
/// <see cref="BagIssueCodes.MoreReasons"/> issue counting the rest.
/// </summary>
public static class BagValidator
{
    /// <summary>
    /// Validates against <paramref name="profile"/>, or the one the bag asks for (<see cref="BagProfiles.Select"/>).
    /// Reads tag files the scan left in the inventory's tag source back from it, manifests line by line.
    /// </summary>
    public static async Task<BagValidationResult> ValidateAsync(BagInventory inventory, BagProfile? profile = null, CancellationToken cancellationToken = default)
    {
        await inventory.LoadTagFilesAsync(cancellationToken);
        BagIssue? selectionWarning = null;
        if (profile is null)
        {
            var selection = BagProfiles.Select(inventory);
            (profile, selectionWarning) = (selection.Profile, selection.Warning);
        }
        var context = new ValidationContext(inventory, profile);
        if (selectionWarning is not null) context.Warnings.Add(selectionWarning);
        StructureRules.Check(context);
        DeclarationRules.Check(context);
        await ManifestRules.CheckAsync(context, cancellationToken);
        BagInfoRules.Check(context);
        ProfileRules.Check(context);
        return new BagValidationResult
        {
            BagName = inventory.BagName,
            Profile = profile.Name,
            ProfileIdentifier = profile.Identifier,
            BagItVersion = context.Version,
            PayloadFileCount = inventory.PayloadFileCount,
            PayloadBytes = inventory.PayloadBytes,
            PayloadOxum = inventory.PayloadOxum,
            DeclaredPayloadOxum = context.BagInfo?.First("Payload-Oxum"),
            ManifestAlgorithms = context.ManifestAlgorithms,
            TagManifestAlgorithms = context.TagManifestAlgorithms,
            Errors = context.Errors.Summarized(),
            Warnings = context.Warnings.Summarized(),
        };
    }

    /// <summary>
    /// <see cref="ValidateAsync"/> for an inventory whose tag files are all in memory (a local scan
    /// without a tag source), where it completes without waiting.
    /// </summary>
    public static BagValidationResult Validate(BagInventory inventory, BagProfile profile) =>
        ValidateAsync(inventory, profile).GetAwaiter().GetResult();

    /// <summary>Validates against the profile the bag asks for (<see cref="BagProfiles.Select"/>).</summary>
    public static BagValidationResult Validate(BagInventory inventory) =>
        ValidateAsync(inventory).GetAwaiter().GetResult();
}
