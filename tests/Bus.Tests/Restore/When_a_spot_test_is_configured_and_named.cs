using Bus.Restore.SpotTests;
using Bus.Restore.Steps;

namespace Bus.Tests.Restore;

/// <summary>Spot test options, ids and where a restore may be told to put its tar.</summary>
public sealed class When_a_spot_test_is_configured_and_named
{
    [Fact]
    public void An_institution_override_wins_over_the_default_and_zero_turns_it_off()
    {
        var o = new SpotTestOptions
        {
            SpotTestInterval = TimeSpan.FromDays(90),
            SpotTestIntervals = new() { ["fast.edu"] = TimeSpan.FromDays(7), ["never.edu"] = TimeSpan.Zero },
        };

        Assert.Equal(TimeSpan.FromDays(7), o.IntervalFor("fast.edu"));
        Assert.Equal(TimeSpan.Zero, o.IntervalFor("never.edu"));
        Assert.Equal(TimeSpan.FromDays(90), o.IntervalFor("other.edu"));
        Assert.Empty(o.Validate());
    }

    [Fact]
    public void Bad_settings_are_refused_naming_the_key()
    {
        var o = new SpotTestOptions
        {
            SpotTestInterval = TimeSpan.FromDays(-1),
            SpotTestIntervals = new() { ["Not An Institution"] = TimeSpan.FromDays(1) },
            SpotTestMaxBytes = 0,
            SpotTestTimeout = TimeSpan.Zero,
        };

        var keys = o.Validate().Select(e => e.Key).ToList();

        Assert.Contains("SpotTestInterval", keys);
        Assert.Contains("SpotTestIntervals:Not An Institution", keys);
        Assert.Contains("SpotTestMaxBytes", keys);
        Assert.Contains("SpotTestTimeout", keys);
        Assert.Contains("SpotTestTimeout", new SpotTestOptions { SpotTestTimeout = TimeSpan.FromDays(91) }.Validate().Select(e => e.Key));
    }

    [Fact]
    public void Every_sweep_names_the_same_next_spot_test_until_one_runs()
    {
        var first = SpotTestIds.Next("a.edu", null);
        Assert.Equal(first, SpotTestIds.Next("a.edu", null));
        Assert.NotEqual(first, SpotTestIds.Next("b.edu", null));
        var second = SpotTestIds.Next("a.edu", first);
        Assert.NotEqual(first, second);
        Assert.Equal(second, SpotTestIds.Next("a.edu", first));
    }

    [Theory]
    [InlineData("spot-tests/a.edu/bag-1.tar", true)]
    [InlineData("spot-tests/b.edu/bag-1.tar", false)]
    [InlineData("a.edu/bag.tar", false)]
    [InlineData("spot-tests/a.edu/sub/bag.tar", false)]
    [InlineData("spot-tests/a.edu/../b.edu/bag.tar", false)]
    [InlineData("spot-tests/a.edu/bag.zip", false)]
    public void A_restore_destination_must_be_a_tar_under_the_institutions_spot_test_prefix(string key, bool allowed)
    {
        Assert.Equal(allowed, RestoreKeys.DestinationError("a.edu", key) is null);
    }
}
