using ER.Managed.Cli;
using ER.Managed.Cli.Files;
using ER.Managed.Mpi.Mpi;

namespace ER.Managed.Mpi;

/// <summary>
/// The <c>er-mpi</c> command line, run by every rank of an MPI job (<c>mpiexec -n N er-mpi ...</c>).
/// Exit codes as <c>er</c>'s: 0 success, 1 input error, 2 usage error, the same on every rank.
/// Errors that every rank meets alike (usage, invalid numbers) are printed once, by rank 0; a rank
/// that alone fails (its own file) prints its own; a failure no other rank can learn of ends the
/// job through MPI_Abort rather than leave the others waiting.
/// </summary>
internal static class MpiCli
{
    /// <summary>Whether the command line asks only for help (no arguments, <c>help</c>, or a help option), which needs no MPI.</summary>
    internal static bool AsksForHelp(string[] args) =>
        args.Length == 0 || args[0] is "help" || Array.Exists(args, a => a is "--help" or "-h" or "-?");

    internal static int Run(string[] args, ICommunicator comm, TextWriter stdout, TextWriter stderr, Stream? standardInput = null, Stream? standardOutput = null)
    {
        bool root = comm.Rank == 0;
        CliStreams.Set(root ? standardInput ?? Stream.Null : Stream.Null, root ? standardOutput ?? Stream.Null : Stream.Null, root ? stderr : TextWriter.Null, program: "er-mpi");
        if (args.Length is 1 or 2 && args[0] == "help")
        {
            args = args.Length == 1 ? ["--help"] : [args[1], "--help"];
        }

        var command = new RootCommand("er-mpi: the entropy of a batch split by rows over the ranks of an MPI job; the same result as er entropy.")
        {
            MpiEntropyCommand.Create(comm, root ? stdout : TextWriter.Null, stderr),
        };
        CliErrors.FitHelp(command);
        try
        {
            return CliErrors.Invoke("er-mpi", command.Parse(args), root ? stdout : TextWriter.Null, root ? stderr : TextWriter.Null, handleOutOfMemory: comm.Size == 1);
        }
        catch (RankExit e)
        {
            return e.Code;
        }
        catch (Exception e)
        {
            // Anything else (out of memory in a job of several ranks, whose Invoke leaves it here; a
            // failing MPI call) is a failure the other ranks cannot learn of: they would wait forever.
            stderr.WriteLine($"er-mpi: rank {comm.Rank} of {comm.Size}: {CliErrors.OneLine(e.Message)}");
            comm.Abort(CliErrors.InputError);
            return CliErrors.InputError;
        }
    }
}
