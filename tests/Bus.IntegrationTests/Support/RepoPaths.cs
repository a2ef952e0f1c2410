namespace Bus.IntegrationTests.Support;

/// <summary>Where the published executables are: the tests drive the same binaries `make build` leaves in bin/.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string BusHost => Published("host", "bus-host");
    public static string Busctl => Published("cli", "busctl");

    private static string Published(string folder, string name)
    {
        var path = Path.Combine(Root, "artifacts", "publish", folder, name);
        return File.Exists(path) ? path : throw new InvalidOperationException($"{path} not found: run 'make build' first");
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Bus.sln"))) return dir.FullName;
        throw new InvalidOperationException("Bus.sln not found above " + AppContext.BaseDirectory);
    }
}
