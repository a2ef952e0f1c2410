namespace Bus.Benchmarks.Ingest;

/// <summary>
/// Ingest benchmark arguments: an optional size first, then any <c>NAME=VALUE</c> given to the host's
/// environment, for comparing a setting without editing code, e.g.
/// <c>ingest-many 10000 Bus__Ingest__StepConcurrency=8 DOTNET_gcServer=0</c>.
/// </summary>
public static class HostArgs
{
    public static (int? Size, Dictionary<string, string> Environment) Parse(string[] args)
    {
        var environment = args.Where(a => a.Contains('=', StringComparison.Ordinal))
            .Select(a => a.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        var size = args.FirstOrDefault(a => !a.Contains('=', StringComparison.Ordinal)) is { } s ? int.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : (int?)null;
        return (size, environment);
    }

    /// <summary>A line for the report naming the settings that differ from the defaults, if any.</summary>
    public static string Describe(Dictionary<string, string> environment) =>
        environment.Count == 0 ? "defaults" : string.Join(", ", environment.Select(e => $"`{e.Key}={e.Value}`"));
}
