namespace Bus.Tests.Deploy;

/// <summary>Files of the repository this test run was built from (found by walking up to Bus.sln).</summary>
public static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Bus.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no Bus.sln above {AppContext.BaseDirectory}");
    }
}
