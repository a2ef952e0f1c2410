using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Bus.Registry.Migrations;

/// <summary>First registry schema: institutions, users, objects, files, checksums, copies, events, alerts.</summary>
[DbContext(typeof(RegistryDbContext))]
[Migration("20261122030000_CreateRegistry")]
public sealed class CreateRegistry : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql(RegistrySchemaSql.Create(RegistryDbContext.Schema));

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql(RegistrySchemaSql.Drop(RegistryDbContext.Schema));
}
