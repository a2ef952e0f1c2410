using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Bus.Api.Authorization;
using Bus.Registry.Model;

namespace Bus.IntegrationTests.Api;

/// <summary>
/// The authorization matrix, generated from <see cref="ApiPolicy.Table"/>: every endpoint × each role of
/// the own institution × a target in the own and in the other institution. A refusal must be the status
/// the table gives (403 or 404) and must change nothing; an allowed call must get past authorization.
/// Refusals run first, while nothing else moves, so "nothing changed" is exact.
/// </summary>
[Collection(ApiCollection.Collection)]
public sealed class When_every_endpoint_is_called_by_every_role(ApiStack api)
{
    private sealed record Endpoint(string Name, ApiAction Action, bool HasTarget, Func<string, HttpRequestMessage> Request);

    private IEnumerable<Endpoint> Endpoints()
    {
        static HttpRequestMessage Json(HttpMethod method, string path, object body) => new(method, path) { Content = JsonContent.Create(body) };
        var n = 0;
        yield return new("POST /ingests?name=", ApiAction.SubmitIngest, false, _ =>
            new HttpRequestMessage(HttpMethod.Post, $"/api/v1/ingests?name=matrix-{Interlocked.Increment(ref n)}-{Guid.NewGuid():N}.tar")
            {
                Content = new ByteArrayContent(Encoding.UTF8.GetBytes("not a tar")),
            });
        yield return new("POST /ingests {key}", ApiAction.SubmitIngest, true, t => Json(HttpMethod.Post, "/api/v1/ingests", new { key = $"{t}/matrix-upload.tar" }));
        yield return new("GET /ingests/{id}", ApiAction.ReadIngest, true, t => new(HttpMethod.Get, $"/api/v1/ingests/{api.Ingest[t]}"));
        yield return new("GET /ingests", ApiAction.ReadIngest, false, _ => new(HttpMethod.Get, "/api/v1/ingests?limit=10"));
        yield return new("POST /ingests/{id}/cancel", ApiAction.CancelIngest, true, t => new(HttpMethod.Post, $"/api/v1/ingests/{api.Ingest[t]}/cancel"));
        yield return new("GET /objects/{id}", ApiAction.ReadObject, true, t => new(HttpMethod.Get, $"/api/v1/objects/{api.Objects[t]}"));
        yield return new("GET /objects/{id}/events", ApiAction.ReadObject, true, t => new(HttpMethod.Get, $"/api/v1/objects/{api.Objects[t]}/events"));
        yield return new("POST /deletions", ApiAction.RequestDeletion, true, t => Json(HttpMethod.Post, "/api/v1/deletions", new { identifier = api.Objects[t], reason = "matrix" }));
        yield return new("GET /deletions/{id}", ApiAction.ReadDeletion, true, t => new(HttpMethod.Get, $"/api/v1/deletions/{api.Deletion[t]}"));
        // Approving one's own request is refused by the deletion saga itself (self-approval): allowed cells stay harmless.
        yield return new("POST /deletions/{id}/approve", ApiAction.DecideDeletion, true, t => new(HttpMethod.Post, $"/api/v1/deletions/{api.Deletion[t]}/approve"));
        yield return new("POST /deletions/{id}/reject", ApiAction.DecideDeletion, true, t => new(HttpMethod.Post, $"/api/v1/deletions/{api.Deletion[t]}/reject"));
        yield return new("POST /deletions/{id}/cancel", ApiAction.CancelDeletion, true, t => new(HttpMethod.Post, $"/api/v1/deletions/{api.Deletion[t]}/cancel"));
        yield return new("GET /alerts", ApiAction.ReadAlerts, false, _ => new(HttpMethod.Get, "/api/v1/alerts"));
        yield return new("POST /alerts/{id}/acknowledge", ApiAction.AcknowledgeAlert, true, t => new(HttpMethod.Post, $"/api/v1/alerts/{api.Alert[t]}/acknowledge"));
        yield return new("POST /fixity-checks", ApiAction.StartFixityCheck, true, t => Json(HttpMethod.Post, "/api/v1/fixity-checks", new { identifier = api.Objects[t] }));
        yield return new("GET /fixity-checks/{id}", ApiAction.ReadObject, true, t => new(HttpMethod.Get, $"/api/v1/fixity-checks/{api.FixityCheck[t]}"));
        yield return new("POST /restores", ApiAction.RequestRestore, true, t => Json(HttpMethod.Post, "/api/v1/restores", new { identifier = api.Objects[t] }));
        yield return new("GET /restores", ApiAction.ReadRestore, false, _ => new(HttpMethod.Get, "/api/v1/restores?limit=10"));
    }

