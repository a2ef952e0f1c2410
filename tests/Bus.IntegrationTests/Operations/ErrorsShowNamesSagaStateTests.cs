using System.Text.Json;

namespace Bus.IntegrationTests.Operations;

/// <summary>busctl errors show names the saga's state from bus.saga_status; busctl sagas show lists the saga's faulted message.</summary>
public class ErrorsShowNamesSagaStateTests
{
    [Fact]
    public async Task Errors_show_and_sagas_show_link_a_faulted_message_and_its_saga()
    {
        await using var rows = new SagaRows();
        var saga = await rows.DeletionAsync("Faulted", TimeSpan.FromMinutes(5), faultReason: "boom");
        await using var kit = await ErrorQueueTestKit.CreateAsync();
        var errorQueue = await kit.QueueAsync("-stage_error");
        await kit.QueueAsync("-stage");
        var messageId = await kit.PublishFaultAsync(errorQueue, kit.Prefix + "-stage", correlationId: saga);

        var (exit, stdout, stderr) = await ErrorQueueTestKit.RunBusctlAsync("errors", "show", errorQueue, "--json");
        Assert.True(exit == 0, stderr);
        var shown = Assert.Single(JsonDocument.Parse(stdout).RootElement.GetProperty("messages").EnumerateArray()).GetProperty("saga");
        Assert.Equal(("deletion", "Faulted"), (shown.GetProperty("sagaType").GetString(), shown.GetProperty("currentState").GetString()));

        (exit, stdout, stderr) = await ErrorQueueTestKit.RunBusctlAsync("sagas", "show", saga.ToString(), "--json");
        Assert.True(exit == 0, stderr);
        var related = Assert.Single(JsonDocument.Parse(stdout).RootElement.GetProperty("errorMessages").EnumerateArray());
        Assert.Equal((errorQueue, messageId.ToString()), (related.GetProperty("queue").GetString(), related.GetProperty("messageId").GetString()));
        Assert.Equal(1u, await kit.CountAsync(errorQueue));
    }

    [Fact]
    public async Task Errors_show_finds_the_saga_of_a_step_command_by_its_id_property()
    {
        await using var rows = new SagaRows();
        var saga = await rows.IngestAsync("Storing", TimeSpan.FromMinutes(5), currentStep: "Store", storeAttempts: 2);
        await using var kit = await ErrorQueueTestKit.CreateAsync();
        var errorQueue = await kit.QueueAsync("-store_error");
        await kit.QueueAsync("-store");
        // A step command: the saga's id is the message's IngestId; the envelope's correlation id is someone else's.
        var messageId = await kit.PublishFaultAsync(errorQueue, kit.Prefix + "-store", "urn:message:Bus.Ingest.StateMachines.Messages:StoreFiles",
            correlationId: Guid.NewGuid(), message: new { ingestId = saga });

        var (exit, stdout, stderr) = await ErrorQueueTestKit.RunBusctlAsync("errors", "show", errorQueue, "--json");
        Assert.True(exit == 0, stderr);
        var shown = Assert.Single(JsonDocument.Parse(stdout).RootElement.GetProperty("messages").EnumerateArray()).GetProperty("saga");
        Assert.Equal(JsonValueKind.Object, shown.ValueKind);
        Assert.Equal(("ingest", saga.ToString(), "Storing"),
            (shown.GetProperty("sagaType").GetString(), shown.GetProperty("correlationId").GetString(), shown.GetProperty("currentState").GetString()));

        (exit, stdout, stderr) = await ErrorQueueTestKit.RunBusctlAsync("sagas", "show", saga.ToString(), "--json");
        Assert.True(exit == 0, stderr);
        var related = Assert.Single(JsonDocument.Parse(stdout).RootElement.GetProperty("errorMessages").EnumerateArray());
        Assert.Equal((errorQueue, messageId.ToString()), (related.GetProperty("queue").GetString(), related.GetProperty("messageId").GetString()));
    }
}
