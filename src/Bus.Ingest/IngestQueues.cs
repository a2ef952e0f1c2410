using Bus.Workflows.Steps;
using Microsoft.Extensions.Options;

namespace Bus.Ingest;

/// <summary>
/// Queue names of the ingest saga and its steps, by the kit's rule (<see cref="WorkflowQueues"/>):
/// <c>&lt;Bus:Ingest:QueuePrefix&gt;ingest-&lt;step&gt;</c>. The saga sends commands to these addresses.
/// </summary>
public sealed class IngestQueues(IOptions<IngestOptions> options)
{
    private readonly WorkflowQueues _queues = new("ingest", options.Value.QueuePrefix);

    public string Saga => _queues.Saga;
    public string Unpack => _queues.Step("unpack");
    public string Validate => _queues.Step("validate");
    public string Identify => _queues.Step("identify");
    public string Store => _queues.Step("store");
    public string Verify => _queues.Step("verify");
    public string Record => _queues.Step("record");
    public string CleanUp => _queues.Step("cleanup");
    public string Compensate => _queues.Step("compensate");

    public static Uri Address(string queue) => WorkflowQueues.Address(queue);
}
