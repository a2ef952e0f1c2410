using System.Text;
using Microsoft.EntityFrameworkCore;

namespace Bus.Platform.Database;

/// <summary>
/// Maps every table, column, key and index to snake_case so admins can query them directly.
/// Written here because EFCore.NamingConventions is only served in a version too old for EF Core 10.
/// Call at the end of OnModelCreating, after explicit ToTable/HasColumnName calls (those are kept).
/// </summary>
public static class SnakeCaseNames
{
    public static ModelBuilder UseSnakeCaseNames(this ModelBuilder modelBuilder)
    {
        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            if (entity.GetTableName() is { } table && !IsExplicit(entity, "Relational:TableName"))
                entity.SetTableName(ToSnakeCase(table));
            foreach (var property in entity.GetProperties())
                if (property.FindAnnotation("Relational:ColumnName") is null)
                    property.SetColumnName(ToSnakeCase(property.Name));
            foreach (var key in entity.GetKeys())
                key.SetName(ToSnakeCase(key.GetName() ?? ""));
            foreach (var fk in entity.GetForeignKeys())
                fk.SetConstraintName(ToSnakeCase(fk.GetConstraintName() ?? ""));
            foreach (var index in entity.GetIndexes())
                index.SetDatabaseName(ToSnakeCase(index.GetDatabaseName() ?? ""));
        }
        return modelBuilder;
    }

    private static bool IsExplicit(Microsoft.EntityFrameworkCore.Metadata.IMutableEntityType entity, string annotation) =>
        entity.FindAnnotation(annotation) is not null;

    public static string ToSnakeCase(string name)
    {
        if (string.IsNullOrEmpty(name)) return name;
        var sb = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                var prevLowerOrDigit = i > 0 && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1]));
                var nextLower = i > 0 && i + 1 < name.Length && char.IsLower(name[i + 1]) && char.IsUpper(name[i - 1]);
                if (prevLowerOrDigit || nextLower) sb.Append('_');
                sb.Append(char.ToLowerInvariant(c));
            }
            else sb.Append(c);
        }
        return sb.ToString();
    }
}
