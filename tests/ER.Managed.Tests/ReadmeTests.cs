using System;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using Xunit;

namespace ER.Managed.Tests;

/// <summary>
/// README.md against the library: the API overview names every public type. (Its C# blocks are
/// complete programs, built and run by <see cref="Processes.ReadmeProgramTests"/>.)
/// </summary>
public class ReadmeTests
{
    [Fact]
    public void Api_overview_lists_every_public_type_and_the_install_line()
    {
        string readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));
        Assert.Contains("dotnet add package ER.Managed", readme, StringComparison.Ordinal);
        foreach (Type type in typeof(Entropy).Assembly.GetExportedTypes())
        {
            string name = type.Namespace == "ER.Managed" ? type.Name : $"{type.Namespace!["ER.Managed.".Length..]}.{type.Name}";
            Assert.Contains($"| `{name}` |", readme, StringComparison.Ordinal);
        }
    }

    private static string RepositoryRoot([CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));
}
