using Bus.Platform.Database;
using Bus.Platform.Options;
using Bus.Registry.Store;
using Bus.Registry.Tokens;

namespace Bus.IntegrationTests.Support;

/// <summary>
/// The one way integration tests get someone busctl can act as through the API: an institution, a
/// registry user of it with a role, and a personal token, written to the shared registry in process
/// (what 'busctl institutions add', 'users add' and 'users token create' do, without three processes).
/// </summary>
public static class ApiIdentities
{
    private static readonly RegistryDatabase Registry = new(BusDataSource.Create(new PostgresOptions().ConnectionString), ownsDataSource: true);

    /// <summary>Ensures the institution and the user exist (an existing user keeps its role) and returns a new 90-day token.</summary>
    public static async Task<string> UserWithTokenAsync(string institution, string email, string role, TimeSpan? lifetime = null) =>
        await Registry.InTransactionAsync(async store =>
        {
            await store.EnsureInstitutionAsync(institution, "Bus test " + institution);
            await store.AddUserAsync(email, institution, role);
            ApiTokens.NewToken made;
            do made = ApiTokens.Create();
            while (!await store.AddTokenAsync(made.Prefix, made.Sha256, email, DateTimeOffset.UtcNow + (lifetime ?? TimeSpan.FromDays(90))));
            return made.Token;
        });

    /// <summary>busctl's environment for acting as the token's user against the API at <paramref name="apiUrl"/>.</summary>
    public static Dictionary<string, string> Environment(IDictionary<string, string> baseEnvironment, Uri apiUrl, string token) =>
        new(baseEnvironment) { ["BUS_API_URL"] = apiUrl.ToString(), ["BUS_TOKEN"] = token };
}
