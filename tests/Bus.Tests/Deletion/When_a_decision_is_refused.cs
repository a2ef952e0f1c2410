using Bus.Contracts.Deletion;

namespace Bus.Tests.Deletion;

public sealed class When_a_decision_is_refused
{
    [Theory]
    [InlineData(DeletionHarness.Requester, DeletionRefusalCodes.SelfApproval)]
    [InlineData(DeletionHarness.OtherAdmin, DeletionRefusalCodes.OtherInstitution)]
    [InlineData(DeletionHarness.Depositor, DeletionRefusalCodes.NotAdmin)]
    [InlineData("stranger@nowhere.org", DeletionRefusalCodes.UnknownUser)]
    public async Task An_approval_by_the_wrong_person_leaves_the_request_pending(string approver, string code)
    {
        await using var h = await DeletionHarness.StartAsync();
        var id = Guid.NewGuid();
        Assert.True((await h.RequestAsync(id)).Accepted);

        var answer = await h.ApproveAsync(id, approver);

        Assert.Equal(code, answer.Code);
        var saga = await h.WaitForAsync(id, m => m.PendingApproval);
        Assert.Equal(code, saga.RefusalCode);
        Assert.Contains($"approve by {approver.ToLowerInvariant()}: {code}", saga.RefusalLog, StringComparison.Ordinal);
        Assert.Empty(h.Storage.Removed);

        // The right person can still approve afterwards.
        Assert.True((await h.ApproveAsync(id, DeletionHarness.Admin)).Accepted);
        await h.WaitForAsync(id, m => m.Completed);
    }

    [Fact]
    public async Task An_admin_who_requested_cannot_approve_their_own_request()
    {
        await using var h = await DeletionHarness.StartAsync();
        var id = Guid.NewGuid();
        Assert.True((await h.RequestAsync(id, by: DeletionHarness.Admin)).Accepted);
        Assert.Equal(DeletionRefusalCodes.SelfApproval, (await h.ApproveAsync(id, "ADMIN@test.edu")).Code);
    }

    [Theory]
    [InlineData(DeletionHarness.OtherAdmin, DeletionRefusalCodes.OtherInstitution)]
    [InlineData(DeletionHarness.Depositor, DeletionRefusalCodes.NotAdmin)]
    public async Task A_rejection_by_the_wrong_person_is_refused(string by, string code)
    {
        await using var h = await DeletionHarness.StartAsync();
        var id = Guid.NewGuid();
        Assert.True((await h.RequestAsync(id)).Accepted);
        Assert.Equal(code, (await h.AskAsync(new RejectDeletion { RequestId = id, By = by })).Code);
        await h.WaitForAsync(id, m => m.PendingApproval);
    }

    [Fact]
    public async Task Only_the_requester_can_cancel()
    {
        await using var h = await DeletionHarness.StartAsync();
        var id = Guid.NewGuid();
        Assert.True((await h.RequestAsync(id)).Accepted);
        Assert.Equal(DeletionRefusalCodes.NotRequester, (await h.AskAsync(new CancelDeletion { RequestId = id, By = DeletionHarness.Admin })).Code);
        await h.WaitForAsync(id, m => m.PendingApproval);
    }

    [Fact]
    public async Task A_decision_on_an_unknown_request_is_refused()
    {
        await using var h = await DeletionHarness.StartAsync();
        Assert.Equal(DeletionRefusalCodes.UnknownRequest, (await h.ApproveAsync(Guid.NewGuid(), DeletionHarness.Admin)).Code);
    }

    [Fact]
    public async Task A_decision_on_a_request_no_longer_pending_is_refused_and_recorded()
    {
        await using var h = await DeletionHarness.StartAsync();
        var id = Guid.NewGuid();
        Assert.True((await h.RequestAsync(id)).Accepted);
        Assert.True((await h.AskAsync(new RejectDeletion { RequestId = id, By = DeletionHarness.Admin, Comment = "keep it" })).Accepted);

        var late = await h.ApproveAsync(id, DeletionHarness.SecondAdmin);

        Assert.Equal(DeletionRefusalCodes.NotPending, late.Code);
        var saga = await h.WaitForAsync(id, m => m.Rejected);
        Assert.Contains(DeletionRefusalCodes.NotPending, saga.RefusalLog, StringComparison.Ordinal);
        Assert.Empty(h.Storage.Removed);
    }
}
