using System;
using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using System.IO;
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
    internal const int Success = 0;
    internal const int InputError = 1;
    internal const int UsageError = 2;

    /// <summary>The width help text is wrapped to.</summary>
    internal const int HelpWidth = 80;

    /// <summary>Runs one command line.</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="stdout">Where reports go.</param>
    /// <param name="stderr">Where errors and notes go.</param>
    /// <param name="standardInput">The bytes behind an input named <c>-</c> (default: none).</param>
    /// <param name="standardOutput">The bytes behind an output named <c>-</c> (default: discarded).</param>
    internal static int Run(string[] args, TextWriter stdout, TextWriter stderr, Stream? standardInput = null, Stream? standardOutput = null)
    {
        CliStreams.Set(standardInput ?? Stream.Null, standardOutput ?? Stream.Null, stderr);

        // "er help" and "er help CMD" are "er --help" and "er CMD --help".
        if (args.Length is 1 or 2 && args[0] == "help")
        {
            args = args.Length == 1 ? ["--help"] : [args[1], "--help"];
        }

        RootCommand root = Build(stdout, stderr);
        ParseResult parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // "Required command was not provided" accompanies an unknown command; the latter says more.
            ParseError first = parse.Errors.FirstOrDefault(e => !e.Message.StartsWith("Required command", StringComparison.Ordinal)) ?? parse.Errors[0];
            stderr.WriteLine($"er: {Joined(first.Message)} (see 'er {CommandPath(parse)}--help')");
            return UsageError;
        }

        try
        {
            return parse.Invoke(new InvocationConfiguration
            {
                Output = stdout,
                Error = stderr,
                EnableDefaultExceptionHandler = false,
            });
        }
        catch (CliUsageException e)
        {
            stderr.WriteLine($"er: {e.Message} (see 'er {CommandPath(parse)}--help')");
            return UsageError;
        }
        catch (CliInputException e)
        {
            stderr.WriteLine($"er: {e.Message}");
            return InputError;
        }
        catch (ArgumentException e)
        {
            stderr.WriteLine($"er: {OneLine(Describe(e))}");
            return InputError;
        }
        catch (Exception e) when (IsInputError(e))
        {
            stderr.WriteLine($"er: {OneLine(e.Message)}");
            return InputError;
        }
    }

    private static RootCommand Build(TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand("er: entropy and reconstruction (ER) terms of multi-view self-supervised learning, pure managed .NET.");
        root.Subcommands.Add(DemoCommand.Create(stdout));
        root.Subcommands.Add(EntropyCommand.Create(stdout));
        root.Subcommands.Add(ReconstructionCommand.Create(stdout));
        root.Subcommands.Add(LogNormCommand.Create(stdout));
        root.Subcommands.Add(KappaCommand.Create(stdout));
        root.Subcommands.Add(TrainDemoCommand.Create(stdout));
        root.Subcommands.Add(BenchCommand.Create(stdout));
        root.Subcommands.Add(InfoCommand.Create(stdout));
        root.Subcommands.Add(EstimatorsCommand.Create(stdout, stderr));
        root.Subcommands.Add(new Command("help", "Show the help of er, or of a command: er help CMD.") { new Argument<string>("CMD") { Arity = ArgumentArity.ZeroOrOne } });

        // Help fits an 80-column terminal (and a pipe, where System.CommandLine would not wrap at all).
        foreach (HelpOption help in root.Options.OfType<HelpOption>())
        {
            if (help.Action is HelpAction action)
            {
                action.MaxWidth = HelpWidth;
            }
        }

        return root;
    }

    private static string CommandPath(ParseResult parse) =>
        parse.CommandResult == parse.RootCommandResult ? string.Empty : parse.CommandResult.Command.Name + " ";

    private static bool IsInputError(Exception e) =>
        e is IOException or UnauthorizedAccessException or OverflowException or InvalidDataException or NotSupportedException;

    /// <summary>
    /// A multi-line parser message on one line: System.CommandLine lists the accepted values on the
    /// lines after "Must be one of:", which <see cref="OneLine"/> would drop.
    /// </summary>
    private static string Joined(string message)
    {
        string[] lines = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length <= 1 ? OneLine(message) : $"{lines[0]} {string.Join(", ", lines[1..])}";
    }

    private static string OneLine(string message)
    {
        string line = message.Split('\n', 2)[0].TrimEnd('\r');
        return line.Length > 0 ? line : "input error";
    }

    /// <summary>The message of an argument exception without the " (Parameter 'x')" suffix, but with the name up front.</summary>
    internal static string Describe(ArgumentException e)
    {
        string message = e.Message;
        int suffix = message.LastIndexOf(" (Parameter '", StringComparison.Ordinal);
        if (suffix >= 0)
        {
            message = message[..suffix];
        }

        return e.ParamName is null ? message : $"{e.ParamName}: {message}";
    }
}

/// <summary>An input error with a message fit for the user (no stack trace, one line).</summary>
internal sealed class CliInputException : Exception
{
    public CliInputException(string message)
        : base(message)
    {
    }

    public CliInputException()
    {
    }

    public CliInputException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>A usage error found after parsing (options that exclude each other, an option missing its partner): exit code 2.</summary>
internal sealed class CliUsageException : Exception
{
    public CliUsageException(string message)
        : base(message)
    {
    }

    public CliUsageException()
    {
    }

    public CliUsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
