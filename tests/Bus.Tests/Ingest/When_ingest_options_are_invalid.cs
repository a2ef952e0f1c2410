using Bus.Ingest;

namespace Bus.Tests.Ingest;

public sealed class When_ingest_options_are_invalid
{
    [Fact]
    public void The_defaults_are_valid()
    {
        var o = new IngestOptions();
        Assert.Empty(o.Validate());
        Assert.Equal(TimeSpan.FromMinutes(5), o.TimeSlice);
        Assert.True(o.DeleteReceivingObject);
        Assert.Equal(1024 * 1024, o.MaxTagFileBytes);
    }

    [Theory]
    [InlineData(nameof(IngestOptions.TimeSliceSeconds))]
    [InlineData(nameof(IngestOptions.VerifyRecopyAttempts))]
    [InlineData(nameof(IngestOptions.InterimRetentionDays))]
    [InlineData(nameof(IngestOptions.MultipartCopyPartBytes))]
    [InlineData(nameof(IngestOptions.QueuePrefix))]
    [InlineData(nameof(IngestOptions.RecordChunkFiles))]
    [InlineData(nameof(IngestOptions.MaxTagFileBytes))]
    public void The_bad_key_is_named(string key)
    {
        var o = new IngestOptions();
        switch (key)
        {
            case nameof(IngestOptions.TimeSliceSeconds): o.TimeSliceSeconds = 1800; break; // RabbitMQ's consumer timeout
            case nameof(IngestOptions.VerifyRecopyAttempts): o.VerifyRecopyAttempts = -1; break;
            case nameof(IngestOptions.InterimRetentionDays): o.InterimRetentionDays = 0; break;
            case nameof(IngestOptions.MultipartCopyPartBytes): o.MultipartCopyPartBytes = 1024; break;
            case nameof(IngestOptions.QueuePrefix): o.QueuePrefix = "a b"; break;
            case nameof(IngestOptions.RecordChunkFiles): o.RecordChunkFiles = 0; break;
            case nameof(IngestOptions.MaxTagFileBytes): o.MaxTagFileBytes = 0; break;
        }
        Assert.Contains(o.Validate(), e => e.Key == key);
    }
}
