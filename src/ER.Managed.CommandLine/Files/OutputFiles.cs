using System.Collections.Generic;
using System.Linq;

namespace ER.Managed.Cli.Files;

/// <summary>
/// The output files of one command, written all or nothing. Planned before the computation (so that
/// a bad output path fails at once): each path is resolved through its symbolic links, and two
/// outputs, or an output and an input, that are the same file (the same path, or the same device
/// and inode: a hard link) are refused (exit 2). Committed after
/// it: every regular file is first written to a temporary file beside its target; only when all of
/// them are complete are they renamed over their targets (keeping an existing file's permissions),
/// so a failure leaves no output behind. <c>-</c> (or <c>/dev/stdout</c>) is standard output, and
/// devices and FIFOs are written to directly, never replaced.
/// </summary>
internal sealed class OutputFiles
{
    /// <summary>The usage error for an input argument that is an empty string (here and where inputs are read).</summary>
    internal const string EmptyInputName = "An input file name is an empty string; give a .npy file (or - for standard input).";

    private const string StandardInputKey = "<standard input>";
    private const string StandardOutputKey = "<standard output>";
    private readonly List<(string Argument, string Key, string? Identity)> _inputs = [];
    private readonly List<Output> _outputs = [];

    /// <param name="inputs">The command's input file arguments (<c>-</c> for standard input).</param>
    internal OutputFiles(params string[] inputs)
    {
        foreach (string input in inputs)
        {
            if (input.Length == 0)
            {
                throw new CliUsageException(EmptyInputName);
            }

            string key = input == "-" ? StandardInputKey : FileKinds.FinalTarget(input);
            _inputs.Add((input, key, input == "-" ? null : FileKinds.Identity(key)));
        }
    }

    /// <summary>Whether an output goes to standard output (the report then goes to standard error).</summary>
    internal bool WritesStandardOutput => _outputs.Any(o => o.Kind == OutputKind.StandardOutput);

    /// <summary>Plans the output of <paramref name="option"/> (nothing when <paramref name="argument"/> is null).</summary>
    /// <exception cref="CliUsageException">It is the same file as an input or another output.</exception>
    internal void Plan(string option, string? argument)
    {
        if (argument is null)
        {
            return;
        }

        if (argument.Length == 0)
        {
            throw new CliUsageException($"{option} needs a file name (or - for standard output); it was given an empty string.");
        }

        Output output = Resolve(option, argument);
        string? identity = output.Kind == OutputKind.RegularFile ? FileKinds.Identity(output.Target) : null;
        foreach (Output other in _outputs.Where(o => o.Key == output.Key
            || (identity is not null && o.Kind == OutputKind.RegularFile && FileKinds.Identity(o.Target) == identity)))
        {
            throw new CliUsageException($"{other.Option} {other.Argument} and {option} {argument} are the same file; give each output its own.");
        }

        foreach ((string input, _, _) in _inputs.Where(i => i.Key == output.Key || (identity is not null && i.Identity == identity)))
        {
            throw new CliUsageException($"{option} {argument} is the input file {input}; writing it would destroy the input, choose another output.");
        }

        _outputs.Add(output);
    }

    /// <summary>Supplies the bytes of a planned output (ignored when that option was not given).</summary>
    internal void Set(string option, Action<Stream> write)
    {
        foreach (Output output in _outputs.Where(o => o.Option == option))
        {
            output.Write = write;
        }
    }

    /// <summary>Writes every planned output, all or nothing (see the class remarks).</summary>
    /// <exception cref="CliInputException">An output cannot be written; none is then left behind.</exception>
    internal void Commit()
    {
        var staged = new List<(Output Output, string Temporary)>();
        try
        {
            foreach (Output output in _outputs.Where(o => o.Kind == OutputKind.RegularFile))
            {
                string temporary = Path.Combine(Path.GetDirectoryName(output.Target) ?? ".", $".{Path.GetFileName(output.Target)}.{Guid.NewGuid():N}.tmp");
                TemporaryFiles.Add(temporary);
                staged.Add((output, temporary));
                Guard(output, () =>
                {
                    using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
                    {
                        output.Write!(stream);
                        stream.Flush(flushToDisk: true);
                    }

                    if (!OperatingSystem.IsWindows() && File.Exists(output.Target))
                    {
                        File.SetUnixFileMode(temporary, File.GetUnixFileMode(output.Target));
                    }
                });
            }

            foreach (Output output in _outputs.Where(o => o.Kind != OutputKind.RegularFile))
            {
                Guard(output, () =>
                {
                    if (output.Kind == OutputKind.StandardOutput)
                    {
                        output.Write!(CliStreams.StandardOutput);
                        CliStreams.StandardOutput.Flush();
                        return;
                    }

                    using var stream = new FileStream(output.Target, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1 << 16);
                    output.Write!(stream);
                });
            }

            foreach ((Output output, string temporary) in staged)
            {
                Guard(output, () => File.Move(temporary, output.Target, overwrite: true));
                TemporaryFiles.Remove(temporary);
            }
        }
        finally
        {
            foreach ((_, string temporary) in staged)
            {
                TemporaryFiles.TryDelete(temporary);
                TemporaryFiles.Remove(temporary);
            }
        }
    }

    private static Output Resolve(string option, string argument)
    {
        if (argument is "-" or "/dev/stdout" or "/dev/fd/1" or "/proc/self/fd/1")
        {
            return new Output(option, argument, OutputKind.StandardOutput, argument, StandardOutputKey);
        }

        string target = FileKinds.FinalTarget(argument);
        return FileKinds.KindOf(target) switch
        {
            FileKind.Directory => throw new CliInputException($"{argument}: is a directory; {option} needs a file."),
            FileKind.Special => new Output(option, argument, OutputKind.SpecialFile, target.StartsWith("/proc/", StringComparison.Ordinal) ? argument : target, target),
            _ => new Output(option, argument, OutputKind.RegularFile, target, target),
        };
    }

    private static void Guard(Output output, Action action)
    {
        try
        {
            action();
        }
        catch (UnauthorizedAccessException)
        {
            throw new CliInputException($"{output.Argument}: cannot write (permission denied).");
        }
        catch (DirectoryNotFoundException)
        {
            throw new CliInputException($"{output.Argument}: cannot write (no such directory).");
        }
        catch (IOException e)
        {
            throw new CliInputException($"{output.Argument}: cannot write ({e.Message.Split('\n')[0].TrimEnd('\r', '.')}).");
        }
    }

    private enum OutputKind
    {
        RegularFile,
        SpecialFile,
        StandardOutput,
    }

    private sealed class Output(string option, string argument, OutputKind kind, string target, string key)
    {
        internal string Option { get; } = option;

        internal string Argument { get; } = argument;

        internal OutputKind Kind { get; } = kind;

        internal string Target { get; } = target;

        internal string Key { get; } = key;

        internal Action<Stream>? Write { get; set; }
    }
}
