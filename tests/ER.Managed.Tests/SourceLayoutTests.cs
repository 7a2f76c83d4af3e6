using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace ER.Managed.Tests;

/// <summary>
/// The layout rules of src/ that a reader relies on: files short enough to read whole, and SIMD
/// widths chosen in one place (the kernels), so that a term never runs a width no test drives.
/// </summary>
public sealed partial class SourceLayoutTests
{
    /// <summary>A file past this many lines holds more than one concern: split it (a partial class, as FusedSphereEntropy.Backward.cs).</summary>
    private const int MaxLines = 400;

    private static readonly string Src = Path.Combine(RepositoryPaths.Root, "src");

    private static IEnumerable<string> SourceFiles() =>
        Directory.EnumerateFiles(Src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !IsBuildOutput(f))
            .Order(System.StringComparer.Ordinal);

    private static bool IsBuildOutput(string path)
    {
        string relative = Relative(path);
        return relative.Contains("/obj/", System.StringComparison.Ordinal) || relative.Contains("/bin/", System.StringComparison.Ordinal);
    }

    private static string Relative(string path) => Path.GetRelativePath(Src, path).Replace('\\', '/');

    [Fact]
    public void Source_tree_is_found()
    {
        // Guards the tests below against passing vacuously on an empty or misplaced tree.
        Assert.Contains(SourceFiles(), f => Relative(f) == "ER.Managed/Terms/KnnSphereEntropy.cs");
        Assert.True(SourceFiles().Count() > 100, $"only {SourceFiles().Count()} files found under {Src}");
    }

    [Fact]
    public void No_source_file_exceeds_the_line_limit()
    {
        string[] tooLong = SourceFiles()
            .Select(f => (File: Relative(f), Lines: File.ReadAllLines(f).Length))
            .Where(x => x.Lines > MaxLines)
            .Select(x => $"{x.File}: {x.Lines} lines")
            .ToArray();
        Assert.True(tooLong.Length == 0, $"over {MaxLines} lines: {string.Join("; ", tooLong)}");
    }

    [Fact]
    public void Vector_types_and_width_checks_appear_only_in_the_kernels()
    {
        // er info reports which widths are accelerated; it chooses nothing.
        string[] allowedOutsideKernels = ["ER.Managed.Cli/Commands/InfoCommand.cs"];
        string[] offenders = SourceFiles()
            .Where(f => !Relative(f).StartsWith("ER.Managed/Kernels/", System.StringComparison.Ordinal))
            .Where(f => !allowedOutsideKernels.Contains(Relative(f)))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: Relative(f), Line: i + 1, Text: line)))
            .Where(x => !x.Text.TrimStart().StartsWith("//", System.StringComparison.Ordinal) && VectorUse().IsMatch(x.Text))
            .Select(x => $"{x.File}:{x.Line}")
            .ToArray();
        Assert.True(offenders.Length == 0, $"SIMD types or width checks outside Kernels/: {string.Join(", ", offenders)}");
    }

    [Theory]
    [InlineData("Vector<float> v = default;", true)]
    [InlineData("if (Vector256.IsHardwareAccelerated)", true)]
    [InlineData("var x = Vector512.Create(1f);", true)]
    [InlineData("Vector128<double> d;", true)]
    [InlineData("VectorNorm(x);", false)]
    [InlineData("KernelWidth.V256", false)]
    public void The_vector_pattern_matches_what_it_should(string line, bool matches) =>
        Assert.Equal(matches, VectorUse().IsMatch(line));

    [GeneratedRegex(@"\bVector(128|256|512)?(<|\.)")]
    private static partial Regex VectorUse();
}
