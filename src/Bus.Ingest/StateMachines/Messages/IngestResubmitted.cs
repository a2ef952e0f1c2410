using Bus.Contracts.Ingest;

namespace Bus.Ingest.StateMachines.Messages;

/// <summary>
/// An ended ingest hands a later submission of its upload to its successor. The successor's id is
/// derived from the predecessor's, never taken from the message, so duplicates of one submission meet
/// in one successor and a message cannot pick an id.
/// </summary>
public sealed record IngestResubmitted(Guid PredecessorId, SubmitIngest Submission)
{
    public Guid IngestId => IngestIds.SuccessorOf(PredecessorId);
}
