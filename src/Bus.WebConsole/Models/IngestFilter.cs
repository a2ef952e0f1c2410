namespace Bus.WebConsole.Models;

/// <summary>The ingests list's filters, as they came in the query string (each optional).</summary>
public sealed record IngestFilter(string? State, string? Name, string? Institution)
{
    public const int PageSize = 100;

    public static readonly IReadOnlyList<string> States =
        ["Received", "WaitingForItem", "Unpacking", "Validating", "Identifying", "Storing", "Verifying", "Recording", "CleaningUp",
         "Completed", "Rejected", "Failed", "Cancelled", "Faulted"];

    public static readonly IReadOnlyList<string> Ended = ["Completed", "Rejected", "Failed", "Cancelled"];

    /// <summary>Known state only (case-insensitive): anything else is ignored, not passed to SQL.</summary>
    public string? KnownState => States.FirstOrDefault(s => s.Equals(State, StringComparison.OrdinalIgnoreCase));
}
