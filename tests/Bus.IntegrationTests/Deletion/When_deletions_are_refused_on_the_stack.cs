namespace Bus.IntegrationTests.Deletion;

public sealed class When_deletions_are_refused_on_the_stack
{
    [Fact]
    public async Task Each_refusal_exits_1_with_its_code_and_what_reaches_the_service_is_recorded_on_the_request()
    {
        await using var world = await DeletionWorld.CreateAsync();
        await using var host = world.StartHost();
        await host.WaitUntilHealthyAsync(TimeSpan.FromSeconds(90));

        await AssertRefused(world, world.Requester, "unknown-identifier", "request", $"{world.Institution}/no-such-bag", "--reason", "r");
        // Another institution's admin: the API answers as if nothing were there (its policy table), before the service is asked.
        await AssertRefused(world, world.OtherAdmin, "not-found", "request", world.Bag, "--reason", "r");

        var id = await world.RequestAcceptedAsync();
        await AssertRefused(world, world.SecondAdmin, "work-in-progress", "request", world.Files[0], "--reason", "r");
        await AssertRefused(world, world.Requester, "self-approval", "approve", id.ToString());
        await AssertRefused(world, world.OtherAdmin, "not-found", "approve", id.ToString());
        await AssertRefused(world, world.Depositor, "forbidden", "approve", id.ToString());
        await AssertRefused(world, world.Admin, "not-requester", "cancel", id.ToString());

        var pending = await world.WaitForStateAsync(id, "PendingApproval");
        var log = string.Join("\n", pending.GetProperty("refusals").EnumerateArray().Select(e => e.GetString()));
        foreach (var code in new[] { "self-approval", "not-requester" })
            Assert.Contains(code, log, StringComparison.Ordinal);

        var (exit, rejected) = await world.DeleteAsAsync(world.SecondAdmin, "reject", id.ToString(), "--comment", "keep it");
        Assert.True(exit == 0, rejected.ToString());
        Assert.Equal("Rejected", rejected.GetProperty("state").GetString());
        await AssertRefused(world, world.Admin, "not-pending", "approve", id.ToString());
        await AssertRefused(world, world.Admin, "not-found", "approve", Guid.NewGuid().ToString());

        var (listExit, rejectedList) = await world.DeleteAsync("list", "--state", "rejected");
        Assert.Equal(0, listExit);
        Assert.Contains(rejectedList.GetProperty("requests").EnumerateArray(), r => r.GetProperty("requestId").GetGuid() == id);

        // Usage errors exit 2 with one JSON document naming the problem.
        var (badId, badIdJson) = await world.DeleteAsync("approve", "not-a-uuid");
        Assert.Equal((2, true), (badId, badIdJson.GetProperty("error").GetString()!.Contains("not a deletion request id", StringComparison.Ordinal)));
        var (badIdentifier, badIdentifierJson) = await world.DeleteAsAsync(world.Requester, "request", "Not An Identifier", "--reason", "r");
        Assert.Equal((2, true), (badIdentifier, badIdentifierJson.GetProperty("error").GetString()!.Contains("invalid identifier 'Not An Identifier'", StringComparison.Ordinal)));
        var (badState, badStateJson) = await world.DeleteAsync("list", "--state", "Limbo");
        Assert.Equal((2, true), (badState, badStateJson.GetProperty("error").GetString()!.Contains("unknown state 'Limbo'", StringComparison.Ordinal)));

        foreach (var (bucket, key) in world.Copies) Assert.True(await world.ExistsInS3Async(bucket, key));
        Assert.Equal("active", await world.QueryAsync("SELECT state FROM registry.intellectual_objects WHERE identifier = @object", r => { r.Read(); return r.GetString(0); }));
    }

    [Fact]
    public async Task A_copy_younger_than_its_storage_class_retention_is_refused()
    {
        await using var world = await DeletionWorld.CreateAsync(storageOption: "Glacier-OH", storedDaysAgo: 10);
        await using var host = world.StartHost();
        await host.WaitUntilHealthyAsync(TimeSpan.FromSeconds(90));

        var json = await AssertRefused(world, world.Requester, "retention-period", "request", world.Bag, "--reason", "r");
        Assert.Contains("90 days", json.GetProperty("error").GetString(), StringComparison.Ordinal);
        var show = await world.WaitForStateAsync(json.GetProperty("requestId").GetGuid(), "Refused");
        Assert.Equal("retention-period", show.GetProperty("refusalCode").GetString());
    }

    /// <summary>busctl delete as <paramref name="user"/> exits 1 with the problem's code and a reason.</summary>
    private static async Task<System.Text.Json.JsonElement> AssertRefused(DeletionWorld world, string user, string code, params string[] args)
    {
        var (exit, json) = await world.DeleteAsAsync(user, args);
        Assert.True(exit == 1, $"{string.Join(' ', args)}: exit {exit} {json}");
        Assert.Equal(code, json.GetProperty("code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(json.GetProperty("error").GetString()));
        return json;
    }
}
