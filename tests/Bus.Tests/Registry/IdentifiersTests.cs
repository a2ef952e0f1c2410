using Bus.Registry;

namespace Bus.Tests.Registry;

public sealed class IdentifiersTests
{
    [Theory]
    [InlineData("test.edu/bag", "test.edu", "bag", null)]
    [InlineData("test.edu/my_bag-1.v2/data/a b/c.txt", "test.edu", "my_bag-1.v2", "data/a b/c.txt")]
    [InlineData("sub.test.edu/bag/bag-info.txt", "sub.test.edu", "bag", "bag-info.txt")]
    public void Valid_identifiers_parse_into_institution_bag_and_path(string identifier, string institution, string bag, string? path)
    {
        Assert.True(Identifiers.TryParse(identifier, out var parsed, out _));
        Assert.Equal(new ParsedIdentifier(institution, bag, path), parsed);
        Assert.Equal($"{institution}/{bag}", parsed.ObjectIdentifier);
        Assert.Equal(path is not null, parsed.IsFile);
    }

    [Theory]
    [InlineData("test.edu", "expected institution/bag-name")]
    [InlineData("Test.EDU/bag", "lower-case domain name")]
    [InlineData("localhost/bag", "lower-case domain name")]
    [InlineData("test.edu/.hidden", "bag name '.hidden'")]
    [InlineData("test.edu/", "bag name ''")]
    [InlineData("test.edu/bag/data/../../etc/passwd", "'..'")]
    [InlineData("test.edu/bag/data//x", "empty")]
    [InlineData("test.edu/bag/", "empty")]
    [InlineData("test.edu/bag/data/./x", "'.'")]
    [InlineData("test.edu/bag/data/a\nb", "control character")]
    public void Invalid_identifiers_are_refused_with_the_specific_reason(string identifier, string reason)
    {
        Assert.False(Identifiers.TryParse(identifier, out _, out var error));
        Assert.Contains(reason, error);
        Assert.Throws<ArgumentException>(() => Identifiers.Parse(identifier));
    }

    [Theory]
    [InlineData("test.edu", true)]
    [InlineData("a-b.c.example.org", true)]
    [InlineData("test", false)]
    [InlineData("-test.edu", false)]
    [InlineData("test_x.edu", false)]
    public void Institution_identifiers_are_lower_case_domain_names(string identifier, bool valid) =>
        Assert.Equal(valid, Identifiers.InstitutionError(identifier) is null);

    [Theory]
    [InlineData("a@test.edu", true)]
    [InlineData("a@test", false)]
    [InlineData("a b@test.edu", false)]
    [InlineData("test.edu", false)]
    public void Emails_need_a_local_part_and_a_domain(string email, bool valid) =>
        Assert.Equal(valid, Identifiers.EmailError(email) is null);
}
