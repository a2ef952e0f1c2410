namespace Bus.IntegrationTests.Operations;

/// <summary>busctl names what is wrong with the request and exits 2, before touching any message.</summary>
public class BadInputExitsTwoTests
{
    [Theory]
    [InlineData("does not exist", "errors", "replay", "{prefix}-nothing_error", "--all")]
    [InlineData("is not an error queue", "errors", "replay", "{prefix}-stage", "--all")]
    [InlineData("say which messages", "errors", "replay", "{prefix}-stage_error")]
    [InlineData("'12345' is not a message id", "errors", "archive", "{prefix}-stage_error", "--message-id", "12345")]
    [InlineData("no archived message with id 999999999999", "errors", "restore", "999999999999")]
    public async Task Bad_request_exits_2_with_the_reason(string reason, params string[] args)
    {
        await using var kit = await ErrorQueueTestKit.CreateAsync();
        var errorQueue = await kit.QueueAsync("-stage_error");
        await kit.QueueAsync("-stage");
        var id = await kit.PublishFaultAsync(errorQueue, kit.Prefix + "-stage");

        var (exit, _, stderr) = await ErrorQueueTestKit.RunBusctlAsync(args.Select(a => a.Replace("{prefix}", kit.Prefix)).ToArray());

        Assert.True(exit == 2, $"exit {exit}, {stderr}");
        Assert.StartsWith("busctl: ", stderr);
        Assert.Contains(reason, stderr);
        Assert.Equal([id], (await kit.PeekAsync(errorQueue)).Select(m => Guid.Parse(m.MessageId!)));
    }
}
