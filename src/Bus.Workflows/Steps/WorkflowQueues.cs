namespace Bus.Workflows.Steps;

/// <summary>
/// The one queue-naming rule: a workflow's saga listens on <c>&lt;prefix&gt;&lt;workflow&gt;-state</c>,
/// each step on <c>&lt;prefix&gt;&lt;workflow&gt;-&lt;step&gt;</c> (one queue per step, so each scales on its
/// own: competing consumers across processes). The prefix (ingest's <c>Bus:Ingest:QueuePrefix</c>) lets
/// tests share one virtual host; production leaves it empty.
/// </summary>
public sealed class WorkflowQueues(string workflow, string prefix = "")
{
    public string Workflow { get; } = workflow;
    public string Saga => Step("state");
    public string Step(string step) => $"{prefix}{Workflow}-{step}";

    public static Uri Address(string queue) => new($"queue:{queue}");
}
