using System.Linq;
using ER.Managed.Cli.Commands;
using ER.Managed.Cli.Files;

namespace ER.Managed.Cli;

/// <summary>
/// The <c>er</c> command line. Exit codes: 0 success, 1 input error (unreadable or invalid
/// file, numbers the library refuses), 2 usage error (unknown command or option, bad option
/// value); every error is one line on stderr, never a stack trace.
/// </summary>
internal static class Cli
{
    internal const int Success = CliErrors.Success;
    internal const int InputError = CliErrors.InputError;
    internal const int UsageError = CliErrors.UsageError;

    /// <summary>The width help text is wrapped to.</summary>
    internal const int HelpWidth = CliErrors.HelpWidth;

    /// <summary>Runs one command line.</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="stdout">Where reports go.</param>
    /// <param name="stderr">Where errors and notes go.</param>
    /// <param name="standardInput">The bytes behind an input named <c>-</c> (default: none).</param>
    /// <param name="standardOutput">The bytes behind an output named <c>-</c> (default: discarded).</param>
    /// <param name="progressAfter">Where <paramref name="stderr"/> is a terminal: after how long a running command shows its progress there (default: never, as in a pipe).</param>
    internal static int Run(string[] args, TextWriter stdout, TextWriter stderr, Stream? standardInput = null, Stream? standardOutput = null, TimeSpan? progressAfter = null)
    {
        CliStreams.Set(standardInput ?? Stream.Null, standardOutput ?? Stream.Null, stderr, progressAfter);

        RootCommand root = Build(stdout, stderr);

        // No operating system passes a NUL inside an argument, but an in-process caller can, and the
        // parser's response files (@FILE) would throw on it while opening the file.
        int withNul = Array.FindIndex(args, a => a.Contains('\0', StringComparison.Ordinal));
        if (withNul >= 0)
        {
            stderr.WriteLine($"er: Argument {withNul + 1} contains a NUL character. (see 'er --help')");
            return UsageError;
        }

        // "er help" and "er help CMD" are "er --help" and "er CMD --help"; an unknown CMD is the
        // usage error that "er CMD" is (not the root help with exit 0).
        if (args.Length is 1 or 2 && args[0] == "help")
        {
            if (args.Length == 2 && !root.Subcommands.Any(c => c.Name == args[1]))
            {
                stderr.WriteLine($"er: Unrecognized command '{args[1]}'. (see 'er --help')");
                return UsageError;
            }

            args = args.Length == 1 ? ["--help"] : [args[1], "--help"];
        }

        ParseResult parsed;
        try
        {
            parsed = root.Parse(args);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException { ParamName: "path" })
        {
            // An argument @FILE is a response file (its lines are arguments, and a line @OTHER is
            // read in turn); the parser reads it and lets a directory, an unreadable file or a line
            // that is no valid path (a NUL in a binary file's bytes) throw.
            string file = Array.Find(args, a => a.StartsWith('@')) ?? "@";
            string reason = e is ArgumentException ? "a file it names is no valid path" : e.Message.Split('\n')[0].TrimEnd('.');
            stderr.WriteLine($"er: Cannot read the response file {file[1..]} ({reason}). (see 'er --help')");
            return UsageError;
        }

        return CliErrors.Invoke("er", parsed, stdout, stderr);
    }

    private static RootCommand Build(TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand("er: entropy and reconstruction (ER) terms of multi-view self-supervised learning, pure managed .NET.");
        root.Subcommands.Add(DemoCommand.Create(stdout));
        root.Subcommands.Add(EntropyCommand.Create(stdout));
        root.Subcommands.Add(ReconstructionCommand.Create(stdout));
        root.Subcommands.Add(LossCommand.Create(stdout));
        root.Subcommands.Add(LogNormCommand.Create(stdout));
        root.Subcommands.Add(KappaCommand.Create(stdout));
        root.Subcommands.Add(TrainDemoCommand.Create(stdout));
        root.Subcommands.Add(BenchCommand.Create(stdout));
        root.Subcommands.Add(InfoCommand.Create(stdout));
        root.Subcommands.Add(EstimatorsCommand.Create(stdout, stderr));
        root.Subcommands.Add(new Command("help", "Show the help of er, or of a command: er help CMD.") { new Argument<string>("CMD") { Arity = ArgumentArity.ZeroOrOne } });

        CliErrors.FitHelp(root);
        return root;
    }
}
