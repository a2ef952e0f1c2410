using System.Net.Http.Json;
using System.Text.Json;

namespace Bus.IntegrationTests.Support;

/// <summary>The published bus-host started as a process on a free health port.</summary>
public sealed class RunningHost : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private RunningHost(ExternalProcess process, Uri healthUrl)
    {
        Process = process;
        HealthUrl = healthUrl;
    }

    public ExternalProcess Process { get; }
    public Uri HealthUrl { get; }

    public static RunningHost Start(params string[] extraArgs) => Start(null, extraArgs);

    public static RunningHost Start(IDictionary<string, string>? environment, params string[] extraArgs)
    {
        var url = new Uri($"http://127.0.0.1:{FreePort.Next()}");
        var process = ExternalProcess.Start(RepoPaths.BusHost, [$"--Bus:Host:HealthUrl={url}", .. extraArgs], environment);
        return new RunningHost(process, url);
    }

    /// <summary>Polls /health/ready until it reports Healthy; returns the last report.</summary>
    public async Task<JsonElement> WaitUntilHealthyAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        JsonElement last = default;
        while (DateTime.UtcNow < deadline)
        {
            if (Process.HasExited) throw new InvalidOperationException($"bus-host exited with {Process.ExitCode}: {Process.Stderr}{Process.Stdout}");
            try
            {
                using var response = await Http.GetAsync(new Uri(HealthUrl, "/health/ready"));
                last = await response.Content.ReadFromJsonAsync<JsonElement>();
                if (last.GetProperty("status").GetString() == "Healthy") return last;
            }
            catch (HttpRequestException) { }
            await Task.Delay(250);
        }
        throw new TimeoutException($"bus-host not healthy after {timeout}; last report {last}; stderr {Process.Stderr}");
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
