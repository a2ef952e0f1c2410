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
        // Python: uuid.uuid5(UUID("6f1c3f1e-..."), "bus-receiving\nbag1.tar\nabc123")
        Assert.Equal(new Guid("f14c3563-5cb0-52b7-ad18-a539351dfe70"), IngestIds.For("bus-receiving", "bag1.tar", "\"ABC123\""));
    }

    [Fact]
    public void Bucket_key_and_etag_each_change_it()
    {
        var id = IngestIds.For("b", "k", "e");
        Assert.NotEqual(id, IngestIds.For("b2", "k", "e"));
        Assert.NotEqual(id, IngestIds.For("b", "k2", "e"));
        Assert.NotEqual(id, IngestIds.For("b", "k", "e2"));
    }
}
