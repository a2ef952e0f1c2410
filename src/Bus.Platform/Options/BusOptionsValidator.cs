using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Bus.Platform.Options;

/// <summary>
/// Validates a module's options at start-up. Messages name the full configuration key
/// (e.g. <c>Bus:RabbitMq:Port</c>) so an operator knows exactly what to fix. In the Test
/// environment every endpoint must be loopback, so tests can never touch a real deployment. In the
/// Production environment (the default when DOTNET_ENVIRONMENT is unset) no secret may be empty or one of
/// the local stack's defaults, so a deployment never runs on credentials published in this repository.
/// </summary>
public sealed class BusOptionsValidator<T>(IHostEnvironment environment) : IValidateOptions<T> where T : class, IBusOptions
{
    public ValidateOptionsResult Validate(string? name, T options)
    {
        var failures = Check(options, environment.EnvironmentName).ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>The local stack's credentials (README): refused as secrets in Production.</summary>
    public static readonly IReadOnlySet<string> DefaultSecrets = new HashSet<string>(StringComparer.Ordinal) { "bus", "bus-secret" };

    public static IEnumerable<string> Check(T options, string environmentName)
    {
        foreach (var e in options.Validate())
            yield return $"{options.SectionName}:{e.Key} {e.Message}";
        if (string.Equals(environmentName, "Production", StringComparison.OrdinalIgnoreCase))
            foreach (var (key, value) in options.Secrets())
                if (string.IsNullOrWhiteSpace(value) || DefaultSecrets.Contains(value))
                    yield return $"{options.SectionName}:{key} is {(string.IsNullOrWhiteSpace(value) ? "empty" : "a default password")}: " +
                        "set a real secret in Production (or DOTNET_ENVIRONMENT=Development for the local stack)";
        if (string.Equals(environmentName, "Test", StringComparison.OrdinalIgnoreCase))
            foreach (var host in options.Endpoints().Where(h => !IsLoopback(h)))
                yield return $"{options.SectionName} points at '{host}', but the Test environment only allows loopback endpoints";
    }

    public static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
}
