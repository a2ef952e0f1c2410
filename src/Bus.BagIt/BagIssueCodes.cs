namespace Bus.BagIt;

/// <summary>
/// Every code a <see cref="BagIssue"/> can carry. They are part of the public contract (CLI JSON,
/// ingest rejection reasons): add new ones, never rename.
/// </summary>
public static class BagIssueCodes
{
    // Serialization and entries (found while scanning).
    public const string TarUnreadable = "tar.unreadable";
    public const string TarTruncated = "tar.truncated";
    public const string TarHeaderTooLarge = "tar.header-too-large";
    public const string TarNoBagFolder = "tar.no-bag-folder";
    public const string TarMultipleTopLevel = "tar.multiple-top-level";
    public const string TarEntryOutsideBagFolder = "tar.entry-outside-bag-folder";
    public const string TarNameMismatch = "tar.name-mismatch";
    public const string DuplicateEntry = "entry.duplicate";
    public const string EntryLink = "entry.link";
    public const string EntryDevice = "entry.device";
    public const string EntryUnsupported = "entry.unsupported-type";
    public const string PathTraversal = "path.traversal";
    public const string PathAbsolute = "path.absolute";
    public const string PathCaseCollision = "path.case-collision";
    public const string PathNormalizationCollision = "path.normalization-collision";
    public const string PathFileFolderCollision = "path.file-folder-collision";
    public const string PathNormalizationUnchecked = "path.normalization-unchecked";
    public const string PathControlCharacter = "path.control-character";
    /// <summary>A root-level tag file Bus parses whole (<see cref="Scanning.ParsedTagFiles"/>) beyond <see cref="Scanning.BagScanOptions.MaxTagFileBytes"/>: refused, its bytes not kept.</summary>
    public const string TagTooLarge = "tag.too-large";

    /// <summary>
    /// Closes a list that left issues out (<see cref="BagIssueList"/>): the message starts with how many.
    /// Ingest uses the same code for a rejection's reasons beyond the first 100.
    /// </summary>
    public const string MoreReasons = "more-reasons";

    // bagit.txt
    public const string BagItMissing = "bagit.missing";
    public const string BagItByteOrderMark = "bagit.byte-order-mark";
    public const string BagItEncoding = "bagit.invalid-utf8";
    public const string BagItLineCount = "bagit.line-count";
    public const string BagItMalformedLine = "bagit.malformed-line";
    public const string BagItWhitespaceBeforeColon = "bagit.whitespace-before-colon";
    public const string BagItVersionUnsupported = "bagit.version-unsupported";

    // Payload and manifests.
    public const string PayloadMissingDataDirectory = "payload.missing-data-directory";
    public const string PayloadUnlistedFile = "payload.unlisted-file";
    public const string ManifestNone = "manifest.none";
    public const string ManifestMalformedLine = "manifest.malformed-line";
    public const string ManifestMalformedChecksum = "manifest.malformed-checksum";
    public const string ManifestDuplicatePath = "manifest.duplicate-path";
    public const string ManifestMissingFile = "manifest.missing-file";
    public const string ManifestPathOutsideData = "manifest.path-outside-data";
    public const string ManifestAlgorithmUnchecked = "manifest.algorithm-unchecked";
    public const string ManifestLegacyPathSyntax = "manifest.legacy-path-syntax";
    public const string ManifestByteOrderMark = "manifest.byte-order-mark";
    public const string ManifestInvalidUtf8 = "manifest.invalid-utf8";
    public const string ChecksumMismatch = "checksum.mismatch";
    public const string TagManifestMissingFile = "tagmanifest.missing-file";
    public const string TagManifestListsPayload = "tagmanifest.lists-payload";

    // bag-info.txt and other tag files.
    public const string TagMalformedLine = "tag.malformed-line";
    public const string TagWhitespaceBeforeColon = "tag.whitespace-before-colon";
    public const string TagInvalidUtf8 = "tag.invalid-utf8";
    public const string OxumMalformed = "oxum.malformed";
    public const string OxumMismatch = "oxum.mismatch";
    public const string OxumRepeated = "oxum.repeated";
    public const string FetchPresent = "fetch.present";

    // Profile.
    public const string ProfileBagItVersion = "profile.bagit-version";
    public const string ProfileEncoding = "profile.tag-file-encoding";
    public const string ProfileManifestRequired = "profile.manifest-required";
    public const string ProfileManifestNotAllowed = "profile.manifest-not-allowed";
    public const string ProfileTagManifestRequired = "profile.tagmanifest-required";
    public const string ProfileTagManifestNotAllowed = "profile.tagmanifest-not-allowed";
    public const string ProfileFetchNotAllowed = "profile.fetch-not-allowed";
    public const string ProfileSerialization = "profile.serialization";
    public const string ProfileTagFileMissing = "profile.tag-file-missing";
    public const string ProfileTagMissing = "profile.tag-missing";
    public const string ProfileTagValueNotAllowed = "profile.tag-value-not-allowed";
    public const string ProfileTagRepeated = "profile.tag-repeated";
    public const string ProfileUnknownIdentifier = "profile.unknown-identifier";
}
