using System.Threading;

namespace ER.Managed.Cli.Files;

/// <summary>
/// The byte streams behind <c>-</c> (standard input for an input file, standard output for an output
/// file) and the writer for notes, for the current <c>Cli.Run</c> (or <c>MpiCli.Run</c>) call: the real console in
/// the process, buffers in the tests (which run several CLI calls in parallel, hence async-local).
/// </summary>
internal static class CliStreams
{
    private static readonly AsyncLocal<Context?> CurrentContext = new();

    internal static Stream StandardInput => CurrentContext.Value?.StandardInput ?? Stream.Null;

    internal static Stream StandardOutput => CurrentContext.Value?.StandardOutput ?? Stream.Null;

    internal static TextWriter Notes => CurrentContext.Value?.Notes ?? TextWriter.Null;

    /// <summary>The program's name, with which its notes begin (er, er-mpi); each program writes its own error prefix.</summary>
    internal static string Program => CurrentContext.Value?.Program ?? "er";

    /// <summary>After how long a running command shows its progress on <see cref="Notes"/>; null where notes do not go to a terminal (no progress).</summary>
    internal static TimeSpan? ProgressAfter => CurrentContext.Value?.ProgressAfter;

    internal static void Set(Stream standardInput, Stream standardOutput, TextWriter notes, TimeSpan? progressAfter = null, string program = "er") =>
        CurrentContext.Value = new Context(standardInput, standardOutput, notes, progressAfter, program);

    /// <summary>Writes one line of <c>PROGRAM: note: text</c> to <see cref="Notes"/>.</summary>
    internal static void Note(string text) => Notes.WriteLine($"{Program}: note: {text}");

    private sealed record Context(Stream StandardInput, Stream StandardOutput, TextWriter Notes, TimeSpan? ProgressAfter, string Program);
}
