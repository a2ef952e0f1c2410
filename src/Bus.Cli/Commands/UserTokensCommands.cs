using System.CommandLine;
using Bus.Cli.Output;
using Bus.Registry;
using Bus.Registry.Tokens;
using Spectre.Console;

namespace Bus.Cli.Commands;

/// <summary>
/// <c>busctl users token create|list|revoke</c>: personal API tokens (docs/api.md). The token is
/// printed once, at creation; the registry keeps only its SHA-256.
/// </summary>
public static class UserTokensCommands
{
    public static Command Create()
    {
        var token = new Command("token", "Personal API tokens for the HTTP API (Authorization: Bearer <token>)");

        var email = new Argument<string>("email") { Description = "The user the token acts as" };
        var expires = new Option<string?>("--expires") { Description = "Lifetime, e.g. 90d, 12h (default: 90d; 'never' for no expiry)" };
        var create = new Command("create", "Create a token and print it once. Exit 1 when the user does not exist.") { email, expires };
        create.SetBusAction((p, context, output, ct) => RegistryCommandSupport.WithStoreAsync(context, output, async store =>
        {
            var address = p.GetValue(email)!.Trim().ToLowerInvariant();
            if (Identifiers.EmailError(address) is { } emailError) return output.Fail(ExitCodes.UsageOrConnection, emailError);
            var text = p.GetValue(expires) ?? "90d";
            TimeSpan? lifetime = null;
            if (!text.Equals("never", StringComparison.OrdinalIgnoreCase))
            {
                if (!Durations.TryParse(text, out var parsed) || parsed <= TimeSpan.Zero || parsed > TimeSpan.FromDays(3650))
                    return output.Fail(ExitCodes.UsageOrConnection, $"--expires '{text}' is not a lifetime between 1s and 3650d (e.g. 90d, 12h) or 'never'");
                lifetime = parsed;
            }
            if (await store.FindUserAsync(address, ct) is null)
                return output.Fail(ExitCodes.Negative, $"no user '{address}' (add it with 'busctl users add')");
            var expiresAt = lifetime is { } l ? DateTimeOffset.UtcNow + l : (DateTimeOffset?)null;
            ApiTokens.NewToken made;
            do made = ApiTokens.Create();
            while (!await store.AddTokenAsync(made.Prefix, made.Sha256, address, expiresAt, ct));
            output.Result(new { token = made.Token, prefix = made.Prefix, email = address, expiresAt }, console =>
            {
                console.MarkupLine($"token for [bold]{TerminalText.Markup(address)}[/] (prefix {made.Prefix}, expires {(expiresAt is { } at ? at.ToString("u") : "never")}):");
                console.WriteLine(made.Token);
                console.MarkupLine("[yellow]it is shown only now: store it safely[/]");
            });
            return ExitCodes.Success;
        }, ct));

        var listEmail = new Argument<string>("email") { Description = "Whose tokens" };
        var list = new Command("list", "List a user's tokens (prefix and times, never the token)") { listEmail };
        list.SetBusAction((p, context, output, ct) => RegistryCommandSupport.WithStoreAsync(context, output, async store =>
        {
            var rows = (await store.ListTokensAsync(p.GetValue(listEmail)!.Trim(), ct))
                .Select(r => new { r.Prefix, r.Email, r.CreatedAt, r.ExpiresAt, r.LastUsedAt, r.RevokedAt }).ToList();
            output.Result(new { tokens = rows }, console =>
            {
                var table = new Table().AddColumns("Prefix", "Created", "Expires", "Last used", "Revoked");
                foreach (var r in rows)
                    table.AddRow(r.Prefix, r.CreatedAt.ToString("u"), r.ExpiresAt?.ToString("u") ?? "never", r.LastUsedAt?.ToString("u") ?? "", r.RevokedAt?.ToString("u") ?? "");
                console.Write(table);
            });
            return ExitCodes.Success;
        }, ct));

        var prefix = new Argument<string>("prefix") { Description = "The token's prefix (the 8 characters after bus_)" };
        var revoke = new Command("revoke", "Revoke a token at once. Exit 1 when unknown or already revoked.") { prefix };
        revoke.SetBusAction((p, context, output, ct) => RegistryCommandSupport.WithStoreAsync(context, output, async store =>
        {
            var value = p.GetValue(prefix)!.Trim();
            if (value.StartsWith(ApiTokens.Marker, StringComparison.Ordinal) && ApiTokens.TryParse(value, out var fromToken)) value = fromToken;
            if (!ApiTokens.IsPrefix(value)) return output.Fail(ExitCodes.UsageOrConnection, $"'{value}' is not a token prefix (8 lower-case letters and digits)");
            if (!await store.RevokeTokenAsync(value, ct)) return output.Fail(ExitCodes.Negative, $"no unrevoked token with prefix '{value}'");
            output.Result(new { revoked = value }, console => console.MarkupLine($"revoked token {value}"));
            return ExitCodes.Success;
        }, ct));

        token.Subcommands.Add(create);
        token.Subcommands.Add(list);
        token.Subcommands.Add(revoke);
        return token;
    }
}
