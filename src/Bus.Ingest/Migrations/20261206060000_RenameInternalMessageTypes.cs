using Bus.Ingest.Data;
using Bus.Platform.Database;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Bus.Ingest.Migrations;

/// <summary>
/// The step messages moved from Bus.Contracts.Ingest (and IngestResubmitted from Bus.Ingest.StateMachines)
/// to Bus.Ingest.StateMachines.Messages: stored outbox and scheduled messages (an ingest waiting for its
/// item lock has an IngestItemLockRetry due) take the new names. See MovedMessageTypes.
/// </summary>
[DbContext(typeof(IngestDbContext))]
[Migration("20261206060000_RenameInternalMessageTypes")]
public sealed class RenameInternalMessageTypes : Migration
{
    private const string To = "Bus.Ingest.StateMachines.Messages";

    private static readonly string[] FromContracts =
    [
        "UnpackBag", "ValidateBag", "IdentifyFormats", "StoreFiles", "VerifyCopies", "RecordIngest", "CleanUpIngest", "CompensateIngest",
        "IngestItemLockRetry", "BagUnpacked", "BagValidated", "BagInvalid", "FormatsIdentified", "FilesStored", "CopiesVerified",
        "IngestRecorded", "IngestCleanedUp", "IngestCompensated", "IngestStepFailed", "IngestStepStarted", "IngestStepProgress",
    ];

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.RenameMessageTypes("Bus.Contracts.Ingest", To, FromContracts);
        migrationBuilder.RenameMessageTypes("Bus.Ingest.StateMachines", To, "IngestResubmitted");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.RenameMessageTypes(To, "Bus.Contracts.Ingest", FromContracts);
        migrationBuilder.RenameMessageTypes(To, "Bus.Ingest.StateMachines", "IngestResubmitted");
    }
}
