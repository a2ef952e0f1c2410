using Bus.Restore.SpotTests;
using Bus.Tests.Workflows;
using Bus.Workflows.Steps;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Bus.Tests.Restore;

/// <summary>The spot test saga alone on the in-memory harness, with the registry and options a scenario gives (the restore and the steps are played by the test).</summary>
public sealed class SpotTestSagaHarness : IAsyncDisposable
{
    private readonly ServiceProvider _provider;

    public ITestHarness Harness { get; }
    public ISagaStateMachineTestHarness<SpotTestStateMachine, SpotTestState> Sagas { get; private set; } = null!;
    private SpotTestStateMachine Machine { get; }

    private SpotTestSagaHarness(ServiceProvider provider)
    {
        _provider = provider;
        Harness = provider.GetRequiredService<ITestHarness>();
        Machine = provider.GetRequiredService<SpotTestStateMachine>();
    }

    public static async Task<SpotTestSagaHarness> StartAsync(ISpotTestRegistry registry, SpotTestOptions options)
    {
        var services = new ServiceCollection();
        services.AddSingleton(registry);
        services.AddSingleton(Options.Create(options));
        services.AddSingleton<IEndpointOutbox>(HarnessOutbox.InMemory);
        services.AddMassTransitTestHarness(x =>
        {
            x.AddDelayedMessageScheduler();
            x.AddSagaStateMachine<SpotTestStateMachine, SpotTestState, SpotTestStateMachineDefinition>().InMemoryRepository();
            x.UsingInMemory((context, cfg) =>
            {
                cfg.UseDelayedMessageScheduler();
                cfg.ConfigureEndpoints(context);
            });
        });
        var world = new SpotTestSagaHarness(services.BuildServiceProvider(true));
        world.Harness.Patient();
        await world.Harness.Start();
        world.Sagas = world.Harness.GetSagaStateMachineHarness<SpotTestStateMachine, SpotTestState>();
        return world;
    }

    public async Task<SpotTestState> WaitForAsync(Guid id, Func<SpotTestStateMachine, State> state)
    {
        var found = await Sagas.Exists(id, state, Harness.TestTimeout);
        Assert.True(found.HasValue, $"spot test {id} did not reach {state(Machine).Name}; it is {Sagas.Sagas.Contains(id)?.CurrentState}");
        return Sagas.Sagas.Contains(id)!;
    }

    public async ValueTask DisposeAsync()
    {
        await Harness.Stop();
        await _provider.DisposeAsync();
    }
}
