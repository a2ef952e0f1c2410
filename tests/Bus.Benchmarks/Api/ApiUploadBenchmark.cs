using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Transfer;
using Bus.Benchmarks.Ingest;
using Bus.IntegrationTests.Support;
using Bus.Platform;
using Bus.Platform.Options;
using Npgsql;

namespace Bus.Benchmarks.Api;

/// <summary>
/// One file uploaded through the API (POST /api/v1/ingests?name=, streamed by bus-host to S3) and
/// directly (a multipart upload with the same part size, as a client of S3 would), alternately, to a
/// moto_server of the benchmark's own (so the shared one does not hold the gibibytes). The ratio of
/// the medians is the API's share of what S3 itself takes; goal at least 0.8.
/// Arguments: [MiB (1024)] [rounds (3)] [part MiB (16)], then any <c>NAME=VALUE</c> for the host's
/// environment, e.g. <c>Bus__Api__UploadPartsInFlight=2</c>.
/// </summary>
public sealed class ApiUploadBenchmark : IBenchmark
{
    public string Name => "api-upload";
    public string Description => "API upload throughput vs a direct multipart S3 upload of the same file (same part size), own moto_server; host peak RSS";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var hostSettings = HostArgs.Parse(args).Environment;
        args = args.Where(a => !a.Contains('=', StringComparison.Ordinal)).ToArray();
        int Arg(int i, int fallback) => args.Length > i && int.TryParse(args[i], out var v) ? v : fallback;
        var sizeMiB = Arg(0, 1024);
        var rounds = Arg(1, 3);
        var partBytes = Arg(2, 16) * 1024 * 1024;
        var folder = Directory.CreateTempSubdirectory("bus-bench-api-upload-").FullName;
        var institution = $"bench-{Guid.NewGuid():N}"[..14] + ".bench.edu";
        var email = $"depositor@{institution}";
        var connection = new PostgresOptions().ConnectionString;
        using var moto = await StartMotoAsync();
        await using var vhost = await TemporaryVirtualHost.CreateAsync();
        BenchHost? host = null;
        try
        {
            var storage = new StorageOptions { ServiceUrl = moto.Url };
            using var s3 = StorageClientFactory.Create(storage);
            // All of Bus's buckets: the host's readiness check looks for each.
            foreach (var (_, bucket) in storage.Buckets) await s3.PutBucketAsync(bucket, cancellationToken);
            var environment = new Dictionary<string, string>(vhost.Environment)
            {
                ["Bus__Storage__ServiceUrl"] = moto.Url,
                ["Bus__Api__UploadPartBytes"] = partBytes.ToString(CultureInfo.InvariantCulture),
            };
            foreach (var (k, v) in hostSettings) environment[k] = v;
            await Busctl.RunAsync(environment, "db", "migrate");
            await Busctl.RunAsync(environment, "institutions", "add", institution, "--name", "Bus benchmark api-upload", "--no-broker-user");
            await Busctl.RunAsync(environment, "users", "add", email, "--institution", institution, "--role", "depositor");
            var token = JsonDocument.Parse(await Busctl.RunAsync(environment, "users", "token", "create", email, "--json")).RootElement.GetProperty("token").GetString();
            host = BenchHost.Start(Busctl.Published("host", "bus-host"), Path.Combine(folder, "host.log"), environment, "--roles", "api");
            await host.WaitUntilHealthyAsync(TimeSpan.FromSeconds(120));

            var file = Path.Combine(folder, "upload.tar");
            await WriteRandomFileAsync(file, sizeMiB, cancellationToken);
            using var http = new HttpClient { BaseAddress = host.HealthUrl, Timeout = TimeSpan.FromMinutes(30) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

            var direct = new List<double>();
            var api = new List<double>();
            double hostCpu = 0, motoCpuApi = 0, motoCpuDirect = 0;
            for (var round = 0; round < rounds; round++)
            {
                var key = $"{institution}/direct-{round}.tar";
                var motoBefore = ProcessCpu.Seconds(moto.Pid);
                var clock = Stopwatch.StartNew();
                using (var transfer = new TransferUtility(s3))
                    await transfer.UploadAsync(new TransferUtilityUploadRequest { BucketName = storage.ReceivingBucket, Key = key, FilePath = file, PartSize = partBytes }, cancellationToken);
                direct.Add(clock.Elapsed.TotalSeconds);
                motoCpuDirect += ProcessCpu.Seconds(moto.Pid) - motoBefore;
                await s3.DeleteObjectAsync(storage.ReceivingBucket, key, cancellationToken);

                var name = $"api-{round}.tar";
                var hostBefore = host.CpuSeconds();
                motoBefore = ProcessCpu.Seconds(moto.Pid);
                clock.Restart();
                await using (var body = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan))
                {
                    using var content = new StreamContent(body, 1024 * 1024);
                    content.Headers.ContentType = new MediaTypeHeaderValue("application/x-tar");
                    using var response = await http.PostAsync($"/api/v1/ingests?name={name}", content, cancellationToken);
                    if (!response.IsSuccessStatusCode)
                        throw new InvalidOperationException($"API upload: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
                }
                api.Add(clock.Elapsed.TotalSeconds);
                hostCpu += host.CpuSeconds() - hostBefore;
                motoCpuApi += ProcessCpu.Seconds(moto.Pid) - motoBefore;
                await s3.DeleteObjectAsync(storage.ReceivingBucket, $"{institution}/{name}", cancellationToken);
                Console.Error.WriteLine($"round {round + 1}: direct {direct[^1]:F1} s, API {api[^1]:F1} s");
            }

            static double Median(List<double> xs) => xs.Order().ElementAt(xs.Count / 2);
            var mib = (double)sizeMiB;
            Console.WriteLine();
            Console.WriteLine($"### api-upload ({sizeMiB:N0} MiB, parts of {partBytes >> 20} MiB, {rounds} rounds alternating, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, load {RunMonitor.LoadAverage():F1})");
            Console.WriteLine();
            Console.WriteLine($"Host settings: {HostArgs.Describe(hostSettings)}.");
            Console.WriteLine();
            Console.WriteLine("| upload | median | MiB/s (median) | all rounds (s) | moto_server CPU-s per upload |");
            Console.WriteLine("|---|---|---|---|---|");
            Console.WriteLine($"| direct S3 multipart (TransferUtility, same part size) | {Median(direct):F1} s | {mib / Median(direct):F1} | {string.Join(", ", direct.Select(d => d.ToString("F1", CultureInfo.InvariantCulture)))} | {motoCpuDirect / rounds:F1} |");
            Console.WriteLine($"| through the API (bus-host streams to S3) | {Median(api):F1} s | {mib / Median(api):F1} | {string.Join(", ", api.Select(d => d.ToString("F1", CultureInfo.InvariantCulture)))} | {motoCpuApi / rounds:F1} |");
            Console.WriteLine();
            Console.WriteLine($"Ratio API / direct (median throughput): **{Median(direct) / Median(api):F2}** (goal ≥ 0.8). " +
                              $"Host: {hostCpu / rounds:F1} CPU-s per upload, peak RSS {host.PeakResidentKiB() / 1024} MiB since start.");
            Console.WriteLine();
            Console.WriteLine($"Machine: {Machine.Describe()}");
            return 0;
        }
        finally
        {
            if (host is not null) await host.DisposeAsync();
            await DeleteRowsAsync(connection, institution);
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task WriteRandomFileAsync(string path, int sizeMiB, CancellationToken ct)
    {
        var block = new byte[1024 * 1024];
        Random.Shared.NextBytes(block);
        await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
        for (var i = 0; i < sizeMiB; i++)
        {
            BitConverter.TryWriteBytes(block.AsSpan(0, 8), i);
            await file.WriteAsync(block, ct);
        }
    }

    private static async Task DeleteRowsAsync(string connection, string institution)
    {
        await using var data = NpgsqlDataSource.Create(connection);
        foreach (var sql in new[]
                 {
                     "DELETE FROM registry.api_tokens WHERE email IN (SELECT email FROM registry.users WHERE institution = @inst)",
                     "DELETE FROM registry.users WHERE institution = @inst",
                     "DELETE FROM registry.institutions WHERE identifier = @inst",
                 })
        {
            await using var command = data.CreateCommand(sql);
            command.Parameters.AddWithValue("inst", institution);
            await command.ExecuteNonQueryAsync();
        }
    }

    /// <summary>A moto_server of the benchmark's own on a free port; disposing stops this process only (by its PID).</summary>
    private sealed class Moto(Process process, string url) : IDisposable
    {
        public string Url { get; } = url;
        public int Pid => process.Id;

        public void Dispose()
        {
            if (!process.HasExited) process.Kill();
            process.WaitForExit();
            process.Dispose();
        }
    }

    private static async Task<Moto> StartMotoAsync()
    {
        var port = FreePort.Next();
        var info = new ProcessStartInfo("moto_server") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-H", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture) }) info.ArgumentList.Add(a);
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start moto_server");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var moto = new Moto(process, $"http://127.0.0.1:{port}");
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                return moto;
            }
            catch (SocketException) { await Task.Delay(100); }
        }
        moto.Dispose();
        throw new TimeoutException($"moto_server did not listen on {port}");
    }
}
