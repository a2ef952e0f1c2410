using Bus.BagIt;
using Bus.Contracts.Ingest;
using Bus.Ingest.StateMachines.Messages;

namespace Bus.Ingest.Steps;

/// <summary>
/// The one bound on what a rejection carries (<see cref="BagInvalid"/>, the bag row's problems, the
/// saga's rejections): at most <see cref="BagIssueList.MaxKept"/> reasons in the order given, then one
/// <see cref="BagIssueCodes.MoreReasons"/> reason counting the rest (one already in the list, from the
/// validator, is added into it); each message and path cut as <see cref="BagIssue"/> cuts them. A
/// bag's text can then never make a message larger than the broker's frame limit.
/// </summary>
public static class RejectionReasons
{
    public static List<IngestRejection> Bounded(IEnumerable<IngestRejection> reasons)
    {
        var bounded = new BagIssueList();
        foreach (var reason in reasons) bounded.Add(new BagIssue(reason.Code, reason.Message, reason.Path));
        return bounded.Summarized().Select(i => new IngestRejection(i.Code, i.Message, i.Path)).ToList();
    }

    public static List<IngestRejection> Bounded(IEnumerable<BagIssue> issues) =>
        Bounded(issues.Select(i => new IngestRejection(i.Code, i.Message, i.Path)));
}
