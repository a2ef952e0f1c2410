using System.Net.Http.Json;
using System.Text.Json;
using Bus.Api;
using Bus.Api.Problems;
using Bus.Platform;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Bus.Tests.Api;

/// <summary>
/// The document /openapi/v1.json serves, walked operation by
/// operation: a new endpoint without a security requirement, a documented success or its problem
/// responses fails here. The API alone on a loopback port of its own: no server of the stack is needed.
/// </summary>
public sealed class When_the_openapi_document_is_generated
{
    private static async Task<JsonElement> DocumentAsync()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Test" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddBusPlatform(builder.Configuration);
        // Only for the endpoints' parameter binding: the document never sends a message.
        builder.Services.AddSingleton<IBus>(_ => throw new InvalidOperationException("no bus in this test"));
        builder.Services.AddBusApi(builder.Configuration);
        await using var app = builder.Build();
        app.MapBusApi();
        await app.StartAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
            return (await http.GetFromJsonAsync<JsonElement>("/openapi/v1.json")).Clone();
        }
        finally
        {
            await app.StopAsync();
        }
    }

    private static IEnumerable<(string Name, JsonElement Operation)> Operations(JsonElement document) =>
        from path in document.GetProperty("paths").EnumerateObject()
        where path.Name.StartsWith("/api/v1/", StringComparison.Ordinal)
        from operation in path.Value.EnumerateObject()
        where operation.Name is "get" or "post" or "put" or "patch" or "delete"
        select ($"{operation.Name.ToUpperInvariant()} {path.Name}", operation.Value);

    [Fact]
    public async Task Every_operation_has_the_bearer_requirement_a_success_and_its_problem_responses()
    {
        var document = await DocumentAsync();
        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer");
        Assert.Equal("http", scheme.GetProperty("type").GetString());
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());

        var known = ApiErrors.All.ToDictionary(e => e.Type);
        var operations = Operations(document).ToList();
        Assert.True(operations.Count >= 14, $"only {operations.Count} operations under /api/v1");
        var failures = new List<string>();
        foreach (var (name, operation) in operations)
        {
            void Fail(string what) => failures.Add($"{name}: {what}");
            if (!operation.TryGetProperty("tags", out var tags) || tags.GetArrayLength() == 0) Fail("no tag");
            if (!operation.TryGetProperty("security", out var security)
                || !security.EnumerateArray().Any(r => r.TryGetProperty("bearer", out _)))
                Fail("no bearer security requirement");
            var responses = operation.GetProperty("responses").EnumerateObject().ToDictionary(r => r.Name, r => r.Value);
            var success = responses.Where(r => r.Key.StartsWith('2')).ToList();
            if (success.Count == 0) Fail("no documented success response");
            foreach (var (status, response) in success)
                if (!response.TryGetProperty("content", out var content) || !content.TryGetProperty("application/json", out var json) || !json.TryGetProperty("schema", out _))
                    Fail($"{status} has no JSON schema");
            if (!responses.ContainsKey("401")) Fail("no 401");
            var takesInput = operation.TryGetProperty("parameters", out var parameters) && parameters.GetArrayLength() > 0 || operation.TryGetProperty("requestBody", out _);
            if (takesInput && !responses.Keys.Any(s => s is "400" or "403" or "404" or "409" or "413")) Fail("takes input but documents no 400/403/404/409/413 problem response");
            foreach (var (status, response) in responses.Where(r => r.Key[0] is '4' or '5'))
            {
                if (!response.TryGetProperty("content", out var content) || !content.TryGetProperty("application/problem+json", out _))
                    Fail($"{status} is not application/problem+json");
                if (!response.TryGetProperty("x-problem-types", out var types) || types.GetArrayLength() == 0) { Fail($"{status} names no problem type"); continue; }
                foreach (var type in types.EnumerateArray().Select(t => t.GetString()!))
                    if (!known.TryGetValue(type, out var error) || error.Status.ToString(System.Globalization.CultureInfo.InvariantCulture) != status)
                        Fail($"{status} names '{type}', not a {status} of the catalogue");
            }
            var method = name.Split(' ')[0];
            if (method == "POST")
            {
                if (!operation.TryGetProperty("requestBody", out var body))
                {
                    if (!operation.TryGetProperty("x-bus-no-body", out _)) Fail("POST without a documented request body (or .NoBody())");
                }
                else if (!body.GetProperty("content").EnumerateObject().All(c => c.Value.TryGetProperty("schema", out _))) Fail("request body without a schema");
                else if (body.GetProperty("content").TryGetProperty("application/json", out _) && !responses.ContainsKey("413")) Fail("JSON body without 413 body-too-large");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task The_upload_documents_the_tar_body_and_its_size_and_busy_answers()
    {
        var document = await DocumentAsync();
        var submit = document.GetProperty("paths").GetProperty("/api/v1/ingests").GetProperty("post");
        var content = submit.GetProperty("requestBody").GetProperty("content");
        Assert.Equal("binary", content.GetProperty("application/x-tar").GetProperty("schema").GetProperty("format").GetString());
        Assert.True(content.TryGetProperty("application/json", out _));
        var responses = submit.GetProperty("responses");
        var tooLarge = responses.GetProperty("413").GetProperty("x-problem-types").EnumerateArray().Select(t => t.GetString()).ToList();
        Assert.Contains(ApiErrors.UploadTooLarge.Type, tooLarge);
        Assert.Contains(ApiErrors.UploadsBusy.Type, responses.GetProperty("503").GetProperty("x-problem-types").EnumerateArray().Select(t => t.GetString()));
    }
}
