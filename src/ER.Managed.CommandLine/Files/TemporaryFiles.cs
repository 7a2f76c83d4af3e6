using System.Collections.Generic;

namespace ER.Managed.Cli.Files;

/// <summary>
/// Temporary files that exist right now, so that an interrupt (Ctrl-C, SIGTERM) can remove them
/// before the process exits.
/// </summary>
internal static class TemporaryFiles
{
    private static readonly HashSet<string> Live = [];

    internal static void Add(string path)
    {
        lock (Live)
        {
            Live.Add(path);
        }
    }

    internal static void Remove(string path)
    {
        lock (Live)
        {
            Live.Remove(path);
        }
    }

    /// <summary>Deletes every live temporary file (best effort).</summary>
    internal static void DeleteAll()
    {
        lock (Live)
        {
            foreach (string path in Live)
            {
                TryDelete(path);
            }

            Live.Clear();
        }
    }

    internal static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (System.UnauthorizedAccessException)
        {
        }
    }
}
