using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Bus.IntegrationTests.Ingest;

namespace Bus.IntegrationTests.Api;

[CollectionDefinition(Collection)]
public sealed class ApiCollection : ICollectionFixture<ApiStack>
{
    public const string Collection = "api";
}

/// <summary>
/// One host with roles api, ingest, deletion and scheduler in a vhost of its own, shared by the API
/// scenarios: two institutions (own and other), a user of each role in the own institution and an
/// admin and depositor in the other, each with a token; one bag ingested through the API in each
/// institution, one pending deletion request, one open alert and one fixity check (left in flight: no
/// fixity role) in each. JWT bearer is on with a key made here. busctl runs as any of the users.
/// </summary>
public sealed class ApiStack : IAsyncLifetime
{
    public const string Audience = "bus-api-test";
    public const string Issuer = "https://idp.test.invalid";
    public const long MaxUploadBytes = 16L * 1024 * 1024;

    private readonly string _folder = Directory.CreateTempSubdirectory("bus-api-test-").FullName;

    public IngestStack Stack { get; private set; } = null!;
    public RSA JwtKey { get; } = RSA.Create(2048);
    public HttpClient Http { get; private set; } = null!;
    public string Own => Stack.Institution;
    public string Other { get; } = $"o{Guid.NewGuid():N}"[..13] + ".test.edu";

    /// <summary>Tokens by (institution, role): own has every role, other an admin and a depositor.</summary>
    public Dictionary<(string Institution, string Role), (string Email, string Token)> Users { get; } = new();
    public Dictionary<string, Guid> Ingest { get; } = new();
    public Dictionary<string, string> Objects { get; } = new();
    public Dictionary<string, Guid> Deletion { get; } = new();
    public Dictionary<string, Guid> Alert { get; } = new();
    public Dictionary<string, Guid> FixityCheck { get; } = new();
    /// <summary>The own institution's ingest, submitted as a streamed body through the API.</summary>
    public JsonElement CompletedIngest { get; private set; }

