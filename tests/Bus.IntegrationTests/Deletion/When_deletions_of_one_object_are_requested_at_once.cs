using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Bus.Workflows.Coordination;

namespace Bus.IntegrationTests.Deletion;

/// <summary>
/// While a restore holds the object's item lock, a deletion request is accepted without the lock, so only the check
/// for another open request keeps a second one out; requests arriving together all passed that read before any was
/// saved. The database decides (one open request per object): exactly one is accepted and every other gets the
/// refusal a request made after it gets, work-in-progress through the API's deletion-refused problem.
/// </summary>
public sealed class When_deletions_of_one_object_are_requested_at_once
{
    [Fact]
    public async Task While_a_restore_holds_the_item_one_is_accepted_and_the_others_are_refused_work_in_progress()
    {
        await using var world = await DeletionWorld.CreateAsync();
        var locks = new PostgresItemLocks(world.Registry.DataSource);
        var restore = Guid.NewGuid();
        Assert.True((await locks.TryAcquireAsync(world.Bag, ItemLockKinds.Restore, restore)).Acquired);
        try
        {
            await using var host = world.StartHost();
            await host.WaitUntilHealthyAsync(TimeSpan.FromSeconds(90));
            using var http = new HttpClient { BaseAddress = world.ApiUrl, Timeout = TimeSpan.FromSeconds(90) };
            string[] admins = [world.Requester, world.Admin, world.SecondAdmin, world.Requester];
            string[] items = [world.Bag, world.Files[0], world.Bag, world.Files[1]];

            // Every request is built and waiting before any is sent: they reach the saga together.
            var start = new TaskCompletionSource();
            var sends = admins.Select((admin, i) => Task.Run(async () =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/deletions")
                {
                    Content = JsonContent.Create(new { identifier = items[i], reason = "donor withdrew consent" }),
                };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", world.TokenOf(admin));
                await start.Task;
                using var response = await http.SendAsync(request);
                return (response.StatusCode, Json: JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
            })).ToList();
            start.SetResult();
            var answers = await Task.WhenAll(sends);

            var accepted = Assert.Single(answers, a => a.StatusCode == HttpStatusCode.Accepted);
            var acceptedId = accepted.Json.GetProperty("requestId").GetGuid();
            foreach (var (status, json) in answers.Where(a => a.StatusCode != HttpStatusCode.Accepted))
            {
                Assert.True(status == HttpStatusCode.Conflict, $"{status}: {json}");
                Assert.EndsWith("deletion-refused", json.GetProperty("type").GetString(), StringComparison.Ordinal);
                Assert.Equal("work-in-progress", json.GetProperty("code").GetString());
                Assert.Contains("has another deletion in progress", json.GetProperty("detail").GetString(), StringComparison.Ordinal);
            }
            var open = await world.QueryAsync(
                "SELECT correlation_id FROM bus.deletion_requests WHERE object_identifier = @object AND current_state IN ('PendingApproval', 'WaitingForItem', 'Deleting', 'Faulted')",
                r => { var ids = new List<Guid>(); while (r.Read()) ids.Add(r.GetGuid(0)); return ids; });
            Assert.Equal([acceptedId], open);
        }
        finally
        {
            await locks.ReleaseAsync(world.Bag, restore);
        }
    }
}
