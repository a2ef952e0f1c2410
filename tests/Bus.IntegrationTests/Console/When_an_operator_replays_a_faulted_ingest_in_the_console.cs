using Bus.IntegrationTests.Ingest;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Bus.IntegrationTests.Console;

/// <summary>
/// A real fault, replayed from the Operations page: the only bucket of the bag's storage option is gone
/// when Store runs, so the Store message faults into ingest-store_error and the ingest parks in Faulted.
/// With the bucket back, an operator finds the message (and its saga), dry-runs the replay, confirms it,
/// and the ingest completes. A depositor gets no Operations link and is refused the page.
/// </summary>
[Collection(ConsoleCollection.Collection)]
public sealed class When_an_operator_replays_a_faulted_ingest_in_the_console(ConsoleStack console)
{
    [Fact]
    public async Task The_dry_run_then_the_replay_takes_the_ingest_to_completed()
    {
        var depositor = await console.SignedInPageAsync(console.Tokens[(console.Own, "depositor")]);
        await Expect(depositor.GetByRole(AriaRole.Link, new() { Name = "Operations" })).ToHaveCountAsync(0);
        var refused = await depositor.GotoAsync("/operations");
        Assert.Equal(403, refused!.Status);
        await Expect(depositor.GetByRole(AriaRole.Heading, new() { Name = "Not allowed" })).ToBeVisibleAsync();
        await depositor.Context.CloseAsync();

        await console.Stack.S3.DeleteBucketAsync(console.FaultBucket);
        var id = await console.Stack.SubmitAsync(new TestBag("faulted-" + Guid.NewGuid().ToString("N")[..8]) { StorageOption = ConsoleStack.FaultOption });
        await console.Stack.WaitForStateAsync(id, "Faulted");
        await console.Stack.S3.PutBucketAsync(console.FaultBucket);

        var page = await console.SignedInPageAsync(console.Tokens[(console.Own, "operator")]);
        await page.GetByRole(AriaRole.Link, new() { Name = "Operations" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "ingest-store_error", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Row).Filter(new() { HasText = id.ToString() }).GetByRole(AriaRole.Link).ClickAsync();
        await Expect(page.GetByTestId("message-saga")).ToContainTextAsync($"ingest saga {id}");
        await Expect(page.GetByTestId("message-saga")).ToContainTextAsync("Faulted");

        await page.GetByRole(AriaRole.Link, new() { Name = "Replay this message…" }).ClickAsync();
        await Expect(page.GetByTestId("replay-summary")).ToContainTextAsync("Dry run, nothing changed: 1 of message");
        await Expect(page.GetByTestId("replay-summary")).ToContainTextAsync("would be replayed to ingest-store");
        await page.GetByRole(AriaRole.Button, new() { Name = "Replay 1 message(s)" }).ClickAsync();
        await Expect(page.GetByTestId("replay-summary")).ToHaveTextAsync("Replayed 1, failed 0.");

        // The ingest page refreshes itself until the ingest ends; its saga link shows the fault in the history.
        await page.GotoAsync($"/ingests/{id}");
        await Expect(page.GetByTestId("ingest-state")).ToHaveTextAsync("Completed", new() { Timeout = 180_000 });
        await page.GetByRole(AriaRole.Link, new() { Name = "State and transition history" }).ClickAsync();
        await Expect(page.GetByTestId("saga-state")).ToHaveTextAsync("Completed");
        await Expect(page.GetByTestId("saga-transitions")).ToContainTextAsync("Faulted");
        await page.Context.CloseAsync();
    }
}
