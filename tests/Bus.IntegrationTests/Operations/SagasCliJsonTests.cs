using System.Text.Json;
using Bus.IntegrationTests.Support;

namespace Bus.IntegrationTests.Operations;

/// <summary>busctl sagas list --json and show --json, end to end through the published busctl.</summary>
public class SagasCliJsonTests
{
    [Fact]
    public async Task List_and_show_print_the_saga_its_history_and_its_scheduled_messages()
    {
        await using var rows = new SagaRows();
        var hour = TimeSpan.FromHours(1);
        var stuck = await rows.DeletionAsync("Faulted", 3 * hour, faultReason: "step faulted " + rows.Tag);
        await rows.TransitionAsync("DeletionState", stuck, null, "PendingApproval", 4 * hour);
        await rows.TransitionAsync("DeletionState", stuck, "PendingApproval", "Deleting", 3 * hour);
        await rows.TransitionAsync("DeletionState", stuck, "Deleting", "Faulted", 3 * hour);
        var fresh = await rows.DeletionAsync("Faulted", TimeSpan.FromMinutes(1));
        await rows.TransitionAsync("DeletionState", fresh, "Deleting", "Faulted", TimeSpan.FromMinutes(1));
        var token = await rows.ScheduledAsync(stuck);

        var list = await RunJsonAsync("sagas", "list", "--type", "deletion", "--state", "Faulted", "--stuck", "2h", "--json");
        var listed = list.GetProperty("sagas").EnumerateArray().ToDictionary(s => s.GetProperty("correlationId").GetGuid());
        Assert.True(listed.ContainsKey(stuck));
        Assert.False(listed.ContainsKey(fresh));
        Assert.Equal("step faulted " + rows.Tag, listed[stuck].GetProperty("lastError").GetString());
        Assert.All(listed.Values, s => Assert.Equal("deletion", s.GetProperty("sagaType").GetString()));

        var show = await RunJsonAsync("sagas", "show", stuck.ToString(), "--json");
        var saga = Assert.Single(show.GetProperty("sagas").EnumerateArray());
        Assert.Equal("Faulted", saga.GetProperty("currentState").GetString());
        Assert.Equal(new[] { "PendingApproval", "Deleting", "Faulted" },
            show.GetProperty("transitions").EnumerateArray().Select(t => t.GetProperty("toState").GetString()!).ToArray());
        Assert.Equal(new[] { token }, show.GetProperty("scheduled").EnumerateArray().Select(s => s.GetProperty("tokenId").GetGuid()).ToArray());
        Assert.Empty(show.GetProperty("errorMessages").EnumerateArray());

        var missing = await ExternalProcess.RunAsync(RepoPaths.Busctl, ["sagas", "show", Guid.NewGuid().ToString(), "--json"]);
        Assert.Equal(1, missing.ExitCode);
    }

    private static async Task<JsonElement> RunJsonAsync(params string[] args)
    {
        var p = await ExternalProcess.RunAsync(RepoPaths.Busctl, args);
        Assert.True(p.ExitCode == 0, $"busctl {string.Join(' ', args)}: exit {p.ExitCode}, {p.Stderr}");
        return JsonDocument.Parse(p.Stdout).RootElement.Clone();
    }
}
