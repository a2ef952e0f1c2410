using System.Net.Http.Headers;
using Microsoft.Extensions.Options;

namespace Bus.Notifications.Delivery;

/// <summary>
/// POSTs the JSON body to the named webhook with its HMAC signature and the delivery id. Any 2xx is delivered;
/// anything else, a timeout or a network error is a failed attempt. Redirects are not followed (a signed body is
/// meant for the configured URL only) and the response body is never read, so a receiver cannot make the host
/// wait past the timeout or hold its answer in memory.
/// </summary>
public sealed class WebhookChannel(IOptions<NotificationOptions> options) : INotificationChannel, IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = options.Value.RequestTimeout,
    })
    { Timeout = options.Value.RequestTimeout };

    public string Name => NotificationChannels.Webhook;

    public async Task<DeliveryAttempt> SendAsync(Guid deliveryId, int attempt, string target, Notice notice, CancellationToken cancellationToken)
    {
        var webhook = options.Value.Webhooks.FirstOrDefault(w => w.Name == target);
        if (webhook?.Uri is null) return DeliveryAttempt.Failed($"webhook '{target}' is no longer configured");
        var body = NotificationPayload.Body(deliveryId, notice);
        using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Uri) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add(NotificationPayload.SignatureHeader, NotificationPayload.Signature(webhook.Secret, body));
        request.Headers.Add(NotificationPayload.DeliveryHeader, deliveryId.ToString());
        request.Headers.Add(NotificationPayload.IdempotencyHeader, deliveryId.ToString());
        request.Headers.Add(NotificationPayload.KindHeader, notice.Kind);
        request.Headers.Add(NotificationPayload.AttemptHeader, attempt.ToString(System.Globalization.CultureInfo.InvariantCulture));
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            return response.IsSuccessStatusCode
                ? DeliveryAttempt.Ok
                : DeliveryAttempt.Failed($"{webhook.Uri} answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return DeliveryAttempt.Failed($"{webhook.Uri} did not answer within {options.Value.RequestTimeout}");
        }
        catch (HttpRequestException e)
        {
            return DeliveryAttempt.Failed($"{webhook.Uri}: {e.Message}");
        }
    }

    public void Dispose() => _http.Dispose();
}
