using System.Net;
using Bus.Cli;
using Bus.Cli.Api;

namespace Bus.Tests.Cli;

public sealed class When_busctl_reads_a_problem
{
    [Fact]
    public void A_deletion_refusal_keeps_its_own_code_and_extensions_and_exits_1()
    {
        var problem = ApiProblemException.Read(HttpStatusCode.Conflict, """
            {"type":"https://bus.example/problems/deletion-refused","title":"The deletion service refused the request","status":409,
             "detail":"the approver is the requester","code":"self-approval","requestId":"0b9f0d0e-5a43-4a34-9f55-3f3f8f1f2b10"}
            """);
        Assert.Equal(("self-approval", ExitCodes.Negative), (problem.Code, problem.ExitCode));
        Assert.Equal("the approver is the requester", problem.Detail);
        Assert.True(problem.Extensions.ContainsKey("requestId"));
    }

    [Theory]
    [InlineData(HttpStatusCode.NotFound, "not-found", ExitCodes.Negative)]
    [InlineData(HttpStatusCode.Forbidden, "forbidden", ExitCodes.Negative)]
    [InlineData(HttpStatusCode.Unauthorized, "unauthenticated", ExitCodes.UsageOrConnection)]
    [InlineData(HttpStatusCode.BadRequest, "invalid-request", ExitCodes.UsageOrConnection)]
    [InlineData(HttpStatusCode.ServiceUnavailable, "service-unavailable", ExitCodes.UsageOrConnection)]
    public void Its_code_is_the_types_last_segment_and_the_status_decides_the_exit(HttpStatusCode status, string type, int exit)
    {
        var problem = ApiProblemException.Read(status, $$"""{"type":"https://bus.example/problems/{{type}}","title":"t","status":{{(int)status}}}""");
        Assert.Equal((type, exit), (problem.Code, problem.ExitCode));
    }

    [Fact]
    public void A_body_that_is_not_problem_json_is_still_an_error_with_its_status()
    {
        var problem = ApiProblemException.Read(HttpStatusCode.BadGateway, "<html>proxy error</html>");
        Assert.Equal((502, "http-502", ExitCodes.UsageOrConnection), (problem.Status, problem.Code, problem.ExitCode));
        Assert.Contains("proxy error", problem.Detail, StringComparison.Ordinal);
    }
}
