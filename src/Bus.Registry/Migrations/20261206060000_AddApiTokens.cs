using Bus.Platform.Database;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Bus.Registry.Migrations;

/// <summary>
/// Personal API tokens (docs/api.md): only a SHA-256 of each token is kept, under its public prefix.
/// bus_readonly may not read the table: hashes are not for watching workflows.
/// </summary>
[DbContext(typeof(RegistryDbContext))]
[Migration("20261206060000_AddApiTokens")]
public sealed class AddApiTokens : Migration
{
    private const string S = RegistryDbContext.Schema;

    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql($"""
            CREATE TABLE {S}.api_tokens (
                prefix        text PRIMARY KEY CHECK (prefix ~ '^[a-z0-9]+$' AND length(prefix) = 8),
                token_sha256  bytea NOT NULL CHECK (length(token_sha256) = 32),
                email         text NOT NULL REFERENCES {S}.users (email),
                created_at    timestamptz NOT NULL DEFAULT now(),
                expires_at    timestamptz,
                last_used_at  timestamptz,
                revoked_at    timestamptz
            );
            CREATE INDEX api_tokens_email ON {S}.api_tokens (email);
            DO $$ BEGIN
                IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{SagaStatusViews.ReadonlyRole}') THEN
                    REVOKE ALL ON {S}.api_tokens FROM {SagaStatusViews.ReadonlyRole};
                END IF;
            END $$;
            """);

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql($"DROP TABLE IF EXISTS {S}.api_tokens;");
}
