using Bus.Registry.Model;

namespace Bus.Registry.Store;

// Institutions and users (deletion's role checks).
public sealed partial class RegistryStore
{
    /// <summary>Creates the institution unless it exists. Returns true when this call created it.</summary>
    public async Task<bool> EnsureInstitutionAsync(string identifier, string name, CancellationToken cancellationToken = default)
    {
        if (Identifiers.InstitutionError(identifier) is { } error) throw new ArgumentException(error, nameof(identifier));
        await using var command = Command($"INSERT INTO {S}.institutions (identifier, name) VALUES (@id, @name) ON CONFLICT DO NOTHING");
        command.Parameters.AddWithValue("id", identifier);
        command.Parameters.AddWithValue("name", name);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<InstitutionRow?> FindInstitutionAsync(string identifier, CancellationToken cancellationToken = default) =>
        (await InstitutionsAsync("WHERE identifier = @id", identifier, cancellationToken)).SingleOrDefault();

    public Task<IReadOnlyList<InstitutionRow>> ListInstitutionsAsync(CancellationToken cancellationToken = default) =>
        InstitutionsAsync("", null, cancellationToken);

    private async Task<IReadOnlyList<InstitutionRow>> InstitutionsAsync(string where, string? id, CancellationToken cancellationToken)
    {
        await using var command = Command($"SELECT identifier, name, created_at FROM {S}.institutions {where} ORDER BY identifier");
        if (id is not null) command.Parameters.AddWithValue("id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<InstitutionRow>();
        while (await reader.ReadAsync(cancellationToken))
            rows.Add(new InstitutionRow(reader.GetString(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2)));
        return rows;
    }

    /// <summary>Adds a user. The email is stored lower-case; an existing email is left unchanged (Duplicate).</summary>
    public async Task<AddUserOutcome> AddUserAsync(string email, string institution, string role, CancellationToken cancellationToken = default)
    {
        email = email.ToLowerInvariant();
        if (Identifiers.EmailError(email) is { } error) throw new ArgumentException(error, nameof(email));
        if (!Roles.All.Contains(role)) throw new ArgumentException($"unknown role '{role}': expected one of {string.Join(", ", Roles.All)}", nameof(role));
        if (await FindInstitutionAsync(institution, cancellationToken) is null) return AddUserOutcome.UnknownInstitution;
        await using var command = Command($"INSERT INTO {S}.users (email, institution, role) VALUES (@email, @institution, @role) ON CONFLICT DO NOTHING");
        command.Parameters.AddWithValue("email", email);
        command.Parameters.AddWithValue("institution", institution);
        command.Parameters.AddWithValue("role", role);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1 ? AddUserOutcome.Added : AddUserOutcome.Duplicate;
    }

    public async Task<UserRow?> FindUserAsync(string email, CancellationToken cancellationToken = default) =>
        (await UsersAsync("WHERE email = @p", email.ToLowerInvariant(), cancellationToken)).SingleOrDefault();

    public Task<IReadOnlyList<UserRow>> ListUsersAsync(string? institution = null, CancellationToken cancellationToken = default) =>
        UsersAsync(institution is null ? "" : "WHERE institution = @p", institution, cancellationToken);

    /// <summary>True when <paramref name="email"/> is an institutional admin of <paramref name="institution"/> (deletion approval).</summary>
    public async Task<bool> IsInstitutionalAdminAsync(string email, string institution, CancellationToken cancellationToken = default) =>
        await FindUserAsync(email, cancellationToken) is { Role: Roles.InstitutionalAdmin } user && user.Institution == institution;

    private async Task<IReadOnlyList<UserRow>> UsersAsync(string where, string? parameter, CancellationToken cancellationToken)
    {
        await using var command = Command($"SELECT email, institution, role, created_at FROM {S}.users {where} ORDER BY institution, email");
        if (parameter is not null) command.Parameters.AddWithValue("p", parameter);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<UserRow>();
        while (await reader.ReadAsync(cancellationToken))
            rows.Add(new UserRow(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3)));
        return rows;
    }
}
