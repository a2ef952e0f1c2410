using Bus.Benchmarks;

var benchmarks = typeof(IBenchmark).Assembly.GetTypes()
    .Where(t => t is { IsAbstract: false, IsInterface: false } && typeof(IBenchmark).IsAssignableFrom(t))
    .Select(t => (IBenchmark)Activator.CreateInstance(t)!)
    .OrderBy(b => b.Name)
    .ToList();

var selected = benchmarks.FirstOrDefault(b => b.Name == args.FirstOrDefault());
if (selected is null)
{
    Console.Error.WriteLine("usage: Bus.Benchmarks <name> [args]; benchmarks:");
    foreach (var b in benchmarks) Console.Error.WriteLine($"  {b.Name,-20} {b.Description}");
    return 2;
}
Console.WriteLine($"Machine: {Machine.Describe()}");
return await selected.RunAsync(args.Skip(1).ToArray(), CancellationToken.None);
