using Amazon.Runtime;
using Amazon.S3;
using Bus.Platform.Options;

namespace Bus.Platform;

public static class StorageClientFactory
{
    public static IAmazonS3 Create(StorageOptions o) =>
        new AmazonS3Client(new BasicAWSCredentials(o.AccessKey, o.SecretKey), new AmazonS3Config
        {
            ServiceURL = o.ServiceUrl,
            AuthenticationRegion = o.Region,
            ForcePathStyle = o.ForcePathStyle,
            Timeout = TimeSpan.FromSeconds(o.TimeoutSeconds),
            MaxErrorRetry = 2,
        });
}
