namespace Bus.BagIt.Validation;

/// <summary>Whether a path written in a manifest or fetch.txt stays inside the bag.</summary>
internal static class PathRules
{
    /// <summary>Null when safe, else the issue: absolute (/x, C:\x, \\server, ~user) or escaping with '..'.</summary>
    public static BagIssue? Unsafe(string path, string where)
    {
        if (path.StartsWith('/') || path.StartsWith('\\') || path.StartsWith('~') || (path.Length > 1 && path[1] == ':'))
            return new BagIssue(BagIssueCodes.PathAbsolute, $"{where} lists '{path}', an absolute path (or a home-directory shortcut) outside the bag", path);
        if (path.Split('/', '\\').Any(s => s == ".."))
            return new BagIssue(BagIssueCodes.PathTraversal, $"{where} lists '{path}', which uses '..' to reach outside its directory", path);
        return null;
    }
}
