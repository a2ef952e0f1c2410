using Bus.Workflows.Steps;

namespace Bus.Notifications;

/// <summary>Queue names of the notify role (<see cref="WorkflowQueues"/>'s rule): each on its own queue, so a slow receiver never holds another workflow's.</summary>
public static class NotificationEndpoints
{
    public static readonly WorkflowQueues Queues = new("notify");

    public static string Dispatch => Queues.Step("dispatch");
    public static string Deliver => Queues.Step("deliver");
    public static string Events => Queues.Step("events");
}
