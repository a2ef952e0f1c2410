using Bus.Contracts.Fixity;
using Bus.Fixity;
using Bus.IntegrationTests.Support;
using MassTransit;
using Bus.Fixity.Data;

namespace Bus.IntegrationTests.Fixity;

public class When_the_host_is_killed_mid_check
{
    [Fact]
    public async Task Should_resume_from_its_last_checkpoint_after_a_restart()
    {
        await using var stack = await FixityStack.CreateAsync();
        // Big enough, with a tiny slice, that the kill lands after some checkpoints and before the end.
        var file = await stack.PreserveAsync("big.bin", 128 * 1024 * 1024);
        var hostArgs = stack.HostArgs("--Bus:Fixity:TimeSlice=00:00:00.2", "--Bus:Fixity:ReadBufferKiB=256")
            .Where(a => !a.StartsWith("--Bus:Host:HealthUrl", StringComparison.Ordinal)).ToArray(); // RunningHost picks a free port
        var first = RunningHost.Start(stack.VirtualHost.Environment, hostArgs);
        try
        {
            await first.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
            await using var bus = new AsyncBus(await SweepHarness.StartBusAsync(stack));
            var started = await stack.Ledger.StartAsync([new Bus.Fixity.Data.CheckRequest(file.PrimaryCopyId, file.Identifier, FixityStack.Primary)],
                "test", DateTimeOffset.UtcNow, TimeSpan.FromHours(1), CancellationToken.None);
            var checkId = Assert.Single(started).CheckId;
            var endpoint = await bus.Bus.GetSendEndpoint(new Uri($"queue:{FixityEndpoints.Check}"));
            await endpoint.Send(new CheckFixity(checkId, file.PrimaryCopyId, "test", DateTimeOffset.UtcNow));

            var beforeKill = await stack.SlicesAsync(checkId, 2, TimeSpan.FromMinutes(1));
            Posix.Kill(first.Process.Id, Posix.SigKill);
            await first.Process.WaitForExitAsync(TimeSpan.FromSeconds(30));
            var checkpoint = (await stack.Slices.LatestAsync(checkId, CancellationToken.None))!;
            Assert.True(checkpoint.ToOffset > 0 && checkpoint.ToOffset < file.Content.Length, $"the kill should land mid-copy: checkpoint at {checkpoint.ToOffset}");
            Assert.Null((await stack.Ledger.GetAsync([checkId], CancellationToken.None)).Single().CompletedAt);

            await using var second = RunningHost.Start(stack.VirtualHost.Environment, hostArgs);
            await second.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
            var outcome = await stack.OutcomeAsync(checkId, TimeSpan.FromMinutes(3));

            Assert.Equal(FixityOutcomes.Intact, outcome.Outcome);
            var slices = await stack.Slices.ListAsync(checkId, CancellationToken.None);
            FixityStack.AssertContiguous(slices, file.Content.Length);
            // The restarted host went on from the checkpoint the killed one left, not from byte 0.
            var resumed = slices.First(s => s.Host != beforeKill[0].Host);
            Assert.Equal(checkpoint.Slice + 1, resumed.Slice);
            Assert.Equal(checkpoint.ToOffset, resumed.FromOffset);
        }
        finally
        {
            await first.DisposeAsync();
        }
    }
}
