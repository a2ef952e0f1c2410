using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Bus.Platform.Database;

/// <summary>
/// For a migration that follows a message class into another namespace. MassTransit names a message
/// by namespace and class (<c>urn:message:Namespace:Class</c>, and <c>Fault[[Namespace:Class]]</c> for
/// its faults) and a receiver matches only the names it knows, so a message stored under the old name
/// would be skipped. This rewrites the names in what PostgreSQL holds: the outbox (including parked
/// groups) and the scheduler, whose messages may be due days later (a deletion's approval timeout).
/// Messages already in RabbitMQ queues cannot be rewritten: docs/operations.md, "Upgrades".
/// </summary>
public static class MovedMessageTypes
{
    public static void RenameMessageTypes(this MigrationBuilder migrationBuilder, string fromNamespace, string toNamespace, params string[] types) =>
        migrationBuilder.Sql(RenameSql(fromNamespace, toNamespace, types));

    /// <summary>The UPDATE statements (both tables): message_type and the serialized envelope's body.</summary>
    public static string RenameSql(string fromNamespace, string toNamespace, IReadOnlyList<string> types)
    {
        ArgumentOutOfRangeException.ThrowIfZero(types.Count);
        foreach (var name in types.Append(fromNamespace).Append(toNamespace))
            if (!Regex.IsMatch(name, @"^[A-Za-z_][A-Za-z0-9_.]*$")) throw new ArgumentException($"not a namespace or type name: '{name}'", nameof(types));
        // \M: end of a word, so a type whose name merely starts with a moved one's keeps its name.
        var pattern = $"{fromNamespace.Replace(".", "\\.", StringComparison.Ordinal)}:({string.Join('|', types)})\\M";
        var replacement = $"{toNamespace}:\\1";
        return string.Join('\n', new[] { "bus.outbox_message", "bus.scheduled_message" }.Select(table => $"""
            UPDATE {table} SET message_type = regexp_replace(message_type, '{pattern}', '{replacement}', 'g'),
                               body = regexp_replace(body, '{pattern}', '{replacement}', 'g')
             WHERE message_type ~ '{pattern}';
            """));
    }
}
