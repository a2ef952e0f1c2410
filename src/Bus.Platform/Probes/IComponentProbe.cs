namespace Bus.Platform.Probes;

/// <summary>Checks one server Bus depends on. Shared by the host's health checks and <c>busctl status</c>.</summary>
public interface IComponentProbe
{
    Task<IReadOnlyList<ProbeResult>> ProbeAsync(CancellationToken cancellationToken);
}
