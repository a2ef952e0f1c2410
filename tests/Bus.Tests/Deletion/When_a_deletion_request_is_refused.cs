using Bus.Contracts.Deletion;
using Bus.Workflows.Coordination;

namespace Bus.Tests.Deletion;

public sealed class When_a_deletion_request_is_refused
{
    [Theory]
    [InlineData("test.edu/no-such-bag", DeletionHarness.Requester, "reason", DeletionRefusalCodes.UnknownIdentifier)]
    [InlineData(DeletionHarness.Bag, "nobody@test.edu", "reason", DeletionRefusalCodes.UnknownUser)]
    [InlineData(DeletionHarness.Bag, DeletionHarness.OtherAdmin, "reason", DeletionRefusalCodes.OtherInstitution)]
    [InlineData(DeletionHarness.Bag, DeletionHarness.Requester, " ", DeletionRefusalCodes.InvalidRequest)]
    public async Task The_caller_gets_the_reason_and_the_saga_records_it(string identifier, string by, string reason, string code)
    {
        await using var h = await DeletionHarness.StartAsync();
        var id = Guid.NewGuid();

        var answer = await h.RequestAsync(id, identifier, by, reason);

        Assert.False(answer.Accepted);
        Assert.Equal(code, answer.Code);
        Assert.False(string.IsNullOrWhiteSpace(answer.Reason));
        var saga = await h.WaitForAsync(id, m => m.Refused);
        Assert.Equal(code, saga.RefusalCode);
        Assert.Contains(code, saga.RefusalLog, StringComparison.Ordinal);
        Assert.Null(await h.Locks.FindAsync(DeletionHarness.Bag));
    }

    [Fact]
    public async Task An_item_already_deleted_is_refused()
    {
        await using var h = await DeletionHarness.StartAsync();
        h.Registry.Targets[DeletionHarness.Bag] = h.Registry.Targets[DeletionHarness.Bag] with { State = "deleted" };
        var answer = await h.RequestAsync(Guid.NewGuid());
        Assert.Equal(DeletionRefusalCodes.AlreadyDeleted, answer.Code);
    }

    [Fact]
    public async Task A_copy_younger_than_its_storage_class_minimum_retention_is_refused()
    {
        await using var h = await DeletionHarness.StartAsync();
        h.Registry.AddObject("test.edu/cold", DeletionHarness.Institution, "Glacier-Deep-OR", DateTimeOffset.UtcNow.AddDays(-100), "data/x");
        h.Registry.AddObject("test.edu/old-cold", DeletionHarness.Institution, "Glacier-OH", DateTimeOffset.UtcNow.AddDays(-100), "data/x");

        var young = await h.RequestAsync(Guid.NewGuid(), "test.edu/cold");
        Assert.Equal(DeletionRefusalCodes.RetentionPeriod, young.Code);
        Assert.Contains("180 days", young.Reason, StringComparison.Ordinal);

        // Glacier-* keeps 90 days: a 100-day-old copy may go.
        Assert.True((await h.RequestAsync(Guid.NewGuid(), "test.edu/old-cold")).Accepted);
    }

    [Fact]
    public async Task An_item_with_an_ingest_in_progress_is_refused_and_the_ingest_keeps_its_lock()
    {
        await using var h = await DeletionHarness.StartAsync();
        var ingest = Guid.NewGuid();
        Assert.True((await h.Locks.TryAcquireAsync(DeletionHarness.Bag, ItemLockKinds.Ingest, ingest)).Acquired);

        var answer = await h.RequestAsync(Guid.NewGuid());

        Assert.Equal(DeletionRefusalCodes.WorkInProgress, answer.Code);
        Assert.Contains("an ingest", answer.Reason, StringComparison.Ordinal);
        Assert.Equal(ingest, (await h.Locks.FindAsync(DeletionHarness.Bag))?.Owner);
    }

    [Fact]
    public async Task An_item_with_another_deletion_pending_is_refused_even_for_one_of_its_files()
    {
        await using var h = await DeletionHarness.StartAsync();
        Assert.True((await h.RequestAsync(Guid.NewGuid())).Accepted);

        var second = await h.RequestAsync(Guid.NewGuid(), DeletionHarness.Bag + "/data/b.txt", DeletionHarness.Depositor);

        Assert.Equal(DeletionRefusalCodes.WorkInProgress, second.Code);
        Assert.Contains("another deletion", second.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_ingest_cannot_take_an_item_while_its_deletion_is_pending()
    {
        await using var h = await DeletionHarness.StartAsync();
        var id = Guid.NewGuid();
        Assert.True((await h.RequestAsync(id)).Accepted);

        var ingest = await h.Locks.TryAcquireAsync(DeletionHarness.Bag, ItemLockKinds.Ingest, Guid.NewGuid());

        Assert.False(ingest.Acquired);
        Assert.Equal((ItemLockKinds.Deletion, id), (ingest.Holder.Kind, ingest.Holder.Owner));
    }
}
