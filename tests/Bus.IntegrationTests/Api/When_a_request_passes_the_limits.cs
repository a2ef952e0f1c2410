using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Model;
using Bus.Registry.Model;

namespace Bus.IntegrationTests.Api;

/// <summary>
/// Request limits on the shared API host (MaxUploadBytes 16 MiB, MaxConcurrentUploads 1, parts of
/// 5 MiB, JSON bodies to the default 64 KiB): too large is a 413 problem, declared sizes are refused
/// before the body is read, a chunked body is stopped when it passes the limit and leaves nothing in
/// S3, and an upload beyond the concurrent bound is told to come back.
/// </summary>
[Collection(ApiCollection.Collection)]
public sealed class When_a_request_passes_the_limits(ApiStack api)
{
    private string Depositor => api.Users[(api.Own, Roles.Depositor)].Token;

    /// <summary>A body of <paramref name="length"/> bytes made as it is sent; counts what the client sent, optionally pauses.</summary>
    private sealed class GeneratedContent(long length, bool declareLength, Func<long, Task>? onRead = null) : HttpContent
    {
        public long Sent;

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var block = new byte[64 * 1024];
            Random.Shared.NextBytes(block);
            while (Sent < length)
            {
                if (onRead is not null) await onRead(Sent);
                var n = (int)Math.Min(block.Length, length - Sent);
                await stream.WriteAsync(block.AsMemory(0, n));
                Sent += n;
            }
        }

