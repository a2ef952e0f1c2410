namespace Bus.BagIt;

/// <summary>
/// One problem found in a bag: a stable machine-readable <see cref="Code"/> (see <see cref="BagIssueCodes"/>),
/// a message for people, and the bag-relative path or tag it concerns when there is one.
/// </summary>
public sealed record BagIssue(string Code, string Message, string? Path = null);