    public async Task InitializeAsync()
    {
        var keyFile = Path.Combine(_folder, "jwt-public.pem");
        await File.WriteAllTextAsync(keyFile, JwtKey.ExportSubjectPublicKeyInfoPem());
        Stack = await IngestStack.StartAsync(new Dictionary<string, string>
        {
            ["Bus__Api__Jwt__SigningKeyFile"] = keyFile,
            ["Bus__Api__Jwt__Issuer"] = Issuer,
            ["Bus__Api__Jwt__Audience"] = Audience,
            // Small parts so the fixture's bag goes through the multipart path too.
            ["Bus__Api__UploadPartBytes"] = (5 * 1024 * 1024).ToString(),
            // Limits small enough to pass cheaply (the fixture's tar is about 6 MiB).
            ["Bus__Api__MaxUploadBytes"] = MaxUploadBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Bus__Api__MaxConcurrentUploads"] = "1",
        }, startHost: false, roles: "api,ingest,deletion,scheduler");
        await Stack.BusctlOkAsync("institutions", "add", Other, "--name", "Other test institution");
        foreach (var (institution, role) in new[]
                 {
                     (Own, "depositor"), (Own, "institutional_admin"), (Own, "operator"), (Other, "depositor"), (Other, "institutional_admin"),
                 })
            Users[(institution, role)] = await AddUserWithTokenAsync(institution, role);
        await Stack.StartHostAsync();
        // A request with Expect: 100-continue sends its body only when the server asks for it: never after a timeout
        // (1 s by default, soon passed on a busy machine), or a body would follow a refusal the server made on the headers.
        Http = new HttpClient(new SocketsHttpHandler { Expect100ContinueTimeout = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = Stack.Host!.HealthUrl, Timeout = TimeSpan.FromMinutes(5),
        };

        foreach (var institution in new[] { Own, Other })
        {
            var bag = new TestBag("api-" + Guid.NewGuid().ToString("N")[..8]);
            // Padding makes the tar span several 5 MiB parts: the upload is multipart.
            if (institution == Own) bag.ManifestPaddingLines = 6 * 1024 * 1024;
            var tar = bag.WriteTar(_folder);
            await using var file = File.OpenRead(tar);
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/ingests?name={Path.GetFileName(tar)}") { Content = new StreamContent(file) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-tar");
            using var response = await SendAsync(request, Users[(institution, "depositor")].Token);
            Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"upload: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("ingestId").GetGuid();
            Assert.Equal($"/api/v1/ingests/{id}", response.Headers.Location?.ToString());
            Ingest[institution] = id;
            Objects[institution] = $"{institution}/{bag.Name}";
        }
        foreach (var institution in new[] { Own, Other })
        {
            await Stack.WaitForStateAsync(Ingest[institution], "Completed");
            using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/v1/deletions")
            {
                Content = JsonContent.Create(new { identifier = Objects[institution], reason = "api test fixture" }),
            }, Users[(institution, "institutional_admin")].Token);
            Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"deletion request: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            Deletion[institution] = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("requestId").GetGuid();
        }
        foreach (var institution in new[] { Own, Other })
        {
            Alert[institution] = await RaiseAlertAsync(institution);
            using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/v1/fixity-checks")
            {
                Content = JsonContent.Create(new { identifier = Objects[institution] }),
            }, Users[(institution, "institutional_admin")].Token);
            Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"fixity check: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            FixityCheck[institution] = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("checks")[0].GetProperty("checkId").GetGuid();
        }
        using var completed = await SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/api/v1/ingests/{Ingest[Own]}"), Users[(Own, "depositor")].Token);
        CompletedIngest = (await completed.Content.ReadFromJsonAsync<JsonElement>()).Clone();
    }

    /// <summary>An open alert about the institution's fixture object (as fixity raises one for a lost copy).</summary>
    public async Task<Guid> RaiseAlertAsync(string institution)
    {
        var id = Guid.NewGuid();
        await Stack.ExecuteAsync("INSERT INTO registry.alerts (id, kind, identifier, message) VALUES (@id, 'lost', @identifier, 'api test alert')",
            ("id", id), ("identifier", Objects[institution]));
        return id;
    }

    /// <summary>busctl --json as the user with this token, against this stack's API.</summary>
    public Task<Support.ExternalProcess> BusctlAsAsync(string token, params string[] args) => Stack.BusctlAsAsync(token, [.. args, "--json"]);

    public async Task<(string Email, string Token)> AddUserWithTokenAsync(string institution, string role, string expires = "90d")
    {
        var email = $"{role.Replace('_', '-')}-{Guid.NewGuid():N}"[..24] + $"@{institution}";
        await Stack.BusctlOkAsync("users", "add", email, "--institution", institution, "--role", role);
        return (email, await CreateTokenAsync(email, expires));
    }

    public async Task<string> CreateTokenAsync(string email, string expires = "90d")
    {
        var p = await Stack.BusctlOkAsync("users", "token", "create", email, "--expires", expires, "--json");
        return JsonDocument.Parse(p.Stdout).RootElement.GetProperty("token").GetString()!;
    }

    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, string? bearer)
    {
        if (bearer is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return Http.SendAsync(request);
    }

    /// <summary>An RS256 JWT signed with <paramref name="key"/> (the configured key unless given).</summary>
    public string Jwt(object claims, RSA? key = null)
    {
        static string B64(byte[] b) => Convert.ToBase64String(b).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var header = B64(JsonSerializer.SerializeToUtf8Bytes(new { alg = "RS256", typ = "JWT" }));
        var payload = B64(JsonSerializer.SerializeToUtf8Bytes(claims));
        var signature = (key ?? JwtKey).SignData(Encoding.ASCII.GetBytes($"{header}.{payload}"), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{header}.{payload}.{B64(signature)}";
    }

    /// <summary>Waits until every ingest of both institutions has stopped moving (ended or parked), so a fingerprint is stable.</summary>
    public async Task WaitForQuietAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (true)
        {
            var moving = await Stack.QueryAsync("""
                SELECT count(*) FROM bus.ingest_saga WHERE institution IN (@a, @b)
                AND current_state NOT IN ('Completed', 'Rejected', 'Failed', 'Cancelled', 'Faulted')
                """, r => r.GetInt64(0), ("a", Own), ("b", Other));
            if (moving.Single() == 0) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{moving.Single()} ingests still moving; host: {Stack.Host?.Process.Stdout}");
            await Task.Delay(250);
        }
    }

    /// <summary>
    /// What a refused request must leave alone: both institutions' ingests, deletion requests, fixity
    /// checks, receiving uploads and tokens, as one digest.
    /// </summary>
    public async Task<string> FingerprintAsync()
    {
        var rows = await Stack.QueryAsync("""
            SELECT coalesce(md5(string_agg(x, ',' ORDER BY x)), '') FROM (
                SELECT 'i' || correlation_id || current_state || coalesce(updated_at::text, '') AS x FROM bus.ingest_saga WHERE institution IN (@a, @b)
                UNION ALL SELECT 'd' || correlation_id || current_state || refusal_log || coalesce(decided_by, '') FROM bus.deletion_requests
                    WHERE institution IN (@a, @b) OR identifier LIKE @a || '/%' OR identifier LIKE @b || '/%'
                UNION ALL SELECT 'f' || check_id FROM fixity.checks WHERE file_identifier LIKE @a || '/%' OR file_identifier LIKE @b || '/%'
                UNION ALL SELECT 'o' || identifier || state || updated_at FROM registry.intellectual_objects WHERE institution IN (@a, @b)
                UNION ALL SELECT 'a' || id || coalesce(acknowledged_by, '') FROM registry.alerts WHERE identifier LIKE @a || '/%' OR identifier LIKE @b || '/%'
            ) t
            """, r => r.GetString(0), ("a", Own), ("b", Other));
        var keys = new List<string>();
        foreach (var institution in new[] { Own, Other })
        {
            var page = await Stack.S3.ListObjectsV2Async(new Amazon.S3.Model.ListObjectsV2Request { BucketName = Stack.Storage.ReceivingBucket, Prefix = institution + "/" });
            keys.AddRange((page.S3Objects ?? []).Select(o => o.Key + o.ETag));
        }
        return rows.Single() + "|" + string.Join(",", keys.Order());
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (Stack is not null) await Stack.DisposeAsync();
        JwtKey.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
