using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace ER.Managed.Tests;

/// <summary>
/// README.md and docs/ against the library: the API overview names every public type, quoted `er`
/// sessions are current. (Their C# blocks are complete programs, built and run by
/// <see cref="Processes.ReadmeProgramTests"/>.)
/// </summary>
public partial class ReadmeTests
{
    [Fact]
    public void Api_overview_lists_every_public_type_and_the_install_line()
    {
        string readme = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "README.md"));
        Assert.Contains("dotnet add package ER.Managed", readme, StringComparison.Ordinal);
        string overview = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "api.md"));
        foreach (Type type in typeof(Entropy).Assembly.GetExportedTypes())
        {
            string name = type.Namespace == "ER.Managed" ? type.Name : $"{type.Namespace!["ER.Managed.".Length..]}.{type.Name}";
            Assert.Contains($"| `{name}` |", overview, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// The `er` sessions quoted in README.md and docs/cli.md (a "$ er ..." line, then what it prints)
    /// are what `er` prints now on the example files in docs/examples/. Numbers may differ by 1e-6
    /// relative: the example rows are float32, and each SIMD width (CI switches them off in turn)
    /// sums them in another order; anything larger is a stale document.
    /// </summary>
    [Theory]
    [InlineData("README.md")]
    [InlineData("docs/cli.md")]
    public void Quoted_cli_sessions_are_current(string document)
    {
        string root = RepositoryPaths.Root;
        string[] lines = File.ReadAllText(Path.Combine(root, document)).Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        int sessions = 0;
        for (int i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith("$ er ", StringComparison.Ordinal))
            {
                continue;
            }

            string[] args = [.. lines[i]["$ er ".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(a => a.StartsWith("docs/", StringComparison.Ordinal) ? Path.Combine(root, a) : a)];
            var quoted = new List<string>();
            while (i + 1 < lines.Length && !lines[i + 1].StartsWith("$ ", StringComparison.Ordinal) && !lines[i + 1].StartsWith("```", StringComparison.Ordinal))
            {
                quoted.Add(lines[++i]);
            }

            (int code, string output, string errors) = Cli.CliRunner.Run(args);
            Assert.True(code == 0, $"{document}: {string.Join(' ', args)}: {errors}");
            string[] printed = output.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n').Split('\n');
            Assert.Equal(quoted.Count, printed.Length);
            for (int j = 0; j < quoted.Count; j++)
            {
                Assert.Equal(QuotedNumber().Replace(quoted[j], "#"), QuotedNumber().Replace(printed[j], "#"));
                double[] want = [.. QuotedNumber().Matches(quoted[j]).Select(m => double.Parse(m.Value, CultureInfo.InvariantCulture))];
                double[] got = [.. QuotedNumber().Matches(printed[j]).Select(m => double.Parse(m.Value, CultureInfo.InvariantCulture))];
                for (int n = 0; n < want.Length; n++)
                {
                    Assert.True(Math.Abs(want[n] - got[n]) <= 1e-6 * Math.Max(1, Math.Abs(want[n])), $"{document}: {quoted[j]}\ner now: {printed[j]}");
                }
            }

            sessions++;
        }

        Assert.True(sessions >= 4, $"{document} quotes {sessions} er commands");
    }

    [GeneratedRegex(@"-?\d+(\.\d+)?([eE][-+]?\d+)?")]
    private static partial Regex QuotedNumber();

    /// <summary>
    /// Every section of README.md and docs/*.md that quotes a measured time or rate names the CPU it
    /// was measured on: the machines that measure them differ (Zen 5 and Intel Xeon with AVX-512, Zen 3 with AVX2 only).
    /// </summary>
    [Fact]
    public void Every_section_with_measured_figures_names_its_cpu()
    {
        string root = RepositoryPaths.Root;
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

    /// <summary>The quoted `er` outputs (docs/normalizer.md, the README) are what `er` prints now (they drifted by an ulp once).</summary>
    [Fact]
    public void Quoted_cli_outputs_are_current()
    {
        string readme = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "normalizer.md")).Replace("\r\n", "\n", StringComparison.Ordinal);
        const string Prompt = "$ er lognorm --dim 1000 --kappa 10\n";
        int start = readme.IndexOf(Prompt, StringComparison.Ordinal) + Prompt.Length;
        Assert.True(start >= Prompt.Length, "docs/normalizer.md no longer quotes er lognorm");
        string quoted = readme[start..readme.IndexOf("```", start, StringComparison.Ordinal)];
        (int code, string output, _) = Cli.CliRunner.Run("lognorm", "--dim", "1000", "--kappa", "10");
        Assert.Equal(0, code);

        // The same lines, each number within 4 ulps (another CPU's C library may round a logarithm
        // inside the normalizer's constants the other way; more than that is a stale README).
        string[] quotedLines = quoted.TrimEnd('\n').Split('\n'), outputLines = output.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n').Split('\n');
        Assert.Equal(quotedLines.Length, outputLines.Length);
        for (int i = 0; i < quotedLines.Length; i++)
        {
            string[] quotedWords = quotedLines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries), printedWords = outputLines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(quotedWords.Length, printedWords.Length);
            for (int j = 0; j < quotedWords.Length; j++)
            {
                if (double.TryParse(quotedWords[j].TrimEnd(','), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double w)
                    && double.TryParse(printedWords[j].TrimEnd(','), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double g))
                {
                    Assert.True(Math.Abs(w - g) <= 4 * Math.Abs(w) * Math.Pow(2, -52), $"README: {quotedLines[i]}; er: {outputLines[i]}");
                }
                else
                {
                    Assert.Equal(quotedWords[j], printedWords[j]);
                }
            }
        }

        // train-demo's closing line, to its last printed digit: 300 Adam steps on float32 may round the
        // fourth decimal the other way on another GEMM micro-kernel (ARM64), so 1.5e-4 per number.
        (code, output, _) = Cli.CliRunner.Run("train-demo");
        Assert.Equal(0, code);
        string last = output.TrimEnd().Split('\n')[^1].TrimEnd('\r');
        var number = new System.Text.RegularExpressions.Regex(@"-?\d+\.\d{4}");
        string gradients = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "gradients.md"));
        int at = gradients.IndexOf("`loss fell from ", StringComparison.Ordinal);
        Assert.True(at >= 0, "docs/gradients.md no longer quotes train-demo's closing line");
        string quotedLine = gradients[(at + 1)..gradients.IndexOf('`', at + 1)];
        double[] want = [.. number.Matches(quotedLine).Select(m => double.Parse(m.Value, System.Globalization.CultureInfo.InvariantCulture))];
        double[] got = [.. number.Matches(last).Select(m => double.Parse(m.Value, System.Globalization.CultureInfo.InvariantCulture))];
        Assert.Equal(6, want.Length);
        Assert.Equal(want.Length, got.Length);
        for (int i = 0; i < want.Length; i++)
        {
            Assert.True(Math.Abs(want[i] - got[i]) <= 1.5e-4, $"docs/gradients.md: {quotedLine}; er train-demo: {last}");
        }
    }

    /// <summary>
    /// The README is a user's document: short (details live in docs/), and neither it nor docs/
    /// names a path outside the repository; every relative link resolves to a file or folder in it.
    /// </summary>
    [Fact]
    public void Readme_is_short_and_docs_link_only_inside_the_repository()
    {
        string root = RepositoryPaths.Root;
        Assert.True(File.ReadAllLines(Path.Combine(root, "README.md")).Length < 256, "README.md has 256 lines or more: move details to docs/");
        var link = new System.Text.RegularExpressions.Regex(@"\]\(([^)\s]+)\)");
        var outside = new System.Text.RegularExpressions.Regex(@"\.\./shared|/work/|\.\./\.\./");
        string[] files = [Path.Combine(root, "README.md"), .. Directory.GetFiles(Path.Combine(root, "docs"), "*.md"), Path.Combine(root, "fuzz", "README.md")];
        foreach (string file in files)
        {
            string text = File.ReadAllText(file);
            Assert.False(outside.IsMatch(text), $"{Path.GetRelativePath(root, file)} names a path outside the repository: {outside.Match(text).Value}");
            foreach (System.Text.RegularExpressions.Match m in link.Matches(text))
            {
                string target = m.Groups[1].Value.Split('#')[0];
                if (target.Length == 0 || target.Contains("://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal))
                {
                    continue;
                }

                string resolved = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, target));
                Assert.True(resolved.StartsWith(root, StringComparison.Ordinal), $"{Path.GetRelativePath(root, file)}: link {target} leaves the repository");
                Assert.True(File.Exists(resolved) || Directory.Exists(resolved), $"{Path.GetRelativePath(root, file)}: link {target} points at nothing");
            }
        }
    }

    /// <summary>
    /// In a Markdown table a pipe ends the cell even inside a code span, so `|norm^2 - 1|` in a table
    /// row split it into extra cells: such pipes must be written \|.
    /// </summary>
    [Fact]
    public void Table_cells_escape_the_pipes_of_their_code_spans()
    {
        string root = RepositoryPaths.Root;
        var codeSpan = new Regex("`([^`]*)`");
        var barePipe = new Regex(@"(?<!\\)\|");
        string[] files = [Path.Combine(root, "README.md"), .. Directory.GetFiles(Path.Combine(root, "docs"), "*.md")];
        foreach (string file in files)
        {
            string[] lines = File.ReadAllLines(file);
            for (int n = 0; n < lines.Length; n++)
            {
                if (!lines[n].StartsWith('|'))
                {
                    continue;
                }

                foreach (Match span in codeSpan.Matches(lines[n]))
                {
                    Assert.False(barePipe.IsMatch(span.Groups[1].Value), $"{Path.GetRelativePath(root, file)}:{n + 1}: the code span {span.Value} holds a bare | that splits the table cell; write \\|");
                }
            }
        }
    }
}
