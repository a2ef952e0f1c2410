using System.Globalization;
using Bus.BagIt.Parsing;

namespace Bus.BagIt.Validation;

/// <summary>bag-info.txt (optional in RFC 8493): well-formed, and Payload-Oxum's VALUE matches the payload; fetch.txt paths stay in the bag.</summary>
internal static class BagInfoRules
{
    public const string FileName = "bag-info.txt";

    public static void Check(ValidationContext context)
    {
        var encoding = TextLines.ResolveEncoding(context.Declaration?.Encoding) ?? TextLines.Utf8;
        if (context.TagFileExists(FileName) && context.TagBytes(FileName) is { } bytes)
        {
            var bagInfo = TagFileParser.Parse(bytes, FileName, strictColon: context.Version == "1.0", encoding);
            context.BagInfo = bagInfo;
            context.Errors.AddRange(bagInfo.Errors);
            context.Warnings.AddRange(bagInfo.Warnings);
            CheckOxum(context, bagInfo);
        }
        if (context.TagFileExists(FetchFileParser.FileName) && context.TagBytes(FetchFileParser.FileName) is { } fetch)
        {
            var (lines, errors) = FetchFileParser.Parse(fetch, encoding);
            context.Errors.AddRange(errors);
            foreach (var line in lines)
            {
                if (PathRules.Unsafe(line.Path, FetchFileParser.FileName) is { } issue) context.Errors.Add(issue);
                else if (!line.Path.StartsWith("data/", StringComparison.Ordinal))
                    context.Error(BagIssueCodes.ManifestPathOutsideData, $"fetch.txt line {line.Line} names '{line.Path}', which is not under data/", line.Path);
            }
            context.Warn(BagIssueCodes.FetchPresent, $"the bag has fetch.txt ({lines.Count} entries); Bus never fetches, so listed files must already be in the bag", FetchFileParser.FileName);
        }
    }

    private static void CheckOxum(ValidationContext context, TagFile bagInfo)
    {
        var oxums = bagInfo.All("Payload-Oxum").ToList();
        if (oxums.Count == 0) return;
        if (oxums.Count > 1)
            context.Error(BagIssueCodes.OxumRepeated, $"bag-info.txt has {oxums.Count} Payload-Oxum tags", FileName);
        var value = oxums[0].Value;
        var dot = value.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0
            || !long.TryParse(value.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var octets)
            || !long.TryParse(value.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            context.Error(BagIssueCodes.OxumMalformed, $"Payload-Oxum '{BagIssueList.Quote(value)}' is not 'octets.count'", FileName);
            return;
        }
        var inventory = context.Inventory;
        if (octets != inventory.PayloadBytes || count != inventory.PayloadFileCount)
            context.Error(BagIssueCodes.OxumMismatch, $"Payload-Oxum says {octets} bytes in {count} files, the payload has {inventory.PayloadBytes} bytes in {inventory.PayloadFileCount} files ({inventory.PayloadOxum})", FileName);
    }
}
