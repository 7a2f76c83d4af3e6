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

    /// <summary>
    /// Every section of README.md and docs/*.md that quotes a measured time or rate names the CPU it
    /// was measured on: the machines differ between sessions (Zen 5 with AVX-512, Zen 3 with AVX2 only).
    /// </summary>
    [Fact]
    public void Every_section_with_measured_figures_names_its_cpu()
    {
        string root = RepositoryRoot();
        var measured = new System.Text.RegularExpressions.Regex(@"\b\d+(\.\d+)? ?(ms|GFLOP/s|GB/s)\b");
        var cpu = new System.Text.RegularExpressions.Regex(@"Zen ?\d|EPYC|Xeon|Core i\d|Graviton|Apple M\d|Ampere");
        string[] files = [Path.Combine(root, "README.md"), .. Directory.GetFiles(Path.Combine(root, "docs"), "*.md")];
        foreach (string file in files)
        {
            string text = File.ReadAllText(file).Replace("\r\n", "\n", StringComparison.Ordinal);
            foreach (string section in text.Split("\n## ").Skip(1))
            {
                string heading = section.Split('\n')[0];
                if (measured.IsMatch(section))
                {
                    Assert.True(cpu.IsMatch(section), $"{Path.GetFileName(file)}, section '{heading}': figures without the CPU they were measured on");
                }
            }
        }
    }

    private static string RepositoryRoot([CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));
}
