using System.CommandLine.Help;
using System.CommandLine.Parsing;
using System.Linq;

namespace ER.Managed.Cli;

/// <summary>How the command lines (er, er-mpi) turn exceptions and parser messages into their one-line errors.</summary>
internal static class CliErrors
{
    /// <summary>Exit code of a run that did what was asked.</summary>
    internal const int Success = 0;

    /// <summary>Exit code of an input error: an unreadable or invalid file, numbers the library refuses.</summary>
    internal const int InputError = 1;

    /// <summary>Exit code of a usage error: an unknown command or option, a bad option value.</summary>
    internal const int UsageError = 2;

    /// <summary>
    /// Runs a parsed command line: a parse error, a <see cref="CliUsageException"/> (exit 2), an input
    /// error (exit 1) each become one line on stderr, prefixed with the program's name; so does
    /// running out of memory (exit 1) unless <paramref name="handleOutOfMemory"/> is false (an MPI
    /// rank that alone ran out must end the whole job, which its caller does).
    /// </summary>
    internal static int Invoke(string program, ParseResult parse, TextWriter stdout, TextWriter stderr, bool handleOutOfMemory = true)
    {
        if (parse.Errors.Count > 0)
        {
            // "Required command was not provided" accompanies an unknown command; the latter says more.
            ParseError first = parse.Errors.FirstOrDefault(e => !e.Message.StartsWith("Required command", StringComparison.Ordinal)) ?? parse.Errors[0];
            stderr.WriteLine($"{program}: {Joined(first.Message)} (see '{program} {CommandPath(parse)}--help')");
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
            stderr.WriteLine($"{program}: {e.Message} (see '{program} {CommandPath(parse)}--help')");
            return UsageError;
        }
        catch (CliInputException e)
        {
            stderr.WriteLine($"{program}: {e.Message}");
            return InputError;
        }
        catch (ArgumentException e)
        {
            stderr.WriteLine($"{program}: {OneLine(Describe(e))}");
            return InputError;
        }
        catch (Exception e) when (IsInputError(e))
        {
            stderr.WriteLine($"{program}: {OneLine(e.Message)}");
            return InputError;
        }
        catch (OutOfMemoryException) when (handleOutOfMemory)
        {
            // Unhandled, the runtime prints "Out of memory." and aborts the process (SIGABRT). The
            // failed allocation is what ran out, so a line can still be written.
            stderr.WriteLine($"{program}: out of memory: the input and the work on it need more memory than this process may use (a smaller input, or a machine or limit with more memory).");
            return InputError;
        }
    }

    /// <summary>The width help text is wrapped to.</summary>
    internal const int HelpWidth = 80;

    /// <summary>Help fits a terminal of <see cref="HelpWidth"/> columns (and a pipe, where System.CommandLine would not wrap at all).</summary>
    internal static void FitHelp(RootCommand root)
    {
        foreach (HelpOption help in root.Options.OfType<HelpOption>())
        {
            if (help.Action is HelpAction action)
            {
                action.MaxWidth = HelpWidth;
            }
        }
    }

    private static string CommandPath(ParseResult parse) =>
        parse.CommandResult == parse.RootCommandResult ? string.Empty : parse.CommandResult.Command.Name + " ";

    internal static bool IsInputError(Exception e) =>
        e is IOException or UnauthorizedAccessException or OverflowException or InvalidDataException or NotSupportedException;

    /// <summary>
    /// A multi-line parser message on one line: System.CommandLine lists the accepted values on the
    /// lines after "Must be one of:", which <see cref="OneLine"/> would drop.
    /// </summary>
    internal static string Joined(string message)
    {
        string[] lines = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length <= 1 ? OneLine(message) : $"{lines[0]} {string.Join(", ", lines[1..])}";
    }

    internal static string OneLine(string message)
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
