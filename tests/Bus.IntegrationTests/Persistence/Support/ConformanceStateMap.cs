using Bus.Persistence.Sagas;

namespace Bus.IntegrationTests.Persistence.Support;

public sealed class ConformanceStateMap : SagaMap<ConformanceState>
{
    public const string Table = "conformance_saga";
    public override string TableName => Table;
}
