using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Bus.Platform.Messaging;
using Bus.Platform.Options;

namespace Bus.Cli.Commands;

/// <summary>
/// The RabbitMQ user of one institution's integrators, made through the management API with the
/// host's (administrator) credentials: on the configured vhost it may write only the SubmitIngest
/// exchange, configure nothing (so it can neither declare nor delete anything) and read nothing. The
/// ingest saga accepts its submits only for its own institution (AMQP user_id). See docs/security.md.
/// </summary>
public static class IntegratorBrokerUser
{
    /// <summary>Creates (or resets the password of) the institution's integrator user; returns its name and the new password.</summary>
    public static async Task<(string User, string Password)> CreateAsync(RabbitMqOptions options, string institution, CancellationToken cancellationToken)
    {
        var user = BrokerIdentity.IntegratorUser(institution);
        var password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');
        using var http = new HttpClient(RabbitMqTls.ManagementHandler(options)) { BaseAddress = options.ManagementUri, Timeout = TimeSpan.FromSeconds(15) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{options.Username}:{options.Password}")));
        await PutAsync(http, $"api/users/{Uri.EscapeDataString(user)}", new { password, tags = "" }, cancellationToken);
        await PutAsync(http, $"api/permissions/{Uri.EscapeDataString(options.VirtualHost)}/{Uri.EscapeDataString(user)}", new
        {
            configure = "^$",
            write = "^" + System.Text.RegularExpressions.Regex.Escape(BrokerIdentity.SubmitIngestExchange) + "$",
            read = "^$",
        }, cancellationToken);
        return (user, password);
    }

    private static async Task PutAsync(HttpClient http, string path, object body, CancellationToken cancellationToken)
    {
        using var response = await http.PutAsJsonAsync(path, body, cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"RabbitMQ management API at {http.BaseAddress} answered {(int)response.StatusCode} {response.ReasonPhrase} for /{path}");
    }
}
