using Bus.Persistence.Transactions;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Bus.Tests.Persistence;

public sealed class TransientDatabaseErrorsTests
{
    [Theory]
    [InlineData("40001")] // serialization failure
    [InlineData("40P01")] // deadlock
    [InlineData("23505")] // unique violation: the initiating insert race
    [InlineData("55P03")] // lock not available
    public void Should_retry_sql_states_another_attempt_can_get_past(string sqlState) =>
        Assert.True(TransientDatabaseErrors.IsTransient(new PostgresException("x", "ERROR", "ERROR", sqlState)));

    [Theory]
    [InlineData("23503")] // foreign key violation: a bug, the same every time
    [InlineData("42P01")] // undefined table: not migrated
    [InlineData("22001")] // value too long
    public void Should_not_retry_errors_that_repeat(string sqlState) =>
        Assert.False(TransientDatabaseErrors.IsTransient(new PostgresException("x", "ERROR", "ERROR", sqlState)));

    [Fact]
    public void Should_look_through_wrapping_exceptions() =>
        Assert.True(TransientDatabaseErrors.IsTransient(
            new InvalidOperationException("outer", new DbUpdateException("ef", new PostgresException("x", "ERROR", "ERROR", "40P01")))));

    [Fact]
    public void Should_retry_optimistic_conflicts() =>
        Assert.True(TransientDatabaseErrors.IsTransient(new DbUpdateConcurrencyException("xmin changed")));

    [Fact]
    public void Should_not_retry_ordinary_exceptions() =>
        Assert.False(TransientDatabaseErrors.IsTransient(new InvalidOperationException("bad state")));
}
