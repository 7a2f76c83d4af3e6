using System.IO;
using System.Threading;

namespace ER.Managed.Cli.Files;

/// <summary>
/// The byte streams behind <c>-</c> (standard input for an input file, standard output for an output
/// file) and the writer for notes, for the current <see cref="Cli.Run"/> call: the real console in
/// the process, buffers in the tests (which run several CLI calls in parallel, hence async-local).
/// </summary>
internal static class CliStreams
{
    private static readonly AsyncLocal<Context?> CurrentContext = new();

    internal static Stream StandardInput => CurrentContext.Value?.StandardInput ?? Stream.Null;

    internal static Stream StandardOutput => CurrentContext.Value?.StandardOutput ?? Stream.Null;

    internal static TextWriter Notes => CurrentContext.Value?.Notes ?? TextWriter.Null;

    internal static void Set(Stream standardInput, Stream standardOutput, TextWriter notes) =>
        CurrentContext.Value = new Context(standardInput, standardOutput, notes);

    private sealed record Context(Stream StandardInput, Stream StandardOutput, TextWriter Notes);
}
