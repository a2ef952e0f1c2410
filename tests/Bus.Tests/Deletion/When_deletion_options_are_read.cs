using Bus.Deletion;

namespace Bus.Tests.Deletion;

public sealed class When_deletion_options_are_read
{
    [Theory]
    [InlineData("Standard", 0)]
    [InlineData("Glacier-OH", 90)]
    [InlineData("Glacier-Deep-VA", 180)]
    [InlineData("Wasabi-OR", 90)]
    [InlineData("Unlisted", 0)]
    public void The_longest_matching_storage_option_key_sets_the_minimum_retention(string option, int days) =>
        Assert.Equal(TimeSpan.FromDays(days), new DeletionOptions().MinimumRetention(option));

    [Fact]
    public void Bad_values_name_their_key()
    {
        var options = new DeletionOptions { ApprovalWindow = TimeSpan.Zero, StepRedeliveryLimit = 21, StepRedeliveryDelay = TimeSpan.Zero };
        options.MinimumRetentionDays["Glacier-*-x"] = 1;
        options.MinimumRetentionDays["Standard"] = -1;

        var errors = options.Validate().Select(e => e.Key).ToList();

        Assert.Equal(["ApprovalWindow", "MinimumRetentionDays:Standard", "MinimumRetentionDays:Glacier-*-x", "StepRedeliveryLimit", "StepRedeliveryDelay"], errors);
    }
}
