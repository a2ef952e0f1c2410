using Bus.BagIt.Parsing;

namespace Bus.BagIt.Validation;

/// <summary>bagit.txt: present, two lines, known version, no BOM, no whitespace before the colon in 1.0.</summary>
internal static class DeclarationRules
{
    public static void Check(ValidationContext context)
    {
        if (!context.TagFileExists(BagItDeclaration.FileName))
        {
            context.Error(BagIssueCodes.BagItMissing, "the bag has no bagit.txt", BagItDeclaration.FileName);
            return;
        }
        var bytes = context.TagBytes(BagItDeclaration.FileName);
        if (bytes is null) return;
        var declaration = BagItDeclaration.Parse(bytes);
        context.Declaration = declaration;
        context.Errors.AddRange(declaration.Errors);
        context.Warnings.AddRange(declaration.Warnings);
        if (declaration.Encoding is null)
        {
            if (!declaration.Errors.Any(e => e.Code == BagIssueCodes.BagItMalformedLine))
                context.Error(BagIssueCodes.BagItMalformedLine, "bagit.txt has no Tag-File-Character-Encoding line", BagItDeclaration.FileName);
        }
        else if (TextLines.ResolveEncoding(declaration.Encoding) is null)
        {
            context.Error(BagIssueCodes.BagItMalformedLine, $"bagit.txt names an unknown Tag-File-Character-Encoding '{BagIssueList.Quote(declaration.Encoding)}'", BagItDeclaration.FileName);
        }
    }
}
