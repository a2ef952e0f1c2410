namespace Bus.Host.Roles;

public static class RoleSelection
{
    public static IEnumerable<string> Parse(string? roles) =>
        (roles ?? "all").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(r => r.ToLowerInvariant()).Distinct();

    public static IEnumerable<string> Unknown(string? roles) =>
        Parse(roles).Where(r => r != "all" && !RoleCatalog.Names.Contains(r));

    public static IReadOnlyList<HostRole> Select(string? roles)
    {
        var names = Parse(roles).ToList();
        return names.Count == 0 || names.Contains("all")
            ? RoleCatalog.All
            : RoleCatalog.All.Where(r => names.Contains(r.Name)).ToList();
    }
}
