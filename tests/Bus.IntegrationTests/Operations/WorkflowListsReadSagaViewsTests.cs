using System.Text.Json;
using Bus.IntegrationTests.Support;

namespace Bus.IntegrationTests.Operations;

/// <summary>
/// busctl ingest list and delete list/show read saga state the one way busctl does (SagaStatusStore over
/// the status views): they take every state the state machines have and show what sagas list shows.
/// </summary>
public class WorkflowListsReadSagaViewsTests
{
    [Fact]
    public async Task Ingest_list_takes_a_state_only_the_machine_names_and_shows_the_view_row()
    {
        await using var rows = new SagaRows();
        var waiting = await rows.IngestAsync("WaitingForItem", TimeSpan.FromMinutes(5), "validate");

        var list = await RunJsonAsync("ingest", "list", "--state", "waitingforitem", "--limit", "10000", "--json");
        var row = Assert.Single(list.GetProperty("ingests").EnumerateArray(), r => r.GetProperty("ingestId").GetGuid() == waiting);
        Assert.Equal("WaitingForItem", row.GetProperty("state").GetString());
        Assert.False(row.GetProperty("terminal").GetBoolean());
        Assert.Equal($"test.edu/{rows.Tag}-{waiting:N}", row.GetProperty("businessKey").GetString());

        var sagas = await RunJsonAsync("sagas", "list", "--type", "ingest", "--state", "WaitingForItem", "--json");
        Assert.Contains(sagas.GetProperty("sagas").EnumerateArray(), s => s.GetProperty("correlationId").GetGuid() == waiting);

        var bad = await ExternalProcess.RunAsync(RepoPaths.Busctl, ["ingest", "list", "--state", "Limbo", "--json"]);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("WaitingForItem", bad.Stdout + bad.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_list_and_show_read_a_request_and_its_fault()
    {
        await using var rows = new SagaRows();
        var faulted = await rows.DeletionAsync("Faulted", TimeSpan.FromMinutes(5), faultReason: "boom " + rows.Tag);

        var list = await RunJsonAsync("delete", "list", "--state", "faulted", "--json");
        var row = Assert.Single(list.GetProperty("requests").EnumerateArray(), r => r.GetProperty("requestId").GetGuid() == faulted);
        Assert.Equal(("Faulted", "boom " + rows.Tag, false),
            (row.GetProperty("state").GetString(), row.GetProperty("lastError").GetString(), row.GetProperty("terminal").GetBoolean()));

        var show = await RunJsonAsync("delete", "show", faulted.ToString(), "--json");
        Assert.Equal(("Faulted", "boom " + rows.Tag), (show.GetProperty("state").GetString(), show.GetProperty("faultReason").GetString()));
        var missing = await ExternalProcess.RunAsync(RepoPaths.Busctl, ["delete", "show", Guid.NewGuid().ToString(), "--json"]);
        Assert.Equal(1, missing.ExitCode);
    }

    private static async Task<JsonElement> RunJsonAsync(params string[] args)
    {
        var p = await ExternalProcess.RunAsync(RepoPaths.Busctl, args);
        Assert.True(p.ExitCode == 0, $"busctl {string.Join(' ', args)}: exit {p.ExitCode}, {p.Stderr}");
        return JsonDocument.Parse(p.Stdout).RootElement.Clone();
    }
}
