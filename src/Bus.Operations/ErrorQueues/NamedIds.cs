using System.Text.Json;

namespace Bus.Operations.ErrorQueues;

/// <summary>
/// The ids a faulted message names, in the order its saga is looked up by (busctl errors show and the
/// console's message page both use this). The envelope's correlation id comes first, but a workflow's step
/// commands carry their saga's id as a property instead (ingest's StoreFiles(IngestId)), and their envelope's
/// correlationId is not the saga's (seen on CompensateIngest). So the message's own GUID properties follow;
/// only an id that bus.saga_status knows is shown as a saga.
/// </summary>
public static class NamedIds
{
    /// <summary>Bodies larger than this are not parsed for ids (the list page reads hundreds of messages).</summary>
    public const int MaxBodyChars = 64 * 1024;
    public const int MaxIds = 4;

    /// <summary>The correlation id (named "correlationId"), then the message's top-level GUID properties, at most <see cref="MaxIds"/>.</summary>
    public static IReadOnlyList<(string Name, Guid Id)> Of(ErrorMessageView message)
    {
        if (message.Body.Length > MaxBodyChars || !message.Body.StartsWith('{')) return Of(message.CorrelationId, null);
        try
        {
            using var document = JsonDocument.Parse(message.Body);
            return Of(message.CorrelationId, document.RootElement);
        }
        catch (JsonException)
        {
            // Not MassTransit's envelope: only the correlation id, if any.
            return Of(message.CorrelationId, null);
        }
    }

    /// <summary>The same for a message as read from the queue (its envelope is already parsed).</summary>
    public static IReadOnlyList<(string Name, Guid Id)> Of(ErrorMessage message) =>
        Of(message.CorrelationId, message.Body.Length > MaxBodyChars ? null : message.Envelope?.Root);

    private static List<(string Name, Guid Id)> Of(Guid? correlationId, JsonElement? envelope)
    {
        var ids = new List<(string Name, Guid Id)>();
        if (correlationId is { } correlation) ids.Add(("correlationId", correlation));
        if (envelope is { ValueKind: JsonValueKind.Object } root
            && root.TryGetProperty("message", out var body) && body.ValueKind == JsonValueKind.Object)
            foreach (var property in body.EnumerateObject())
            {
                if (ids.Count >= MaxIds) break;
                if (property.Value.ValueKind == JsonValueKind.String && Guid.TryParse(property.Value.GetString(), out var id) && ids.All(i => i.Id != id))
                    ids.Add((property.Name, id));
            }
        return ids;
    }
}
