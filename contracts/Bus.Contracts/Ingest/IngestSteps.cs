namespace Bus.Contracts.Ingest;

/// <summary>
/// Step names: the values of <see cref="IngestStatus.CurrentStep"/>, <see cref="IngestStepTiming.Step"/> and the
/// <c>Step</c> of <see cref="IngestFailed"/> and <see cref="IngestFaulted"/>. The step messages themselves are
/// internal to the ingest workflow (src/Bus.Ingest/StateMachines/Messages).
/// </summary>
public static class IngestSteps
{
    public const string Unpack = "unpack";
    public const string Validate = "validate";
    public const string Identify = "identify";
    public const string Store = "store";
    public const string Verify = "verify";
    public const string Record = "record";
    public const string CleanUp = "cleanup";
    public const string Compensate = "compensate";
}
