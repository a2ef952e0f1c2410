using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Bus.Registry.Migrations;

/// <summary>The fixity sweep's lease writes become HOT updates (see <see cref="RegistrySchemaSql.StorageRecordsFillfactor"/>).</summary>
[DbContext(typeof(RegistryDbContext))]
[Migration("20261206094000_StorageRecordsFillfactor")]
public sealed class StorageRecordsFillfactor : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql(RegistrySchemaSql.StorageRecordsFillfactor(RegistryDbContext.Schema));

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql($"ALTER TABLE {RegistryDbContext.Schema}.storage_records RESET (fillfactor);");
}
