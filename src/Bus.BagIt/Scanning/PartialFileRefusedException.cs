namespace Bus.BagIt.Scanning;

/// <summary>
/// A paused file cannot be continued: its saved digest states are refused (damaged, another OpenSSL
/// build) or the sink's state is (its upload is gone). Never a wrong digest: the caller reads the
/// file again from <see cref="PartialEntry.HeaderOffset"/>, unpaused this time
/// (<see cref="TarScanState.UnpausablePaths"/>), after <see cref="IPausableBagFileSink.DiscardAsync"/>.
/// </summary>
public sealed class PartialFileRefusedException(string path, string reason, Exception? inner = null)
    : Exception($"the checkpoint inside '{path}' cannot be continued: {reason}", inner);
