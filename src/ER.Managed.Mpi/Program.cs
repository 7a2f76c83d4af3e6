using Microsoft.Win32.SafeHandles;
using ER.Managed.Cli.Files;
using ER.Managed.Mpi;
using ER.Managed.Mpi.Mpi;

IDisposable[] signals = Interrupts.Install("er-mpi");
try
{
    MpiComm comm;
    try
    {
        comm = MpiComm.Initialize();
    }
    catch (MpiException) when (MpiCli.AsksForHelp(args))
    {
        // Help needs no MPI: say it on one rank of its own.
        return MpiCli.Run(args, new SoloCommunicator(), Console.Out, Console.Error);
    }
    catch (MpiException e)
    {
        Console.Error.WriteLine($"er-mpi: {e.Message}");
        return 1;
    }

    using (comm)
    {
        // File streams on descriptors 1 and 2, not the console's: when they are terminals (Open MPI
        // gives its ranks pseudo-terminals) the console's first write sends the terminal's keypad
        // escape (ESC [?1h ESC =), which mpiexec then forwards into the output of a pipeline.
        using var standardInput = Console.OpenStandardInput();
        using var standardOutput = new FileStream(new SafeFileHandle(1, ownsHandle: false), FileAccess.Write, 1);
        using var output = new StreamWriter(standardOutput, leaveOpen: true) { AutoFlush = true };
        using var error = new StreamWriter(new FileStream(new SafeFileHandle(2, ownsHandle: false), FileAccess.Write, 1)) { AutoFlush = true };
        return MpiCli.Run(args, comm, output, error, standardInput, standardOutput);
    }
}
finally
{
    foreach (IDisposable signal in signals)
    {
        signal.Dispose();
    }
}
