namespace Bus.IntegrationTests.Registry;

public sealed class BusctlInstitutionsAndUsers
{
    [Fact]
    public async Task Add_and_list_with_exit_codes_and_json()
    {
        await RegistryTestDatabase.EnsureMigratedAsync();
        var id = $"c{Guid.NewGuid():N}"[..13] + ".test.edu";
        await using var cleanup = new Cleanup(id);

        var added = await Busctl.RunAsync("institutions", "add", id, "--name", "CLI test", "--json", "--no-broker-user");
        Assert.Equal(0, added.ExitCode);
        Assert.Equal(id, added.Json.GetProperty("institution").GetProperty("identifier").GetString());

        var duplicate = await Busctl.RunAsync("institutions", "add", id, "--name", "again", "--json");
        Assert.Equal(1, duplicate.ExitCode);
        Assert.Contains("already exists", duplicate.Json.GetProperty("error").GetString());

        var badId = await Busctl.RunAsync("institutions", "add", "Not_A_Domain", "--name", "x");
        Assert.Equal(2, badId.ExitCode);
        Assert.Contains("invalid institution identifier", badId.Stderr);

        var list = await Busctl.RunAsync("institutions", "list", "--json");
        Assert.Equal(0, list.ExitCode);
        Assert.Contains(list.Json.GetProperty("institutions").EnumerateArray(), i => i.GetProperty("identifier").GetString() == id);

        var badRole = await Busctl.RunAsync("users", "add", $"a@{id}", "--institution", id, "--role", "superuser");
        Assert.Equal(2, badRole.ExitCode);
        Assert.Contains("unknown role 'superuser'", badRole.Stderr);

        var noInstitution = await Busctl.RunAsync("users", "add", $"a@{id}", "--institution", "missing-" + id, "--role", "depositor");
        Assert.Equal(2, noInstitution.ExitCode);
        Assert.Contains("does not exist", noInstitution.Stderr);

        var user = await Busctl.RunAsync("users", "add", $"Admin@{id}", "--institution", id, "--role", "institutional_admin", "--json");
        Assert.Equal(0, user.ExitCode);
        Assert.Equal($"admin@{id}", user.Json.GetProperty("user").GetProperty("email").GetString());

        var userAgain = await Busctl.RunAsync("users", "add", $"admin@{id}", "--institution", id, "--role", "depositor");
        Assert.Equal(1, userAgain.ExitCode);

        var users = await Busctl.RunAsync("users", "list", "--institution", id, "--json");
        Assert.Equal(0, users.ExitCode);
        var only = Assert.Single(users.Json.GetProperty("users").EnumerateArray());
        Assert.Equal("institutional_admin", only.GetProperty("role").GetString());
    }

    private sealed class Cleanup(string institution) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await using var connection = await RegistryTestDatabase.OpenAsync();
            await RegistryTestDatabase.ScalarAsync(connection,
                "DELETE FROM registry.users WHERE institution = @i; DELETE FROM registry.institutions WHERE identifier = @i", ("i", institution));
        }
    }
}
