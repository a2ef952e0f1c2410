using Bus.IntegrationTests.Ingest;
using Bus.IntegrationTests.Support;
using Bus.Platform.Options;
using Microsoft.Playwright;

namespace Bus.IntegrationTests.Console;

[CollectionDefinition(Collection)]
public sealed class ConsoleCollection : ICollectionFixture<ConsoleStack>
{
    public const string Collection = "console";
}

/// <summary>
/// The one browser of the console scenarios, and the host it talks to: roles api, console, ingest and
/// scheduler in a vhost of their own; two institutions (own and other) with a depositor, an admin and an
/// operator in own and a depositor in other; one bag ingested in each. Debian's chromium, headless,
/// launched by its executable path (Playwright's own browser download cannot work offline; the test
/// setup installs the package: scripts/stack.sh). Each scenario opens a context of its own (its own
/// cookies), so sessions never leak between scenarios. The host has the default storage options, except that
/// <see cref="FaultOption"/> (one the bag profile allows and no other scenario uses) puts its one copy in
/// <see cref="FaultBucket"/>: a bucket of this fixture only, which a scenario removes to make a real ingest
/// fault at Store (and puts back before it replays). The console also signs in through a test OpenID
/// provider (<see cref="TestOpenIdProvider"/>), started before the host.
/// </summary>
public sealed class ConsoleStack : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private readonly string _folder = Directory.CreateTempSubdirectory("bus-console-test-").FullName;
    private IPlaywright? _playwright;

    public IngestStack Stack { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public Uri BaseUrl => Stack.Host!.HealthUrl;
    public string Own => Stack.Institution;
    public string Other { get; } = $"o{Guid.NewGuid():N}"[..13] + ".test.edu";
    public Dictionary<(string Institution, string Role), string> Tokens { get; } = new();
    public Dictionary<(string Institution, string Role), string> Emails { get; } = new();
    public TestOpenIdProvider Oidc { get; private set; } = null!;
    /// <summary>The key of the bag ingested in each institution (its ingest list shows it).</summary>
    public Dictionary<string, string> BagKey { get; } = new();
    public Dictionary<string, Guid> IngestId { get; } = new();
    /// <summary>The key of a second institutional admin of own in <see cref="Tokens"/>.</summary>
    public const string SecondAdmin = "second_admin";
    public string DeletableObject { get; private set; } = "";
    /// <summary>The storage option only the operations scenario's bag asks for.</summary>
    public const string FaultOption = "Wasabi-TX";
    public string FaultBucket { get; } = "bus-console-fault-" + Guid.NewGuid().ToString("N")[..8];

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException($"{ChromiumPath} not found: the browser tests need Debian's chromium (scripts/stack.sh up installs it as root)");
        // The host checks every bucket it is configured with before it is ready: this one exists until a scenario removes it.
        using (var s3 = Bus.Platform.StorageClientFactory.Create(new StorageOptions()))
            await s3.PutBucketAsync(FaultBucket);
        Oidc = await TestOpenIdProvider.StartAsync();
        var configuration = OptionsWithFaultOption();
        configuration["Bus__Console__Oidc__Authority"] = Oidc.Issuer;
        configuration["Bus__Console__Oidc__ClientId"] = TestOpenIdProvider.ClientId;
        configuration["Bus__Console__Oidc__ClientSecret"] = TestOpenIdProvider.ClientSecret;
        configuration["Bus__Console__Oidc__DisplayName"] = TestOpenIdProvider.Name;
        Stack = await IngestStack.StartAsync(configuration, roles: "api,console,ingest,deletion,scheduler");
        Tokens[(Own, "depositor")] = Stack.Environment["BUS_TOKEN"];
        Emails[(Own, "depositor")] = Stack.Depositor;
        foreach (var (institution, role) in new[] { (Own, "institutional_admin"), (Own, "operator"), (Other, "depositor") })
        {
            Emails[(institution, role)] = $"{role.Replace('_', '-')}-{Guid.NewGuid():N}"[..24] + "@" + institution;
            Tokens[(institution, role)] = await ApiIdentities.UserWithTokenAsync(institution, Emails[(institution, role)], role);
        }
        Tokens[(Own, SecondAdmin)] = await ApiIdentities.UserWithTokenAsync(Own, $"second-admin-{Guid.NewGuid():N}"[..24] + "@" + Own, "institutional_admin");
        // An object of its own for the deletion scenario, so deleting it changes nothing the others look at.
        var doomed = new TestBag("doomed-" + Guid.NewGuid().ToString("N")[..8]);
        var (code, _) = await Stack.SubmitAndWaitAsync(doomed);
        Assert.Equal(0, code);
        DeletableObject = $"{Own}/{doomed.Name}";
        foreach (var institution in new[] { Own, Other })
        {
            var bag = new TestBag("console-" + Guid.NewGuid().ToString("N")[..8]);
            var tar = bag.WriteTar(_folder);
            var p = await Stack.BusctlAsAsync(Tokens[(institution, "depositor")], "ingest", "submit", tar, "--wait", "--json", "--timeout", "240");
            Assert.True(p.ExitCode == 0, $"ingest in {institution}: {p.Stderr}{p.Stdout}");
            BagKey[institution] = $"{institution}/{Path.GetFileName(tar)}";
            IngestId[institution] = System.Text.Json.JsonDocument.Parse(p.Stdout).RootElement.GetProperty("ingestId").GetGuid();
        }
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ChromiumPath, Headless = true });
    }

    public string WriteTar(TestBag bag) => bag.WriteTar(_folder);

    /// <summary>Configuring any option replaces the defaults, so every default option is given again, <see cref="FaultOption"/> with its bucket changed.</summary>
    private Dictionary<string, string> OptionsWithFaultOption()
    {
        var options = new Dictionary<string, StorageOptionDefinition>(StorageOptions.DefaultOptions)
        {
            [FaultOption] = new() { Copies = [new() { Name = "hot", Bucket = FaultBucket, Region = "tx", StorageClass = StorageClasses.Standard }] },
        };
        var config = new Dictionary<string, string>();
        foreach (var (name, option) in options)
            for (var i = 0; i < option.Copies.Count; i++)
            {
                var prefix = $"Bus__Storage__Options__{name}__Copies__{i}__";
                config[prefix + "Name"] = option.Copies[i].Name;
                config[prefix + "Bucket"] = option.Copies[i].Bucket;
                config[prefix + "Region"] = option.Copies[i].Region;
                config[prefix + "StorageClass"] = option.Copies[i].StorageClass;
            }
        return config;
    }

    /// <summary>A fresh browser context (no cookies) with one page, signed in with <paramref name="token"/>.</summary>
    public async Task<IPage> SignedInPageAsync(string token)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = BaseUrl.ToString(), TimezoneId = "Europe/Zurich" });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");
        await page.GetByLabel("API token").FillAsync(token);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Dashboard", Level = 1 })).ToBeVisibleAsync();
        return page;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        if (Stack is not null) await Stack.DisposeAsync();
        await EmptyAndRemoveAsync(FaultBucket);
        if (Oidc is not null) await Oidc.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private static async Task EmptyAndRemoveAsync(string bucket)
    {
        using var s3 = Bus.Platform.StorageClientFactory.Create(new StorageOptions());
        try
        {
            var listed = await s3.ListObjectsV2Async(new Amazon.S3.Model.ListObjectsV2Request { BucketName = bucket });
            foreach (var o in listed.S3Objects ?? []) await s3.DeleteObjectAsync(bucket, o.Key);
            await s3.DeleteBucketAsync(bucket);
        }
        catch (Amazon.S3.AmazonS3Exception e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
        }
    }
}
