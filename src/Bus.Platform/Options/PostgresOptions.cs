using Npgsql;

namespace Bus.Platform.Options;

/// <summary>
/// Two database roles (docs/security.md): <see cref="ConnectionString"/> is the runtime role every host and
/// busctl command connects as (data only: no DDL, no CREATEROLE, owns nothing); <see cref="MigrationConnectionString"/>
/// is the owner role that only migrations use (<c>busctl db migrate</c>, <see cref="MigrateAtStartup"/>).
/// </summary>
public sealed class PostgresOptions : IBusOptions
{
    public const string Section = "Bus:Postgres";
    public string SectionName => Section;

    /// <summary>Schema for sagas and messaging state (outbox, inbox, schedule, transitions).</summary>
    public const string BusSchema = "bus";
    /// <summary>Schema for preserved content: institutions, objects, files, checksums, events.</summary>
    public const string RegistrySchema = "registry";

    public string ConnectionString { get; set; } =
        "Host=127.0.0.1;Port=5433;Database=bus;Username=bus;Password=bus;Maximum Pool Size=50";

    /// <summary>
    /// The schema owner's connection, for migrations only: they create schemas, tables and the
    /// bus_readonly role, then grant the runtime role (the user of <see cref="ConnectionString"/>) its data rights.
    /// </summary>
    public string MigrationConnectionString { get; set; } =
        "Host=127.0.0.1;Port=5433;Database=bus;Username=bus_owner;Password=bus-owner;Pooling=false";

    /// <summary>Apply pending migrations when the host starts (off by default: use <c>busctl db migrate</c>).</summary>
    public bool MigrateAtStartup { get; set; }

    /// <summary>The runtime role: the user of <see cref="ConnectionString"/>.</summary>
    public string RuntimeRole => new NpgsqlConnectionStringBuilder(ConnectionString).Username ?? "";

    public IEnumerable<OptionError> Validate()
    {
        var runtime = Parse(nameof(ConnectionString), ConnectionString, out var runtimeErrors);
        var owner = Parse(nameof(MigrationConnectionString), MigrationConnectionString, out var ownerErrors);
        foreach (var e in runtimeErrors.Concat(ownerErrors)) yield return e;
        if (runtime is null || owner is null) yield break;
        if (string.IsNullOrWhiteSpace(runtime.Username)) yield return new(nameof(ConnectionString), "must set Username (the runtime role)");
        if (string.IsNullOrWhiteSpace(owner.Username)) yield return new(nameof(MigrationConnectionString), "must set Username (the schema owner role)");
        else if (string.Equals(owner.Username, runtime.Username, StringComparison.Ordinal))
            yield return new(nameof(MigrationConnectionString),
                $"uses the runtime role '{owner.Username}' of ConnectionString: migrations run as the schema owner, hosts as a role that owns nothing (docs/security.md)");
        if (!string.Equals(owner.Database, runtime.Database, StringComparison.Ordinal))
            yield return new(nameof(MigrationConnectionString), $"names database '{owner.Database}', ConnectionString '{runtime.Database}': both must be the same database");
    }

    /// <summary>The Production checks of TLS: a non-loopback server reached in clear text is refused (<see cref="PostgresTls"/>).</summary>
    public IEnumerable<OptionError> ValidateProduction() =>
        PostgresTls.ClearTextProblems(nameof(ConnectionString), ConnectionString)
            .Concat(MigrateAtStartup ? PostgresTls.ClearTextProblems(nameof(MigrationConnectionString), MigrationConnectionString) : []);

    private static NpgsqlConnectionStringBuilder? Parse(string key, string connectionString, out List<OptionError> errors)
    {
        errors = [];
        NpgsqlConnectionStringBuilder b;
        try { b = new NpgsqlConnectionStringBuilder(connectionString); }
        catch (ArgumentException e) { errors.Add(new(key, $"is not a valid Npgsql connection string: {e.Message}")); return null; }
        if (string.IsNullOrWhiteSpace(b.Host)) errors.Add(new(key, "must set Host"));
        if (string.IsNullOrWhiteSpace(b.Database)) errors.Add(new(key, "must set Database"));
        errors.AddRange(PostgresTls.FileProblems(key, b));
        return b;
    }

    /// <summary>
    /// The runtime password always; the owner's only where this process migrates at start-up (a host that does
    /// not migrate needs no owner secret at all; <c>busctl db migrate</c> checks <see cref="MigrationSecrets"/> itself).
    /// </summary>
    public IEnumerable<(string Key, string? Value)> Secrets() =>
        MigrateAtStartup ? [RuntimeSecret(), .. MigrationSecrets()] : [RuntimeSecret()];

    public IEnumerable<(string Key, string? Value)> MigrationSecrets() => [(nameof(MigrationConnectionString) + " Password", PasswordOf(MigrationConnectionString))];

    private (string Key, string? Value) RuntimeSecret() => (nameof(ConnectionString) + " Password", PasswordOf(ConnectionString));

    private static string? PasswordOf(string connectionString)
    {
        try { return new NpgsqlConnectionStringBuilder(connectionString).Password; } catch (ArgumentException) { return null; }
    }

    public IEnumerable<string> Endpoints() => HostsOf(ConnectionString).Concat(HostsOf(MigrationConnectionString)).Distinct();

    internal static IEnumerable<string> HostsOf(string connectionString)
    {
        string? host = null;
        try { host = new NpgsqlConnectionStringBuilder(connectionString).Host; } catch (ArgumentException) { }
        return host is null ? [] : host.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(h => h.Split(':')[0]);
    }
}
