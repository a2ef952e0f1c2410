namespace Bus.Tests.BagIt;

public class When_payload_oxum_disagrees_with_the_payload
{
    [Fact]
    public async Task Should_reject_it()
    {
        var bag = new TestBag { WritePayloadOxum = false };
        bag.BagInfo.Add(new("Payload-Oxum", "17.3"));
        (await bag.ValidateAsync()).HasError("oxum.mismatch", "bag-info.txt");
    }
}

public class When_payload_oxum_is_not_octets_dot_count
{
    [Fact]
    public async Task Should_reject_it()
    {
        var bag = new TestBag { WritePayloadOxum = false };
        bag.BagInfo.Add(new("Payload-Oxum", "seventeen"));
        (await bag.ValidateAsync()).HasError("oxum.malformed");
    }
}

public class When_payload_oxum_is_given_twice
{
    [Fact]
    public async Task Should_reject_it()
    {
        var bag = new TestBag();
        bag.BagInfo.Add(new("Payload-Oxum", "17.2"));
        (await bag.ValidateAsync()).HasError("oxum.repeated");
    }
}
