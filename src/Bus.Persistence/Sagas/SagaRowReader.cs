using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;

namespace Bus.Persistence.Sagas;

/// <summary>
/// Reads a saga row from an <see cref="NpgsqlDataReader"/> the repository ran itself. EF Core has no
/// public way to materialize from a reader it did not open, and the saga load has to share its round
/// trip (one <see cref="NpgsqlBatch"/>) with the inbox claim; so this reads each mapped column with the
/// EF model's own type mapping and value converter, then attaches the instance to the DbContext with
/// the row version it was read at (what the UPDATE's xmin check and EF's Delete compare against).
/// </summary>
internal static class SagaRowReader<TSaga> where TSaga : class, MassTransit.SagaStateMachineInstance
{
    private sealed record Column(IProperty Property, string Name, Func<NpgsqlDataReader, int, object?> Read);

    private static readonly MethodInfo ReadValueMethod =
        typeof(SagaRowReader<TSaga>).GetMethod(nameof(ReadValue), BindingFlags.NonPublic | BindingFlags.Static)!;

    private static IReadOnlyList<Column>? _columns;

    /// <summary>Every mapped column, xmin included, in the order <see cref="Read"/> expects.</summary>
    public static string SelectList(DbContext db) => string.Join(", ", Columns(db).Select(c => $"\"{c.Name}\""));

    public static TSaga Read(DbContext db, NpgsqlDataReader reader)
    {
        var columns = Columns(db);
        var instance = (TSaga)Activator.CreateInstance(typeof(TSaga), nonPublic: true)!;
        var shadow = new List<(IProperty Property, object? Value)>();
        for (var i = 0; i < columns.Count; i++)
        {
            var column = columns[i];
            var value = column.Read(reader, i);
            if (value is not null && column.Property.GetTypeMapping().Converter is { } converter) value = converter.ConvertFromProvider(value);
            if (column.Property.PropertyInfo is { } propertyInfo) propertyInfo.SetValue(instance, value);
            else if (column.Property.FieldInfo is { } fieldInfo) fieldInfo.SetValue(instance, value);
            else shadow.Add((column.Property, value));
        }

        var entry = db.Attach(instance);
        foreach (var (property, value) in shadow)
        {
            var shadowEntry = entry.Property(property.Name);
            shadowEntry.CurrentValue = value;
            shadowEntry.OriginalValue = value;
            shadowEntry.IsModified = false;
        }
        return instance;
    }

    private static IReadOnlyList<Column> Columns(DbContext db) => _columns ??= db.Model.FindEntityType(typeof(TSaga))!.GetProperties()
        .Select(p =>
        {
            var type = p.GetTypeMapping().Converter?.ProviderClrType ?? p.GetTypeMapping().ClrType;
            type = Nullable.GetUnderlyingType(type) ?? type;
            var read = ReadValueMethod.MakeGenericMethod(type).CreateDelegate<Func<NpgsqlDataReader, int, object?>>();
            return new Column(p, p.GetColumnName(), read);
        })
        .ToList();

    private static object? ReadValue<T>(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<T>(ordinal);
}
