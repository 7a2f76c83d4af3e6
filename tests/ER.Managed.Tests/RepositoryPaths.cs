using System.IO;
using System.Runtime.CompilerServices;

namespace ER.Managed.Tests;

/// <summary>Where the repository's documents are, found from this source file's path (the tests read README.md and docs/ as they are in the checkout).</summary>
internal static class RepositoryPaths
{
    internal static string Root => RootFrom();

    private static string RootFrom([CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));
}
