using Bus.Ingest.StateMachines.Messages;
using Bus.Contracts.Ingest;
using Bus.Workflows.Steps;
using MassTransit;

namespace Bus.Ingest.Steps;

/// <summary>An ingest step's run (<see cref="StepRun{T}"/>), reported as ingest's step events.</summary>
public static class IngestStep
{
    public static Task<StepRun<T>> BeginAsync<T>(ConsumeContext<T> context, Guid ingestId, string step, TimeSpan slice) where T : class =>
        StepRun<T>.BeginAsync(context, Reporter.Instance, ingestId, step, slice);

    private sealed class Reporter : IStepReporter
    {
        public static readonly Reporter Instance = new();

        public Task StartedAsync(IPublishEndpoint publisher, Guid workflowId, string step, DateTimeOffset at) =>
            publisher.Publish(new IngestStepStarted(workflowId, step, at));

        public Task ProgressAsync(IPublishEndpoint publisher, Guid workflowId, string step, long done, long total, DateTimeOffset at) =>
            publisher.Publish(new IngestStepProgress(workflowId, step, done, total, at), CancellationToken.None);

        public Task FailedAsync(IPublishEndpoint publisher, Guid workflowId, string step, string code, string message, DateTimeOffset at) =>
            publisher.Publish(new IngestStepFailed(workflowId, step, code, message, at));
    }
}
