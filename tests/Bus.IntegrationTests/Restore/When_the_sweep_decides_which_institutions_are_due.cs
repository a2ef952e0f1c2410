using System.Text.Json;
using Bus.IntegrationTests.Registry;
using Bus.Registry.Store;
using Bus.Restore.SpotTests;
using Npgsql;

namespace Bus.IntegrationTests.Restore;

/// <summary>
/// The sweep's decision (<see cref="SpotTestSweep.DueAsync"/>, reads only) straight on the shared database, without a
/// host: institutions of this test only (the default interval is off, each has an override of one day), objects
/// written with the creation time each scenario needs. Expects the database migrated (busctl db migrate).
/// </summary>
public sealed class When_the_sweep_decides_which_institutions_are_due
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    [Fact]
    public async Task Only_institutions_whose_oldest_active_object_is_an_interval_old_are_due()
    {
        await using var old = await TestInstitution.CreateAsync();
        await using var young = await TestInstitution.CreateAsync();
        await using var onlyDeleted = await TestInstitution.CreateAsync();
        await using var empty = await TestInstitution.CreateAsync();
        await using var oldDeletedYoungActive = await TestInstitution.CreateAsync();
        await ObjectAsync(old, "active", TimeSpan.FromDays(10));
        await ObjectAsync(old, "active", TimeSpan.FromHours(1));
        await ObjectAsync(young, "active", TimeSpan.FromHours(2));
        await ObjectAsync(onlyDeleted, "deleted", TimeSpan.FromDays(10));
        await ObjectAsync(oldDeletedYoungActive, "deleted", TimeSpan.FromDays(10));
        await ObjectAsync(oldDeletedYoungActive, "active", TimeSpan.FromHours(1));

        var mine = new[] { old, young, onlyDeleted, empty, oldDeletedYoungActive }.Select(i => i.Identifier).ToHashSet();
        var due = await DueAsync(mine);

        Assert.Equal([old.Identifier], due.Select(d => d.Institution).Where(mine.Contains));
        Assert.Equal(SpotTestIds.Next(old.Identifier, null), Assert.Single(due, d => d.Institution == old.Identifier).SpotTestId);
    }

    [Fact]
    public async Task The_institutions_query_reads_one_index_entry_per_institution_not_every_object()
    {
        await using var connection = await RegistryTestDatabase.OpenAsync();
        await using var command = new NpgsqlCommand("EXPLAIN (FORMAT JSON) " + SpotTestSweep.InstitutionsWithObjectsSql, connection);
        using var plan = JsonDocument.Parse((string)(await command.ExecuteScalarAsync())!);

        var objectScans = Nodes(plan.RootElement[0].GetProperty("Plan"))
            .Where(n => n.TryGetProperty("Relation Name", out var r) && r.GetString() == "intellectual_objects").ToList();
        Assert.NotEmpty(objectScans);
        Assert.All(objectScans, n => Assert.Equal(
            ("intellectual_objects_active_institution_created", true),
            (n.TryGetProperty("Index Name", out var index) ? index.GetString() : n.GetProperty("Node Type").GetString(), n.TryGetProperty("Index Cond", out _))));
    }

    private static IEnumerable<JsonElement> Nodes(JsonElement node) =>
        node.TryGetProperty("Plans", out var children) ? children.EnumerateArray().SelectMany(Nodes).Prepend(node) : [node];

    private static async Task<IReadOnlyList<SweptSpotTest>> DueAsync(IEnumerable<string> institutions)
    {
        var options = Microsoft.Extensions.Options.Options.Create(new SpotTestOptions
        {
            SpotTestInterval = TimeSpan.Zero,
            SpotTestIntervals = institutions.ToDictionary(i => i, _ => TimeSpan.FromDays(1), StringComparer.OrdinalIgnoreCase),
        });
        await using var dataSource = NpgsqlDataSource.Create(RegistryTestDatabase.ConnectionString);
        await using var registry = new RegistryDatabase(NpgsqlDataSource.Create(RegistryTestDatabase.ConnectionString), ownsDataSource: true);
        var sweep = new SpotTestSweep(new SpotTestRecords(dataSource), registry, new NoSends(), options, TimeProvider.System);
        return await sweep.DueAsync(Now, CancellationToken.None);
    }

    private static async Task ObjectAsync(TestInstitution institution, string state, TimeSpan createdAgo)
    {
        var bag = "sweep-" + Guid.NewGuid().ToString("N")[..10];
        await using var command = new NpgsqlCommand("""
            INSERT INTO registry.intellectual_objects (identifier, institution, bag_name, title, access, storage_option, state, created_at, deleted_at)
            VALUES (@i || '/' || @bag, @i, @bag, @bag, 'Institution', 'Standard', @state, @created, CASE WHEN @state = 'deleted' THEN @created END)
            """, institution.Connection);
        command.Parameters.AddWithValue("i", institution.Identifier);
        command.Parameters.AddWithValue("bag", bag);
        command.Parameters.AddWithValue("state", state);
        command.Parameters.AddWithValue("created", Now - createdAgo);
        await command.ExecuteNonQueryAsync();
    }

    private sealed class NoSends : MassTransit.ISendEndpointProvider
    {
        public MassTransit.ConnectHandle ConnectSendObserver(MassTransit.ISendObserver observer) => throw new NotSupportedException();
        public Task<MassTransit.ISendEndpoint> GetSendEndpoint(Uri address) => throw new NotSupportedException("DueAsync sends nothing");
    }
}
