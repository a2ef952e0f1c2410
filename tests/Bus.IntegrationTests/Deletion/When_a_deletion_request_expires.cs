namespace Bus.IntegrationTests.Deletion;

public sealed class When_a_deletion_request_expires
{
    [Fact]
    public async Task The_scheduler_expires_it_and_nothing_is_deleted()
    {
        await using var world = await DeletionWorld.CreateAsync();
        await using var host = world.StartHost("--Bus:Deletion:ApprovalWindow=00:00:03");
        await host.WaitUntilHealthyAsync(TimeSpan.FromSeconds(90));

        var id = await world.RequestAcceptedAsync();
        await world.WaitForStateAsync(id, "Expired", host: host);

        var (exit, late) = await world.DeleteAsAsync(world.Admin, "approve", id.ToString());
        Assert.Equal(1, exit);
        Assert.Equal("not-pending", late.GetProperty("code").GetString());
        foreach (var (bucket, key) in world.Copies) Assert.True(await world.ExistsInS3Async(bucket, key));
        // The item is free again: a new request is accepted (then withdrawn, leaving nothing pending).
        var again = await world.RequestAcceptedAsync();
        Assert.Equal(0, (await world.DeleteAsAsync(world.Requester, "cancel", again.ToString())).Exit);
    }
}
