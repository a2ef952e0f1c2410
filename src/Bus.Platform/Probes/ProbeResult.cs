namespace Bus.Platform.Probes;

/// <summary>Whether one component answered, and in words why not.</summary>
public sealed record ProbeResult(string Component, string Endpoint, bool Up, string Detail);
