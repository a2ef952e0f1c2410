using Bus.Contracts.Fixity;
using Bus.Fixity;
using Bus.IntegrationTests.Support;
using MassTransit;

namespace Bus.IntegrationTests.Fixity;

public class When_the_host_is_killed_mid_check
{
    [Fact]
    public async Task Should_finish_the_check_after_a_restart()
    {
        await using var stack = await FixityStack.CreateAsync();
        // Big enough that reading it takes a while, so the kill lands while the copy is being read.
        var file = await stack.PreserveAsync("big.bin", 128 * 1024 * 1024);
        var hostArgs = stack.HostArgs().Where(a => !a.StartsWith("--Bus:Host:HealthUrl", StringComparison.Ordinal)).ToArray(); // RunningHost picks a free port
        var first = RunningHost.Start(stack.VirtualHost.Environment, hostArgs);
        try
        {
            await first.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
            await using var bus = new AsyncBus(await SweepHarness.StartBusAsync(stack));
            var started = await stack.Ledger.StartAsync([new Bus.Fixity.Checks.CheckRequest(file.PrimaryCopyId, file.Identifier, FixityStack.Storage.PrimaryBucket)],
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
            Posix.Kill(first.Process.Id, Posix.SigKill);
            await first.Process.WaitForExitAsync(TimeSpan.FromSeconds(30));
            Assert.DoesNotContain($"Fixity check {checkId}: {FixityStack.Storage.PrimaryBucket}/{file.Key} is", first.Process.Stdout, StringComparison.Ordinal);
            Assert.Null((await stack.Ledger.GetAsync([checkId], CancellationToken.None)).Single().CompletedAt);

            await using var second = RunningHost.Start(stack.VirtualHost.Environment, hostArgs);
            await second.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
            var outcome = await stack.OutcomeAsync(checkId, TimeSpan.FromMinutes(3));

            Assert.Equal(FixityOutcomes.Intact, outcome.Outcome);
        }
        finally
        {
            await first.DisposeAsync();
        }
    }
}
