using System.Text.Json;
using Bus.Api.Endpoints;
using Bus.BagIt;

namespace Bus.Tests.Api;

public sealed class When_an_ingest_view_carries_rejections
{
    [Fact]
    public void The_reasons_are_answered_with_the_apis_camelCase_names()
    {
        // As the saga stores them: System.Text.Json's defaults, PascalCase.
        var stored = JsonSerializer.Serialize(new[] { new BagIssue("profile.tag-missing", "requires Storage-Option", "aptrust-info.txt:Storage-Option") });

        var answered = JsonSerializer.Serialize(IngestEndpoints.ReadRejections(stored), JsonSerializerOptions.Web);

        using var json = JsonDocument.Parse(answered);
        var reason = Assert.Single(json.RootElement.EnumerateArray());
        Assert.Equal("profile.tag-missing", reason.GetProperty("code").GetString());
        Assert.Equal("aptrust-info.txt:Storage-Option", reason.GetProperty("path").GetString());
        Assert.Equal("requires Storage-Option", reason.GetProperty("message").GetString());
    }

    [Fact]
    public void No_stored_reasons_answer_null() => Assert.Null(IngestEndpoints.ReadRejections(null));
}
