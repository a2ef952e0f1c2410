using Bus.BagIt.Profiles;
using Bus.BagIt.Scanning;

namespace Bus.BagIt.Validation;

/// <summary>
/// RFC 8493 "complete" and "valid" plus a <see cref="BagProfile"/>, over a scanned
/// <see cref="BagInventory"/>. Runs every rule group and reports every problem found.
/// </summary>
public static class BagValidator
{
    public static BagValidationResult Validate(BagInventory inventory, BagProfile profile)
    {
        var context = new ValidationContext(inventory, profile);
        StructureRules.Check(context);
        DeclarationRules.Check(context);
        ManifestRules.Check(context);
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
            Errors = context.Errors,
            Warnings = context.Warnings,
        };
    }

    /// <summary>Validates against the profile the bag asks for (<see cref="BagProfiles.Select"/>).</summary>
    public static BagValidationResult Validate(BagInventory inventory)
    {
        var selection = BagProfiles.Select(inventory);
        var result = Validate(inventory, selection.Profile);
        return selection.Warning is null ? result : result with { Warnings = [selection.Warning, .. result.Warnings] };
    }
}
