using Npgsql;

namespace Bus.Platform.Options;

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

    /// <summary>Apply pending migrations when the host starts (off by default: use <c>busctl db migrate</c>).</summary>
    public bool MigrateAtStartup { get; set; }

    public IEnumerable<OptionError> Validate()
    {
        NpgsqlConnectionStringBuilder? b = null;
        string? error = null;
        try { b = new NpgsqlConnectionStringBuilder(ConnectionString); }
        catch (ArgumentException e) { error = e.Message; }
        if (error is not null) { yield return new(nameof(ConnectionString), $"is not a valid Npgsql connection string: {error}"); yield break; }
        if (string.IsNullOrWhiteSpace(b!.Host)) yield return new(nameof(ConnectionString), "must set Host");
        if (string.IsNullOrWhiteSpace(b.Database)) yield return new(nameof(ConnectionString), "must set Database");
    }

    public IEnumerable<(string Key, string? Value)> Secrets()
    {
        string? password = null;
        try { password = new NpgsqlConnectionStringBuilder(ConnectionString).Password; } catch (ArgumentException) { }
        return [(nameof(ConnectionString) + " Password", password)];
    }

    public IEnumerable<string> Endpoints()
    {
        string? host = null;
        try { host = new NpgsqlConnectionStringBuilder(ConnectionString).Host; } catch (ArgumentException) { }
        return host is null ? [] : host.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(h => h.Split(':')[0]);
    }
}
