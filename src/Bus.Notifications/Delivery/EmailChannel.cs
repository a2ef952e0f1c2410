using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Bus.Notifications.Delivery;

/// <summary>
/// Sends one plain-text mail per recipient through the configured relay (MailKit over SMTP), one session per
/// attempt, bounded by the request timeout. The Message-Id is made from the delivery id, and the delivery id is
/// also an <c>X-Bus-Delivery</c> header, so a repeated attempt is recognisable as the same mail.
/// </summary>
public sealed class EmailChannel(IOptions<NotificationOptions> options) : INotificationChannel
{
    public string Name => NotificationChannels.Email;

    public async Task<DeliveryAttempt> SendAsync(Guid deliveryId, int attempt, string target, Notice notice, CancellationToken cancellationToken)
    {
        var smtp = options.Value.Smtp;
        using var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(smtp.From));
        message.To.Add(MailboxAddress.Parse(target));
        message.Subject = NotificationPayload.Subject(notice);
        message.MessageId = $"{deliveryId:N}@bus.notifications";
        message.Headers.Add(NotificationPayload.DeliveryHeader, deliveryId.ToString());
        message.Headers.Add(NotificationPayload.KindHeader, notice.Kind);
        message.Body = new TextPart("plain") { Text = NotificationPayload.Text(deliveryId, notice) };

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.RequestTimeout);
        using var client = new SmtpClient { Timeout = (int)options.Value.RequestTimeout.TotalMilliseconds };
        try
        {
            await client.ConnectAsync(smtp.Host, smtp.Port, Security(smtp.Security), timeout.Token);
            if (!string.IsNullOrEmpty(smtp.Username)) await client.AuthenticateAsync(smtp.Username, smtp.Password ?? "", timeout.Token);
            await client.SendAsync(message, timeout.Token);
            await client.DisconnectAsync(true, timeout.Token);
            return DeliveryAttempt.Ok;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return DeliveryAttempt.Failed($"SMTP relay {smtp.Host}:{smtp.Port} did not finish within {options.Value.RequestTimeout}");
        }
        catch (Exception e) when (e is SmtpCommandException or SmtpProtocolException or ServiceNotConnectedException or ServiceNotAuthenticatedException
                                       or AuthenticationException or SslHandshakeException or IOException or System.Net.Sockets.SocketException)
        {
            return DeliveryAttempt.Failed($"SMTP relay {smtp.Host}:{smtp.Port}: {e.Message}");
        }
    }

    private static SecureSocketOptions Security(string mode) => mode switch
    {
        "None" => SecureSocketOptions.None,
        "SslOnConnect" => SecureSocketOptions.SslOnConnect,
        _ => SecureSocketOptions.StartTls,
    };
}
