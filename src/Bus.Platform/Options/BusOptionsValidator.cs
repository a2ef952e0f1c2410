using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Bus.Platform.Options;

/// <summary>
/// Validates a module's options at start-up. Messages name the full configuration key
/// (e.g. <c>Bus:RabbitMq:Port</c>) so an operator knows exactly what to fix. In the Test
/// environment every endpoint must be loopback, so tests can never touch a real deployment.
/// </summary>
public sealed class BusOptionsValidator<T>(IHostEnvironment environment) : IValidateOptions<T> where T : class, IBusOptions
{
    public ValidateOptionsResult Validate(string? name, T options)
    {
        var failures = Check(options, environment.EnvironmentName).ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    public static IEnumerable<string> Check(T options, string environmentName)
    {
        foreach (var e in options.Validate())
            yield return $"{options.SectionName}:{e.Key} {e.Message}";
        if (string.Equals(environmentName, "Test", StringComparison.OrdinalIgnoreCase))
            foreach (var host in options.Endpoints().Where(h => !IsLoopback(h)))
                yield return $"{options.SectionName} points at '{host}', but the Test environment only allows loopback endpoints";
    }

    public static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
}
