using Bus.Contracts.Ingest;

namespace Bus.Tests.Ingest;

public sealed class When_an_ingest_id_is_derived
{
    [Fact]
    public void It_is_an_RFC_9562_version_5_uuid_integrators_can_compute()
    {
        // Python: uuid.uuid5(uuid.NAMESPACE_DNS, "python.org")
        Assert.Equal(new Guid("886313e1-3b8a-5372-9b90-0c9aee199e5d"),
            IngestIds.NameBased(new Guid("6ba7b810-9dad-11d1-80b4-00c04fd430c8"), "python.org"));
        // Python: uuid.uuid5(UUID("6f1c3f1e-..."), "test.edu\nbus-receiving\nbag1.tar\nabc123")
        Assert.Equal(new Guid("999b6efc-e4e2-5ef8-9eb8-f2c204a5219f"), IngestIds.For("test.edu", "bus-receiving", "bag1.tar", "\"ABC123\""));
        // Python: uuid.uuid5(UUID("6f1c3f1e-..."), "successor\n999b6efc-e4e2-5ef8-9eb8-f2c204a5219f")
        Assert.Equal(new Guid("586e9b88-2a31-5ac9-badb-6cdd42f457d1"), IngestIds.SuccessorOf(new Guid("999b6efc-e4e2-5ef8-9eb8-f2c204a5219f")));
    }

    [Fact]
    public void Institution_bucket_key_and_etag_each_change_it()
    {
        var id = IngestIds.For("i", "b", "k", "e");
        Assert.NotEqual(id, IngestIds.For("i2", "b", "k", "e"));
        Assert.NotEqual(id, IngestIds.For("i", "b2", "k", "e"));
        Assert.NotEqual(id, IngestIds.For("i", "b", "k2", "e"));
        Assert.NotEqual(id, IngestIds.For("i", "b", "k", "e2"));
    }

    [Fact]
    public void The_same_bytes_under_the_same_key_for_two_institutions_are_two_ingests()
    {
        var a = new SubmitIngest("a.edu", "bus-receiving", "shared/bag.tar", "\"abc\"", 10, null, "x", DateTimeOffset.UtcNow);
        var b = a with { Institution = "b.edu" };
        Assert.NotEqual(a.IngestId, b.IngestId);
    }
}
