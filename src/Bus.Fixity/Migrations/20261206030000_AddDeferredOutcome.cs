using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Bus.Fixity.Data;

namespace Bus.Fixity.Migrations;

/// <summary>
/// fixity.checks.outcome may be 'deferred': a damaged copy whose object is locked by another workflow (a
/// deletion) is not repaired, and the check says so instead of failing.
/// </summary>
[DbContext(typeof(FixityDbContext))]
[Migration("20261206030000_AddDeferredOutcome")]
public sealed class AddDeferredOutcome : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
        ALTER TABLE fixity.checks DROP CONSTRAINT IF EXISTS checks_outcome_check;
        ALTER TABLE fixity.checks ADD CONSTRAINT checks_outcome_check CHECK (outcome IN ('intact', 'repaired', 'lost', 'failed', 'deferred'));
        """);

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
        ALTER TABLE fixity.checks DROP CONSTRAINT IF EXISTS checks_outcome_check;
        ALTER TABLE fixity.checks ADD CONSTRAINT checks_outcome_check CHECK (outcome IN ('intact', 'repaired', 'lost', 'failed'));
        """);
}
