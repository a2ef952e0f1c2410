namespace Bus.IntegrationTests.Deletion;

public sealed class When_deletions_are_refused_on_the_stack
{
    [Fact]
    public async Task Each_refusal_exits_1_with_its_code_and_is_recorded_on_the_request()
    {
        await using var world = await DeletionWorld.CreateAsync();
        await using var host = world.StartHost();
        await host.WaitUntilHealthyAsync(TimeSpan.FromSeconds(90));

        await AssertRefused(world, "unknown-identifier", "request", $"{world.Institution}/no-such-bag", "--by", world.Requester, "--reason", "r");
        await AssertRefused(world, "other-institution", "request", world.Bag, "--by", world.OtherAdmin, "--reason", "r");

        var id = await world.RequestAcceptedAsync();
        await AssertRefused(world, "work-in-progress", "request", world.Files[0], "--by", world.Depositor, "--reason", "r");
        await AssertRefused(world, "self-approval", "approve", id.ToString(), "--by", world.Requester);
        await AssertRefused(world, "other-institution", "approve", id.ToString(), "--by", world.OtherAdmin);
        await AssertRefused(world, "not-admin", "approve", id.ToString(), "--by", world.Depositor);
        await AssertRefused(world, "not-requester", "cancel", id.ToString(), "--by", world.Admin);

        var pending = await world.WaitForStateAsync(id, "PendingApproval");
        var log = string.Join("\n", pending.GetProperty("refusals").EnumerateArray().Select(e => e.GetString()));
        foreach (var code in new[] { "self-approval", "other-institution", "not-admin", "not-requester" })
            Assert.Contains(code, log, StringComparison.Ordinal);

        var (exit, rejected) = await world.DeleteAsync("reject", id.ToString(), "--by", world.SecondAdmin, "--comment", "keep it");
        Assert.True(exit == 0, rejected.ToString());
        Assert.Equal("Rejected", rejected.GetProperty("state").GetString());
        await AssertRefused(world, "not-pending", "approve", id.ToString(), "--by", world.Admin);
        await AssertRefused(world, "unknown-request", "approve", Guid.NewGuid().ToString(), "--by", world.Admin);

        var (listExit, rejectedList) = await world.DeleteAsync("list", "--state", "rejected");
        Assert.Equal(0, listExit);
        Assert.Contains(rejectedList.GetProperty("requests").EnumerateArray(), r => r.GetProperty("requestId").GetGuid() == id);

        // Usage errors exit 2 with one JSON document naming the problem.
        var (badId, badIdJson) = await world.DeleteAsync("approve", "not-a-uuid", "--by", world.Admin);
        Assert.Equal((2, true), (badId, badIdJson.GetProperty("error").GetString()!.Contains("not a deletion request id", StringComparison.Ordinal)));
        var (badIdentifier, badIdentifierJson) = await world.DeleteAsync("request", "Not An Identifier", "--by", world.Requester, "--reason", "r");
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

        var json = await AssertRefused(world, "retention-period", "request", world.Bag, "--by", world.Requester, "--reason", "r");
        Assert.Contains("90 days", json.GetProperty("reason").GetString(), StringComparison.Ordinal);
        var show = await world.WaitForStateAsync(json.GetProperty("requestId").GetGuid(), "Refused");
        Assert.Equal("retention-period", show.GetProperty("refusalCode").GetString());
    }

    private static async Task<System.Text.Json.JsonElement> AssertRefused(DeletionWorld world, string code, params string[] args)
    {
        var (exit, json) = await world.DeleteAsync(args);
        Assert.True(exit == 1, $"{string.Join(' ', args)}: exit {exit} {json}");
        Assert.Equal(code, json.GetProperty("code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(json.GetProperty("reason").GetString()));
        return json;
    }
}
