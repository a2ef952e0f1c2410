using System.Text.Json;
using Bus.Operations.ErrorQueues;
using Bus.Operations.Sagas;
using Microsoft.Extensions.DependencyInjection;

namespace Bus.IntegrationTests.Operations;

/// <summary>errors show: why it failed (headers, stack trace), the body as indented JSON, and the saga from the plugged-in lookup.</summary>
public class ShowMessageDetailsTests
{
    private sealed class OneSaga(Guid correlationId) : ISagaLookup
    {
        public Task<SagaSnapshot?> FindAsync(Guid id, IReadOnlyList<string> messageTypes, CancellationToken cancellationToken) =>
            Task.FromResult(id == correlationId
                ? new SagaSnapshot("IngestSaga", id, "Validating", DateTimeOffset.UnixEpoch, new Dictionary<string, string?> { ["bag"] = "b1" })
                : null);
    }

    [Fact]
    public async Task Show_gives_fault_headers_indented_body_stack_trace_and_the_saga_by_correlation_id()
    {
        var correlationId = Guid.NewGuid();
        await using var kit = await ErrorQueueTestKit.CreateAsync(s => s.AddSingleton<ISagaLookup>(new OneSaga(correlationId)));
        var errorQueue = await kit.QueueAsync("-stage_error");
        await kit.PublishFaultAsync(errorQueue, kit.Prefix + "-stage");
        var id = await kit.PublishFaultAsync(errorQueue, kit.Prefix + "-stage", correlationId: correlationId);

        var view = Assert.Single(await kit.Get<ErrorQueueService>().ShowAsync(errorQueue, id, 10, CancellationToken.None));

        Assert.Equal((1, id.ToString(), "System.InvalidOperationException", "poisoned"), (view.Position, view.MessageId, view.ExceptionType, view.ExceptionMessage));
        Assert.Equal("   at Somewhere.Consume()", view.StackTrace);
        Assert.Equal("test-host", view.HostHeaders["MT-Host-MachineName"]);
        Assert.Contains("\n  \"messageId\"", view.Body);
        Assert.Equal(("IngestSaga", "Validating"), (view.Saga?.SagaType, view.Saga?.CurrentState));

        var (exit, stdout, stderr) = await ErrorQueueTestKit.RunBusctlAsync("errors", "show", errorQueue, "--limit", "5", "--json");
        Assert.True(exit == 0, stderr);
        var messages = JsonDocument.Parse(stdout).RootElement.GetProperty("messages");
        Assert.Equal(2, messages.GetArrayLength());
        Assert.Equal(JsonValueKind.Null, messages[1].GetProperty("saga").ValueKind); // busctl has no saga module yet
        Assert.Equal(2u, await kit.CountAsync(errorQueue));
    }
}
