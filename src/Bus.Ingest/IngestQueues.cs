using Microsoft.Extensions.Options;

namespace Bus.Ingest;

/// <summary>
/// Queue names of the ingest saga and its steps, one queue per step so each scales on its own
/// (competing consumers across processes). The saga sends commands to these addresses.
/// </summary>
public sealed class IngestQueues(IOptions<IngestOptions> options)
{
    private readonly string _prefix = options.Value.QueuePrefix;

    public string Saga => _prefix + "ingest-state";
    public string Unpack => _prefix + "ingest-unpack";
    public string Validate => _prefix + "ingest-validate";
    public string Identify => _prefix + "ingest-identify";
    public string Store => _prefix + "ingest-store";
    public string Verify => _prefix + "ingest-verify";
    public string Record => _prefix + "ingest-record";
    public string CleanUp => _prefix + "ingest-cleanup";
    public string Compensate => _prefix + "ingest-compensate";

    public static Uri Address(string queue) => new($"queue:{queue}");
}
