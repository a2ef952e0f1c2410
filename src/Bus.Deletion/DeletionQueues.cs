using Bus.Workflows.Steps;

namespace Bus.Deletion;

/// <summary>Queue names of the deletion saga and its step, by the kit's rule (<see cref="WorkflowQueues"/>).</summary>
public static class DeletionQueues
{
    public static readonly WorkflowQueues Queues = new("deletion");

    /// <summary><c>deletion-state</c>.</summary>
    public static string Saga => Queues.Saga;

    /// <summary><c>deletion-delete-item</c> (was <c>delete-item</c>).</summary>
    public static string DeleteItem => Queues.Step("delete-item");
}
