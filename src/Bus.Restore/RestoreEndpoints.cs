using Bus.Workflows.Steps;

namespace Bus.Restore;

/// <summary>Queue names of the restore endpoints, by the kit's rule (<see cref="WorkflowQueues"/>).</summary>
public static class RestoreEndpoints
{
    public static readonly WorkflowQueues Queues = new("restore");

    public static string Saga => Queues.Saga;
    public static string Prepare => Queues.Step("prepare");
    public static string Write => Queues.Step("write");
}
