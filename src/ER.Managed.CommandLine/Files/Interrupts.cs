using System.Runtime.InteropServices;

namespace ER.Managed.Cli.Files;

/// <summary>
/// Ctrl-C (SIGINT) and SIGTERM: remove the temporary files of outputs not yet in place, say so on
/// stderr, and exit at once with 130 or 143 (128 + the signal number, as shells report it). The
/// computation is not asked to wind down: nothing it holds needs saving, and exiting from here
/// stops it within milliseconds even in the middle of a long kernel loop.
/// </summary>
internal static class Interrupts
{
    /// <param name="program">The name the message on stderr starts with.</param>
    internal static IDisposable[] Install(string program = "er") =>
    [
        PosixSignalRegistration.Create(PosixSignal.SIGINT, context => Exit(context, 130, program)),
        PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => Exit(context, 143, program)),
    ];

    private static void Exit(PosixSignalContext context, int code, string program)
    {
        context.Cancel = true;
        TemporaryFiles.DeleteAll();
        Console.Error.WriteLine(code == 130 ? $"{program}: interrupted" : $"{program}: terminated");
        Environment.Exit(code);
    }
}
