using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Bus.IntegrationTests.Console;

/// <summary>
/// Two-person deletion through the console: one admin requests, their own approve is refused by the
/// deletion saga (shown on the page), a second admin of the institution approves and the object is deleted.
/// </summary>
[Collection(ConsoleCollection.Collection)]
public sealed class When_two_admins_delete_an_object_in_the_console(ConsoleStack console)
{
    [Fact]
    public async Task The_requester_is_refused_and_the_second_admin_approves()
    {
        var requester = await console.SignedInPageAsync(console.Tokens[(console.Own, "institutional_admin")]);
        await requester.GetByRole(AriaRole.Link, new() { Name = "Deletions" }).ClickAsync();
        await requester.GetByLabel("Object or file identifier").FillAsync(console.DeletableObject);
        await requester.GetByLabel("Reason").FillAsync("console test");
        await requester.GetByRole(AriaRole.Button, new() { Name = "Request deletion" }).ClickAsync();
        await Expect(requester.GetByRole(AriaRole.Status)).ToContainTextAsync("Deletion requested");

        var approve = $"Approve deletion of {console.DeletableObject}";
        await requester.GetByRole(AriaRole.Button, new() { Name = approve }).ClickAsync();
        await Expect(requester.GetByTestId("deletion-error")).ToContainTextAsync("Refused");
        Assert.Equal(["PendingApproval"], await StatesAsync());

        var approver = await console.SignedInPageAsync(console.Tokens[(console.Own, ConsoleStack.SecondAdmin)]);
        await approver.GotoAsync("/deletions");
        await approver.GetByRole(AriaRole.Button, new() { Name = approve }).ClickAsync();
        await Expect(approver.GetByRole(AriaRole.Status)).ToContainTextAsync("Approved");

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while ((await StatesAsync()).Single() != "Completed")
        {
            Assert.True(DateTime.UtcNow < deadline, $"the deletion did not complete: {(await StatesAsync()).Single()}");
            await Task.Delay(250);
        }
        await approver.GotoAsync("/deletions");
        await Expect(approver.GetByTestId("deletion-state").First).ToHaveTextAsync("Completed");
        await requester.Context.CloseAsync();
        await approver.Context.CloseAsync();
    }

    private Task<List<string>> StatesAsync() => console.Stack.QueryAsync(
        "SELECT current_state FROM bus.deletion_requests WHERE identifier = @id", r => r.GetString(0), ("id", console.DeletableObject));
}
