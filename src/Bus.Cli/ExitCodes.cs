namespace Bus.Cli;

/// <summary>busctl's exit codes (documented in README.md).</summary>
public static class ExitCodes
{
    public const int Success = 0;
    /// <summary>The command ran and reports a negative outcome (invalid bag, refused request, component down is 2).</summary>
    public const int Negative = 1;
    /// <summary>Bad usage, bad input file, or a server that cannot be reached.</summary>
    public const int UsageOrConnection = 2;
    public const int IngestRejected = 3;
    public const int IngestFailed = 4;
}
