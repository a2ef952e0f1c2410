using Bus.Workflows.Copies;
using Bus.Workflows.Copies.Data;
using System.Diagnostics;
using Bus.Contracts.Fixity;
using Bus.Fixity;
using Bus.IntegrationTests.Support;
using MassTransit;
using Bus.Fixity.Data;

namespace Bus.IntegrationTests.Fixity;

public class When_the_host_is_stopped_mid_check
{
    [Fact]
    public async Task Should_checkpoint_stop_within_ten_seconds_and_let_the_next_host_continue()
    {
        await using var stack = await FixityStack.CreateAsync();
        var file = await stack.PreserveAsync("big.bin", 128 * 1024 * 1024);
        // The default five-minute slice: only SIGTERM can end the first slice before the end of the copy.
        var hostArgs = stack.HostArgs("--Bus:Fixity:ReadBufferKiB=16")
            .Where(a => !a.StartsWith("--Bus:Host:HealthUrl", StringComparison.Ordinal)).ToArray();
        var first = RunningHost.Start(stack.VirtualHost.Environment, hostArgs);
        try
        {
            await first.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
            await using var bus = new AsyncBus(await SweepHarness.StartBusAsync(stack));
            var started = await stack.Ledger.StartAsync([new CheckRequest(file.PrimaryCopyId, file.Identifier, FixityStack.Primary)],
                "test", DateTimeOffset.UtcNow, TimeSpan.FromHours(1), CancellationToken.None);
            var checkId = Assert.Single(started).CheckId;
            var endpoint = await bus.Bus.GetSendEndpoint(new Uri($"queue:{FixityEndpoints.Check}"));
            await endpoint.Send(new CheckFixity(checkId, file.PrimaryCopyId, "test", DateTimeOffset.UtcNow));

            var reading = $"Fixity check {checkId}: reading";
            var until = DateTime.UtcNow + TimeSpan.FromMinutes(1);
            while (!first.Process.Stdout.Contains(reading, StringComparison.Ordinal))
            {
                if (DateTime.UtcNow > until) throw new TimeoutException("the host never started reading the copy: " + first.Process.Stdout);
                await Task.Delay(20);
            }
            var stopping = Stopwatch.StartNew();
            first.Process.Terminate();
            await first.Process.WaitForExitAsync(TimeSpan.FromSeconds(30));
            Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(10), $"the host took {stopping.Elapsed} to stop");

            var checkpoint = Assert.Single(await stack.Slices.ListAsync(checkId, CancellationToken.None));
            Assert.Equal(SliceEnds.HostStopping, checkpoint.Ended);
            Assert.InRange(checkpoint.ToOffset, 1, file.Content.Length - 1);

            await using var second = RunningHost.Start(stack.VirtualHost.Environment, hostArgs);
            await second.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
            var outcome = await stack.OutcomeAsync(checkId, TimeSpan.FromMinutes(3));

            Assert.Equal(FixityOutcomes.Intact, outcome.Outcome);
            var slices = await stack.Slices.ListAsync(checkId, CancellationToken.None);
            FixityStack.AssertContiguous(slices, file.Content.Length);
            Assert.Equal(checkpoint.ToOffset, slices[1].FromOffset);
        }
        finally
        {
            await first.DisposeAsync();
        }
    }
}