    [Fact]
    public async Task Each_cell_gets_the_status_the_policy_table_gives_and_refusals_change_nothing()
    {
        // A tar already in each institution's receiving prefix, for the submit-by-key cells.
        foreach (var institution in new[] { api.Own, api.Other })
            await api.Stack.S3.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest
            {
                BucketName = api.Stack.Storage.ReceivingBucket, Key = $"{institution}/matrix-upload.tar", ContentBody = "not a tar",
            });

        var cells = (from endpoint in Endpoints()
                     from role in Roles.All
                     from target in endpoint.HasTarget ? new[] { api.Own, api.Other } : [api.Own]
                     let expected = ApiPolicy.Decide(role, api.Own, endpoint.Action, target)
                     orderby expected == Decision.Allow
                     select (endpoint, role, target, expected)).ToList();
        Assert.Contains(cells, c => c.expected == Decision.Forbidden);
        Assert.Contains(cells, c => c.expected == Decision.NotFound);

        await api.WaitForQuietAsync();
        var failures = new List<string>();
        foreach (var (endpoint, role, target, expected) in cells)
        {
            var cell = $"{endpoint.Name} as {role} on {(target == api.Own ? "own" : "other")}";
            var before = expected == Decision.Allow ? null : await api.FingerprintAsync();
            using var response = await api.SendAsync(endpoint.Request(target), api.Users[(api.Own, role)].Token);
            var status = (int)response.StatusCode;
            var body = await response.Content.ReadAsStringAsync();
            switch (expected)
            {
                case Decision.Allow:
                    if (status is not (>= 200 and < 300 or 409)) failures.Add($"{cell}: expected to pass authorization, got {status} {body}");
                    break;
                default:
                    var want = expected == Decision.Forbidden ? 403 : 404;
                    if (status != want) failures.Add($"{cell}: expected {want}, got {status} {body}");
                    else if (response.Content.Headers.ContentType?.MediaType != "application/problem+json") failures.Add($"{cell}: not problem+json");
                    else if (await api.FingerprintAsync() != before) failures.Add($"{cell}: refused with {status} but something changed");
                    break;
            }
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {cells.Count} cells wrong:\n" + string.Join("\n", failures));
    }

    [Fact]
    public async Task Lists_show_institution_scoped_callers_only_their_own_institutions_ingests()
    {
        foreach (var role in Roles.All)
        {
            using var response = await api.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/v1/ingests?limit=500"), api.Users[(api.Own, role)].Token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var institutions = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray()
                .Select(i => i.GetProperty("institution").GetString()).ToHashSet();
            Assert.Contains(api.Own, institutions);
            if (role == Roles.Operator) Assert.Contains(api.Other, institutions);
            else Assert.Equal([api.Own], institutions);
        }
    }

    [Fact]
    public async Task Requests_without_credentials_answer_401_problem_json()
    {
        foreach (var endpoint in Endpoints())
        {
            using var response = await api.SendAsync(endpoint.Request(api.Own), bearer: null);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{endpoint.Name}: {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.EndsWith("/unauthenticated", problem.GetProperty("type").GetString());
        }
    }
}
