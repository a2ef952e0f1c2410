namespace Bus.IntegrationTests.Operations;

/// <summary>busctl names what is wrong with the request and exits 2, before touching any message.</summary>
public class BadInputExitsTwoTests
{
    [Theory]
    [InlineData("unknown queue", "errors", "replay", "{prefix}-nothing_error", "--all")]
    [InlineData("not an error queue", "errors", "replay", "{prefix}-stage", "--all")]
    [InlineData("no selector", "errors", "replay", "{prefix}-stage_error")]
    [InlineData("malformed id", "errors", "archive", "{prefix}-stage_error", "--message-id", "12345")]
    [InlineData("unknown archive id", "errors", "restore", "999999999999")]
    public async Task Bad_request_exits_2_with_the_reason(string why, params string[] args)
    {
        await using var kit = await ErrorQueueTestKit.CreateAsync();
        var errorQueue = await kit.QueueAsync("-stage_error");
        await kit.QueueAsync("-stage");
        var id = await kit.PublishFaultAsync(errorQueue, kit.Prefix + "-stage");

        var (exit, _, stderr) = await ErrorQueueTestKit.RunBusctlAsync(args.Select(a => a.Replace("{prefix}", kit.Prefix)).ToArray());

        Assert.True(exit == 2, $"{why}: exit {exit}, {stderr}");
        Assert.StartsWith("busctl: ", stderr);
        Assert.Equal([id], (await kit.PeekAsync(errorQueue)).Select(m => Guid.Parse(m.MessageId!)));
    }
}