        protected override bool TryComputeLength(out long size)
        {
            size = length;
            return declareLength;
        }
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, int status, string type)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"{(int)response.StatusCode} {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.EndsWith("/" + type, JsonDocument.Parse(body).RootElement.GetProperty("type").GetString());
    }

    private async Task AssertNothingStoredAsync(string key)
    {
        var uploads = await api.Stack.S3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = api.Stack.Storage.ReceivingBucket, Prefix = key });
        Assert.Empty(uploads.MultipartUploads ?? []);
        var e = await Assert.ThrowsAsync<AmazonS3Exception>(() => api.Stack.S3.GetObjectMetadataAsync(api.Stack.Storage.ReceivingBucket, key));
        Assert.Equal(HttpStatusCode.NotFound, e.StatusCode);
    }

    [Fact]
    public async Task An_upload_declaring_more_than_the_maximum_is_refused_before_its_body_is_read()
    {
        var name = $"declared-{Guid.NewGuid():N}.tar";
        var content = new GeneratedContent(ApiStack.MaxUploadBytes + 1, declareLength: true);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/ingests?name={name}") { Content = content };
        request.Headers.ExpectContinue = true;
        using var response = await api.SendAsync(request, Depositor);
        await AssertProblemAsync(response, 413, "upload-too-large");
        Assert.Equal(0, content.Sent);
        await AssertNothingStoredAsync($"{api.Own}/{name}");
    }

    [Fact]
    public async Task A_chunked_upload_is_stopped_when_it_passes_the_maximum_and_leaves_no_parts()
    {
        var name = $"chunked-{Guid.NewGuid():N}.tar";
        // Three 5 MiB parts are sent to S3 before the body passes 16 MiB. A raw connection: the client
        // stops just past the limit and reads the answer (HttpClient would fail writing the rest first).
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(api.Http.BaseAddress!.Host, api.Http.BaseAddress.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"POST /api/v1/ingests?name={name} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {Depositor}\r\n" +
            "Content-Type: application/x-tar\r\nTransfer-Encoding: chunked\r\n\r\n"));
        var chunk = new byte[64 * 1024];
        Random.Shared.NextBytes(chunk);
        long sent = 0;
        while (sent <= ApiStack.MaxUploadBytes + chunk.Length)
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"{chunk.Length:x}\r\n"));
            await stream.WriteAsync(chunk);
            await stream.WriteAsync("\r\n"u8.ToArray());
            sent += chunk.Length;
        }
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var answer = await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.StartsWith("HTTP/1.1 413", answer);
        Assert.Contains("application/problem+json", answer);
        Assert.Contains("/upload-too-large", answer);
        await AssertNothingStoredAsync($"{api.Own}/{name}");
    }

    [Fact]
    public async Task A_json_body_over_the_limit_is_refused_declared_or_chunked_and_changes_nothing()
    {
        await api.WaitForQuietAsync();
        var before = await api.FingerprintAsync();
        var admin = api.Users[(api.Own, Roles.InstitutionalAdmin)].Token;
        var big = JsonSerializer.Serialize(new { identifier = api.Objects[api.Own], reason = new string('x', 70 * 1024) });

        // Declared: refused on the Content-Length, so the body is held back (Expect: 100-continue) and never meets a closed connection.
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/deletions") { Content = new StringContent(big, Encoding.UTF8, "application/json") })
        {
            request.Headers.ExpectContinue = true;
            using var response = await api.SendAsync(request, admin);
            await AssertProblemAsync(response, 413, "body-too-large");
        }

        // Chunked: the server reads up to the limit, answers and closes while the rest may still be on its way. A raw
        // connection: the whole body goes out in one write, a write refused by the closed connection is fine, the answer is read.
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(api.Http.BaseAddress!.Host, api.Http.BaseAddress.Port);
        var stream = tcp.GetStream();
        var body = Encoding.UTF8.GetBytes(big);
        var head = Encoding.ASCII.GetBytes($"POST /api/v1/deletions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {admin}\r\n" +
            $"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n{body.Length:x}\r\n");
        try { await stream.WriteAsync((byte[])[.. head, .. body, .. "\r\n0\r\n\r\n"u8]); }
        catch (IOException) { }
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var answer = await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.StartsWith("HTTP/1.1 413", answer);
        Assert.Contains("/body-too-large", answer);
        Assert.Equal(before, await api.FingerprintAsync());
    }

    [Fact]
    public async Task Upload_names_that_cannot_be_a_bag_are_refused_with_the_reason()
    {
        foreach (var (name, reason) in new[]
                 {
                     ("my%20bag.tar", "must start with a letter or digit"),
                     (new string('a', 300) + ".tar", "over 255 bytes"),
                     ("bag.zip", "'<bag>.tar'"),
                     ("..%2Fbag.tar", "one file name"),
                 })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/ingests?name={name}") { Content = new ByteArrayContent([1, 2, 3]) };
            using var response = await api.SendAsync(request, Depositor);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{name}: {(int)response.StatusCode} {body}");
            Assert.Contains(reason, JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString());
        }
    }

    [Fact]
    public async Task An_upload_beyond_the_concurrent_bound_is_answered_503_with_retry_after()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Expect: 100-continue: the first byte leaves only once the handler reads, so holding the slot.
        var holding = new GeneratedContent(1024 * 1024, declareLength: true, async sent =>
        {
            if (sent > 0) return;
            started.TrySetResult();
            await release.Task;
            throw new IOException("the test abandons this upload");
        });
        var name = $"holding-{Guid.NewGuid():N}.tar";
        using var first = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/ingests?name={name}") { Content = holding };
        first.Headers.ExpectContinue = true;
        var firstResponse = api.SendAsync(first, Depositor);
        try
        {
            await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
            using var second = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/ingests?name=second-{Guid.NewGuid():N}.tar") { Content = new ByteArrayContent([1]) };
            using var response = await api.SendAsync(second, Depositor);
            await AssertProblemAsync(response, 503, "uploads-busy");
            Assert.NotNull(response.Headers.RetryAfter);
        }
        finally
        {
            release.TrySetResult();
            try { (await firstResponse).Dispose(); } catch (HttpRequestException) { }
        }
        await AssertNothingStoredAsync($"{api.Own}/{name}");
        // The slot came back: the next upload is taken (and refused for its content only later).
        using var after = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/ingests?name=after-{Guid.NewGuid():N}.tar") { Content = new ByteArrayContent([]) };
        using var afterResponse = await api.SendAsync(after, Depositor);
        await AssertProblemAsync(afterResponse, 400, "invalid-request");
    }
}
