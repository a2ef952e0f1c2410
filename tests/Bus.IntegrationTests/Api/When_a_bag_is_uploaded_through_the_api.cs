using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Bus.Registry.Model;

namespace Bus.IntegrationTests.Api;

[Collection(ApiCollection.Collection)]
public sealed class When_a_bag_is_uploaded_through_the_api(ApiStack api)
{
    private async Task<JsonElement> GetAsync(string path, string role = Roles.Depositor)
    {
        using var response = await api.SendAsync(new HttpRequestMessage(HttpMethod.Get, path), api.Users[(api.Own, role)].Token);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {body}");
        return body;
    }

    [Fact]
    public async Task The_streamed_multipart_upload_is_ingested_to_completion_as_the_depositor()
    {
        var ingest = api.CompletedIngest;
        Assert.Equal("Completed", ingest.GetProperty("state").GetString());
        Assert.Equal(api.Own, ingest.GetProperty("institution").GetString());
        Assert.Equal(api.Users[(api.Own, Roles.Depositor)].Email, ingest.GetProperty("submittedBy").GetString());
        Assert.True(ingest.GetProperty("size").GetInt64() > 5 * 1024 * 1024, "the fixture's tar should span several upload parts");

        var obj = await GetAsync($"/api/v1/objects/{api.Objects[api.Own]}");
        var files = obj.GetProperty("files").EnumerateArray().ToList();
        Assert.NotEmpty(files);
        Assert.All(files, f =>
        {
            Assert.Equal(2, f.GetProperty("copies").GetArrayLength());
            Assert.Contains(f.GetProperty("checksums").EnumerateArray(), c => c.GetProperty("algorithm").GetString() == "sha256");
        });
    }

    [Fact]
    public async Task Events_are_paged_with_a_cursor_and_pages_do_not_overlap()
    {
        var path = $"/api/v1/objects/{api.Objects[api.Own]}/events";
        var all = (await GetAsync(path + "?limit=500")).GetProperty("items").EnumerateArray().Select(e => e.GetProperty("id").GetGuid()).ToList();
        Assert.True(all.Count > 3);
        var paged = new List<Guid>();
        string? after = null;
        do
        {
            var page = await GetAsync(path + "?limit=3" + (after is null ? "" : $"&after={after}"));
            paged.AddRange(page.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("id").GetGuid()));
            after = page.GetProperty("next").GetString();
        } while (after is not null && paged.Count <= all.Count);
        Assert.Equal(all, paged);
    }

    [Fact]
    public async Task Bad_input_gets_a_specific_problem_and_uploads_nothing()
    {
        await api.WaitForQuietAsync();
        var before = await api.FingerprintAsync();
        var token = api.Users[(api.Own, Roles.Depositor)].Token;
        var cases = new (HttpRequestMessage Request, int Status, string Type)[]
        {
            (new(HttpMethod.Post, "/api/v1/ingests?name=../x.tar") { Content = new StringContent("x") }, 400, "invalid-request"),
            (new(HttpMethod.Post, "/api/v1/ingests?name=bag.zip") { Content = new StringContent("x") }, 400, "invalid-request"),
            (new(HttpMethod.Post, "/api/v1/ingests?name=empty.tar") { Content = new ByteArrayContent([]) }, 400, "invalid-request"),
            (new(HttpMethod.Post, "/api/v1/ingests") { Content = JsonContent.Create(new { key = "" }) }, 400, "invalid-request"),
            (new(HttpMethod.Post, "/api/v1/ingests") { Content = JsonContent.Create(new { key = $"{api.Own}/never-uploaded.tar" }) }, 404, "unknown-upload"),
            (new(HttpMethod.Get, "/api/v1/ingests?state=Nonsense"), 400, "invalid-request"),
            (new(HttpMethod.Get, "/api/v1/ingests?after=garbage"), 400, "invalid-cursor"),
            (new(HttpMethod.Get, "/api/v1/ingests?limit=0"), 400, "invalid-request"),
            (new(HttpMethod.Get, $"/api/v1/ingests/{Guid.NewGuid()}"), 404, "not-found"),
        };
        foreach (var (request, status, type) in cases)
        {
            using var response = await api.SendAsync(request, token);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True((int)response.StatusCode == status, $"{request.Method} {request.RequestUri}: {(int)response.StatusCode} {problem}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.EndsWith("/" + type, problem.GetProperty("type").GetString());
        }
        Assert.Equal(before, await api.FingerprintAsync());
    }

    [Fact]
    public async Task The_openapi_document_and_the_reference_page_are_served_without_a_cdn()
    {
        var document = await api.Http.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/api/v1/ingests", paths);
        Assert.Contains("/api/v1/deletions/{id}/approve", paths);
        var page = await api.Http.GetStringAsync("/scalar/v1");
        Assert.DoesNotContain("cdn.jsdelivr", page);
        using var script = await api.Http.GetAsync("/scalar/scalar.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
    }
}
