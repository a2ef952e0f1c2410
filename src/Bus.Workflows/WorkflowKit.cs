namespace Bus.Workflows;

/// <summary>Marker of the workflow kit assembly (Steps/, Copies/, Coordination/).</summary>
public static class WorkflowKit;
