using Bus.Workflows.Steps;

namespace Bus.Restore.SpotTests;

/// <summary>Queue names of the spot test endpoints, by the kit's rule (<see cref="WorkflowQueues"/>).</summary>
public static class SpotTestEndpoints
{
    public static readonly WorkflowQueues Queues = new("spot-test");

    public static string Saga => Queues.Saga;
    public static string Validate => Queues.Step("validate");
    public static string Finish => Queues.Step("finish");
}
