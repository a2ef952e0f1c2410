using Bus.Platform.Database;
using Bus.Fixity.Data;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Bus.Fixity.Migrations;

/// <summary>
/// The verify and repair step messages moved from Bus.Contracts.Fixity to Bus.Fixity.StateMachines.Messages:
/// stored outbox and scheduled messages take the new names. See MovedMessageTypes.
/// </summary>
[DbContext(typeof(FixityDbContext))]
[Migration("20261206060000_RenameInternalMessageTypes")]
public sealed class RenameInternalMessageTypes : Migration
{
    private static readonly string[] Moved = ["VerifyCopy", "CopyVerified", "RepairCopy", "CopyRepaired", "CopyLost", "CopyRepairDeferred"];

    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.RenameMessageTypes("Bus.Contracts.Fixity", "Bus.Fixity.StateMachines.Messages", Moved);

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.RenameMessageTypes("Bus.Fixity.StateMachines.Messages", "Bus.Contracts.Fixity", Moved);
}
