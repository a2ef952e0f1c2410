using Bus.Api.Endpoints;

namespace Bus.Tests.Api;

public sealed class PagingTests
{
    [Fact]
    public void A_cursor_round_trips_and_garbage_is_refused()
    {
        var cursor = new Cursor(new DateTimeOffset(2026, 12, 6, 1, 2, 3, TimeSpan.Zero).AddTicks(10), Guid.NewGuid().ToString());
        Assert.True(Cursor.TryDecode(cursor.Encode(), out var back));
        Assert.Equal(cursor, back);
        Assert.True(Cursor.TryDecode(null, out var none));
        Assert.Null(none);
        Assert.False(Cursor.TryDecode("not*base64", out _));
        Assert.False(Cursor.TryDecode("bm8tc2VwYXJhdG9y", out _));
    }

    [Fact]
    public void A_page_has_a_next_cursor_only_when_more_rows_follow()
    {
        var rows = Enumerable.Range(0, 4).Select(i => (At: DateTimeOffset.UnixEpoch.AddSeconds(i), Id: i.ToString())).ToList();
        var page = Paging.Make(rows, 3, r => new Cursor(r.At, r.Id), r => r.Id);
        Assert.Equal(["0", "1", "2"], page.Items);
        Assert.True(Cursor.TryDecode(page.Next, out var next));
        Assert.Equal("2", next!.Value.Id);
        Assert.Null(Paging.Make(rows.Take(3).ToList(), 3, r => new Cursor(r.At, r.Id), r => r.Id).Next);
    }

    [Theory]
    [InlineData("bag.tar", true)]
    [InlineData("bag-1.v2_x.tar", true)]
    [InlineData("my bag.tar", false)]
    [InlineData("bag\u0001.tar", false)]
    [InlineData("-bag.tar", false)]
    [InlineData("bag.TAR", false)]
    [InlineData(".tar", false)]
    [InlineData("bag.zip", false)]
    [InlineData("a/bag.tar", false)]
    [InlineData("..\\bag.tar", false)]
    [InlineData(".hidden.tar", false)]
    public void Upload_names_are_one_tar_file_name_of_a_valid_bag_name(string name, bool valid) =>
        Assert.Equal(valid, IngestEndpoints.NameError(name) is null);

    [Fact]
    public void An_upload_name_over_255_bytes_is_refused_with_its_length()
    {
        Assert.Null(IngestEndpoints.NameError(new string('a', 251) + ".tar"));
        Assert.Contains("over 255 bytes", IngestEndpoints.NameError(new string('a', 252) + ".tar"));
    }
}
