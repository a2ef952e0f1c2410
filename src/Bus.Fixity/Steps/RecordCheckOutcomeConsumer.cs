using Bus.Workflows.Copies;
using Bus.Contracts.Fixity;
using MassTransit;
using Bus.Fixity.Data;
using Bus.Fixity.StateMachines;
using Bus.Persistence.Transactions;

namespace Bus.Fixity.Steps;

/// <summary>Writes each check's outcome to <c>fixity.checks</c>, where busctl fixity check --wait and status read it.</summary>
public sealed class RecordCheckOutcomeConsumer(ICheckLedger ledger) : IConsumer<FixityCheckCompleted>
{
    public async Task Consume(ConsumeContext<FixityCheckCompleted> context)
    {
        await ledger.CompleteAsync(context.Message, context.CancellationToken);
        context.AfterCommit(() => FixityMetrics.Finished(context.Message.Outcome));
    }
}
