using System.Text.Json;
using Bus.IntegrationTests.Support;

namespace Bus.IntegrationTests.Operations;

/// <summary>
/// busctl sagas list and delete list read saga state the one way busctl's operator commands do
/// (SagaStatusStore over the status views): they take every state the state machines have. (ingest list
/// and delete show go through the API: Api/When_busctl_goes_through_the_api.)
/// </summary>
public class WorkflowListsReadSagaViewsTests
{
    [Fact]
    public async Task Sagas_list_of_ingests_shows_the_view_row_of_a_state()
    {
        await using var rows = new SagaRows();
        var waiting = await rows.IngestAsync("WaitingForItem", TimeSpan.FromMinutes(5), "validate");

        var sagas = await RunJsonAsync("sagas", "list", "--type", "ingest", "--state", "WaitingForItem", "--json");
        Assert.Contains(sagas.GetProperty("sagas").EnumerateArray(), s => s.GetProperty("correlationId").GetGuid() == waiting);
    }

    [Fact]
    public async Task Delete_list_reads_a_request_and_its_fault()
    {
        await using var rows = new SagaRows();
        var faulted = await rows.DeletionAsync("Faulted", TimeSpan.FromMinutes(5), faultReason: "boom " + rows.Tag);

        var list = await RunJsonAsync("delete", "list", "--state", "faulted", "--json");
        var row = Assert.Single(list.GetProperty("requests").EnumerateArray(), r => r.GetProperty("requestId").GetGuid() == faulted);
        Assert.Equal(("Faulted", "boom " + rows.Tag, false),
            (row.GetProperty("state").GetString(), row.GetProperty("lastError").GetString(), row.GetProperty("terminal").GetBoolean()));

        var bad = await ExternalProcess.RunAsync(RepoPaths.Busctl, ["delete", "list", "--state", "Limbo", "--json"]);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("Faulted", bad.Stdout + bad.Stderr, StringComparison.Ordinal);
    }

    private static async Task<JsonElement> RunJsonAsync(params string[] args)
    {
        var p = await ExternalProcess.RunAsync(RepoPaths.Busctl, args);
        Assert.True(p.ExitCode == 0, $"busctl {string.Join(' ', args)}: exit {p.ExitCode}, {p.Stderr}");
        return JsonDocument.Parse(p.Stdout).RootElement.Clone();
    }
}
