using Bus.IntegrationTests.Deletion;

namespace Bus.IntegrationTests.Security;

/// <summary>
/// Whoever holds the hosts' broker credentials can put a DeleteItem on the deletion step's queue; the
/// step deletes only for a request bus.deletion_requests holds as approved for that same item.
/// </summary>
public sealed class When_a_delete_item_is_forged_on_the_stack
{
    // The type's own name: internal messages live next to their workflow and may move.
    private static readonly string DeleteItemUrn = $"urn:message:{typeof(Bus.Deletion.StateMachines.Messages.DeleteItem).Namespace}:DeleteItem";

    [Fact]
    public async Task Nothing_is_deleted_without_an_approved_request_for_the_item()
    {
        await using var world = await DeletionWorld.CreateAsync();
        await using var host = world.StartHost();
        await host.WaitUntilHealthyAsync(TimeSpan.FromSeconds(90));
        var pending = await world.RequestAcceptedAsync();
        await world.WaitForStateAsync(pending, "PendingApproval");

        await using var forger = ForgedMessages.AsHost(world.VirtualHost.Name);
        foreach (var requestId in new[] { Guid.NewGuid(), pending })
            Assert.Null(await forger.PublishAsync("", Bus.Deletion.DeletionQueues.DeleteItem, DeleteItemUrn,
                new { requestId, identifier = world.Bag, requestedBy = world.Requester, approvedBy = world.Admin, reason = "forged" }));

        // The step says so when it refuses: both forgeries have been consumed once it has said it twice.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (Refusals(host.Process.Stdout) < 2 && DateTime.UtcNow < deadline) await Task.Delay(200);
        Assert.True(Refusals(host.Process.Stdout) >= 2, "the deletion step did not refuse both forged DeleteItem messages: " + host.Process.Stdout);

        foreach (var (bucket, key) in world.Copies) Assert.True(await world.ExistsInS3Async(bucket, key), $"{bucket}/{key} was deleted");
        Assert.Equal("active", await world.QueryAsync("SELECT state FROM registry.intellectual_objects WHERE identifier = @object",
            r => { r.Read(); return r.GetString(0); }));
        Assert.Equal("PendingApproval", (await world.WaitForStateAsync(pending, "PendingApproval")).GetProperty("state").GetString());
    }

    private static int Refusals(string log) => log.Split("refused, nothing deleted").Length - 1;
}
