using Bus.Workflows.Copies;
using Bus.Contracts.Fixity;
using MassTransit;
using Bus.Fixity.Data;

namespace Bus.Fixity.Steps;

/// <summary>Writes each check's outcome to <c>fixity.checks</c>, where busctl fixity check --wait and status read it.</summary>
public sealed class RecordCheckOutcomeConsumer(ICheckLedger ledger) : IConsumer<FixityCheckCompleted>
{
    public Task Consume(ConsumeContext<FixityCheckCompleted> context) => ledger.CompleteAsync(context.Message, context.CancellationToken);
}
