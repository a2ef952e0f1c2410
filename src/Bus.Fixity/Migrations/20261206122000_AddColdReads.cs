using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Bus.Fixity.Data;

namespace Bus.Fixity.Migrations;

/// <summary>
/// Cold copies restored and read: <c>fixity.cold_reads</c> holds each cold copy's last full read (its next is due a
/// <c>Bus:Fixity:ColdInterval</c> later); the check saga counts its polls of a restore in progress and keeps the
/// scheduled poll's token, as the restore saga does.
/// </summary>
[DbContext(typeof(FixityDbContext))]
[Migration("20261206122000_AddColdReads")]
public sealed class AddColdReads : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
        CREATE TABLE IF NOT EXISTS fixity.cold_reads (
            storage_record_id  bigint PRIMARY KEY,
            read_at            timestamptz NOT NULL,
            check_id           uuid NOT NULL
        );
        ALTER TABLE bus.fixity_check_saga ADD COLUMN IF NOT EXISTS cold_polls integer NOT NULL DEFAULT 0;
        ALTER TABLE bus.fixity_check_saga ADD COLUMN IF NOT EXISTS retry_token_id uuid;
        """);

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
        ALTER TABLE bus.fixity_check_saga DROP COLUMN IF EXISTS retry_token_id;
        ALTER TABLE bus.fixity_check_saga DROP COLUMN IF EXISTS cold_polls;
        DROP TABLE IF EXISTS fixity.cold_reads;
        """);
}
