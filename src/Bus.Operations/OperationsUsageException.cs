namespace Bus.Operations;

/// <summary>The operator asked for something that cannot be done as asked (unknown queue, missing table...): busctl exits 2.</summary>
public sealed class OperationsUsageException(string message) : Exception(message);
