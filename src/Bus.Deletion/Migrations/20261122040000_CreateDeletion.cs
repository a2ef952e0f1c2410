using Bus.Deletion.Data;
using Bus.Persistence.Sagas;
using Bus.Workflows.Coordination;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Bus.Deletion.Migrations;

/// <summary>The deletion saga table and the shared item-lock table (idempotent DDL: ingest's migration may create it first).</summary>
[DbContext(typeof(DeletionDbContext))]
[Migration("20261122040000_CreateDeletion")]
public sealed class CreateDeletion : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateSagaTable("deletion_requests",
            ("identifier", "varchar(1024) NOT NULL"),
            ("object_identifier", "varchar(512) NOT NULL"),
            ("institution", "text NOT NULL"),
            ("is_file", "boolean NOT NULL"),
            ("requested_by", "text NOT NULL"),
            ("reason", "text NOT NULL"),
            ("requested_at", "timestamptz NOT NULL"),
            ("expires_at", "timestamptz"),
            ("approval_timeout_token_id", "uuid"),
            ("decided_by", "text"),
            ("decided_at", "timestamptz"),
            ("decision_comment", "text"),
            ("completed_at", "timestamptz"),
            ("copies_removed", "integer NOT NULL"),
            ("refusal_code", "text"),
            ("refusal_reason", "text"),
            ("refusal_log", "text NOT NULL"),
            ("fault_reason", "text"));
        migrationBuilder.Sql("CREATE INDEX IF NOT EXISTS ix_deletion_requests_object_identifier ON bus.deletion_requests (object_identifier);");
        migrationBuilder.Sql(PostgresItemLocks.CreateTableSql);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        // The item-lock table stays: ingest may use it too.
        migrationBuilder.DropSagaTable("deletion_requests");
    }
}
