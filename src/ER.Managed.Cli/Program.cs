using ER.Managed.Cli;
using ER.Managed.Cli.Files;

IDisposable[] signals = Interrupts.Install();
try
{
    using var standardInput = Console.OpenStandardInput();
    using var standardOutput = Console.OpenStandardOutput();
    return Cli.Run(args, Console.Out, Console.Error, standardInput, standardOutput, Console.IsErrorRedirected ? null : Progress.DefaultDelay);
}
finally
{
    foreach (IDisposable signal in signals)
    {
        signal.Dispose();
    }
}
