using System.Net;
using Amazon.S3;
using Bus.Workflows.Steps;
using Bus.Persistence.Transactions;
using Npgsql;
using Polly.CircuitBreaker;

namespace Bus.Tests.Workflows;

public sealed class When_a_step_error_is_classified
{
    private static AmazonS3Exception S3(HttpStatusCode status) => new("test") { StatusCode = status };

    public static TheoryData<string, Exception> Transient => new()
    {
        { "S3 503", S3(HttpStatusCode.ServiceUnavailable) },
        { "S3 throttling", S3(HttpStatusCode.TooManyRequests) },
        { "S3 timeout", new TaskCanceledException("timeout", new TimeoutException()) },
        { "connection refused", new HttpRequestException("refused") },
        { "S3 circuit open", new BrokenCircuitException("open") },
        { "a call timed out inside the consumer", new MassTransit.ConsumerCanceledException("canceled by the consumer") },
        { "deadlock", new PostgresException("deadlock", "ERROR", "ERROR", "40P01") },
        { "database retry", new DatabaseTransientException("insert race") },
        { "wrapped", new InvalidOperationException("step failed", new IOException("reset")) },
        { "S3 throttling by error code", new AmazonS3Exception("slow down") { StatusCode = HttpStatusCode.BadRequest, ErrorCode = "Throttling" } },
        { "one of a batch", new AggregateException(new InvalidOperationException("x"), S3(HttpStatusCode.InternalServerError)) },
    };

    public static TheoryData<string, Exception> Fatal => new()
    {
        { "S3 404", S3(HttpStatusCode.NotFound) },
        { "S3 403", S3(HttpStatusCode.Forbidden) },
        { "missing interim row", new InvalidOperationException("ingest has no unpacked bag row") },
        { "bad argument", new ArgumentException("bad") },
        { "a cancelled S3 call", new OperationCanceledException("cancelled") },
        { "constraint", new PostgresException("violates check", "ERROR", "ERROR", "23514") },
        { "a batch of fatal errors", new AggregateException(new InvalidOperationException("x"), S3(HttpStatusCode.NotFound)) },
    };

    [Theory]
    [MemberData(nameof(Transient))]
    public void Should_retry_and_redeliver_what_another_attempt_may_not_meet(string why, Exception error) =>
        Assert.True(TransientErrors.IsTransient(error), why);

    [Theory]
    [MemberData(nameof(Fatal))]
    public void Should_fault_at_once_on_what_every_attempt_would_meet(string why, Exception error) =>
        Assert.False(TransientErrors.IsTransient(error), why);
}
