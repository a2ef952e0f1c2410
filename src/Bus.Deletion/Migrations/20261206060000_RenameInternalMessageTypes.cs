using Bus.Deletion.Data;
using Bus.Platform.Database;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Bus.Deletion.Migrations;

/// <summary>
/// DeleteItem, ItemDeleted and DeletionApprovalExpired moved from Bus.Contracts.Deletion to
/// Bus.Deletion.StateMachines.Messages: stored outbox and scheduled messages take the new names, so a
/// request pending across the upgrade still expires (its timeout is a scheduled message). See MovedMessageTypes.
/// </summary>
[DbContext(typeof(DeletionDbContext))]
[Migration("20261206060000_RenameInternalMessageTypes")]
public sealed class RenameInternalMessageTypes : Migration
{
    private static readonly string[] Moved = ["DeleteItem", "ItemDeleted", "DeletionApprovalExpired"];

    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.RenameMessageTypes("Bus.Contracts.Deletion", "Bus.Deletion.StateMachines.Messages", Moved);

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.RenameMessageTypes("Bus.Deletion.StateMachines.Messages", "Bus.Contracts.Deletion", Moved);
}
