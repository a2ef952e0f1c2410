using Bus.Host;
using Microsoft.Extensions.Options;

try
{
    await BusHost.Build(args).RunAsync();
    return 0;
}
catch (OptionsValidationException e)
{
    // A bad setting is an operator's error, not a crash: say which key and stop.
    Console.Error.WriteLine("bus-host: invalid configuration:");
    foreach (var failure in e.Failures) Console.Error.WriteLine($"  {failure}");
    return 2;
}
