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
    public static readonly IReadOnlySet<string> DefaultSecrets = new HashSet<string>(StringComparer.Ordinal) { "bus", "bus-owner", "bus-secret" };

    public static IEnumerable<string> Check(T options, string environmentName)
    {
        foreach (var e in options.Validate())
            yield return $"{options.SectionName}:{e.Key} {e.Message}";
        if (IsProduction(environmentName))
        {
            foreach (var refused in RefusedSecrets(options.SectionName, options.Secrets()))
                yield return refused;
            foreach (var e in options.ValidateProduction())
                yield return $"{options.SectionName}:{e.Key} {e.Message}";
        }
        if (string.Equals(environmentName, "Test", StringComparison.OrdinalIgnoreCase))
            foreach (var host in options.Endpoints().Where(h => !IsLoopback(h)))
                yield return $"{options.SectionName} points at '{host}', but the Test environment only allows loopback endpoints";
    }

    public static bool IsProduction(string environmentName) => string.Equals(environmentName, "Production", StringComparison.OrdinalIgnoreCase);

    /// <summary>The secrets among <paramref name="secrets"/> that are empty or a local-stack default, as errors naming each key.</summary>
    public static IEnumerable<string> RefusedSecrets(string sectionName, IEnumerable<(string Key, string? Value)> secrets)
    {
        foreach (var (key, value) in secrets)
            if (string.IsNullOrWhiteSpace(value) || DefaultSecrets.Contains(value))
                yield return $"{sectionName}:{key} is {(string.IsNullOrWhiteSpace(value) ? "empty" : "a default password")}: " +
                    "set a real secret in Production (or DOTNET_ENVIRONMENT=Development for the local stack)";
    }

    public static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
}
