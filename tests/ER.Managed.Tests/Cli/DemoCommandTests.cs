using System.Globalization;
using System.Linq;
using ER.Managed.Cli.Commands;

namespace ER.Managed.Tests.Cli;

public class DemoCommandTests
{
    /// <summary>The original's printed self-check (SPEC.md), line by line; null for header lines.</summary>
    private static readonly (string Label, double? Value)[] Original =
    [
        ("Continuous entropy", null),
        ("Entropy sphere plug-in estimator:", -249.30848693847656),
        ("Entropy sphere Joe's estimator:", -249.30833435058594),
        ("Discrete entropy", null),
        ("Max entropy", 6.907755278982137),
        ("Entropy on uniform sample:", 6.907612323760986),
        ("Entropy on uniform sample (high temp):", 6.695544242858887),
        ("Entropy on one_hot vector:", -1.1920928244535389e-07),
        ("Continuous reconstruction", null),
        ("Reconstruction error:", -248.65525817871094),
        ("Discrete reconstruction", null),
        ("Reconstruction error:", 6.100684642791748),
    ];

    /// <summary>The value printed after a label, before the bracketed check.</summary>
    private static double ValueAfter(string line, string label) =>
        double.Parse(line[label.Length..].Split("   [")[0].Trim(), CultureInfo.InvariantCulture);

    [Fact]
    public void Demo_prints_the_original_lines_within_tolerance_then_the_exact_lines()
    {
        (int code, string stdout, string stderr) = CliRunner.Run("demo", "--seed", "7");
        Assert.Equal(0, code);
        Assert.Equal(string.Empty, stderr);
        string[] all = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).Where(l => !l.StartsWith("  (", StringComparison.Ordinal)).ToArray();

        // The first block is labelled as the original's (reference) normalizer, then prints its lines.
        Assert.StartsWith("Reference normalizer (the original's log(I_nu(kappa) + 1e-7), c = -246.1695", all[0], StringComparison.Ordinal);
        string[] lines = all[1..];
        for (int i = 0; i < Original.Length; i++)
        {
            (string label, double? value) = Original[i];
            Assert.StartsWith(label, lines[i], StringComparison.Ordinal);
            if (value is double want)
            {
                double got = ValueAfter(lines[i], label);

                // 1e-3 relative, the high-temperature line 0.02 absolute (the original's own
                // run-to-run spread is ~0.01 there): the demo's own tolerances may not be looser.
                double tol = label.Contains("high temp", StringComparison.Ordinal) ? 0.02 : 1e-3 * Math.Abs(want);
                Assert.True(Math.Abs(got - want) <= tol, $"{label} got {got}, original {want}");
                Assert.EndsWith(": PASS]", lines[i], StringComparison.Ordinal);
                Assert.Contains($"[original {DemoCommand.Py(want)}, within ", lines[i], StringComparison.Ordinal);
            }
        }

        Assert.Contains("the original adds eps = 1e-7 in float32", stdout, StringComparison.Ordinal);
        string[] exact = lines.Skip(Original.Length).ToArray();
        Assert.StartsWith("Exact normalizer", exact[0], StringComparison.Ordinal);
        Assert.StartsWith("Entropy sphere plug-in estimator (exact normalizer):", exact[1], StringComparison.Ordinal);
        Assert.StartsWith("Entropy sphere Joe's estimator (exact normalizer):", exact[2], StringComparison.Ordinal);
        Assert.StartsWith("Reconstruction error (exact normalizer):", exact[3], StringComparison.Ordinal);

        // The exact constant moves every sphere line by c_exact - c_reference = -1785.84 at d = 1000, kappa = 10.
        double shift = VonMisesFisher.Constant(1000, 10) - VonMisesFisher.Constant(1000, 10, NormalizerMode.Reference);
        double referencePlugin = ValueAfter(lines[1], "Entropy sphere plug-in estimator:");
        double exactPlugin = ValueAfter(exact[1], "Entropy sphere plug-in estimator (exact normalizer):");
        Assert.Equal(referencePlugin + shift, exactPlugin, 6);
        Assert.Equal("self-check: 11 of 11 within tolerance: PASS", exact[^1]);
    }

    [Fact]
    public void Demo_fails_with_exit_1_when_a_value_is_off()
    {
        // The same run against an expected table with one value moved past its tolerance.
        DemoCheck[] expected = [.. DemoCommand.OriginalValues];
        expected[3] = expected[3] with { Original = expected[3].Original + 0.5 };
        using var output = new System.IO.StringWriter();
        Assert.False(DemoCommand.Run(output, 7, expected));
        string text = output.ToString();
        Assert.Contains("Entropy on uniform sample: ", text, StringComparison.Ordinal);
        Assert.Single(text.Split('\n'), l => l.TrimEnd().EndsWith(": FAIL]", StringComparison.Ordinal));
        Assert.Contains("self-check: 10 of 11 within tolerance: FAIL", text, StringComparison.Ordinal);
        Assert.True(DemoCommand.Run(System.IO.TextWriter.Null, 7, DemoCommand.OriginalValues));
    }

    [Fact]
    public void Demo_is_deterministic_for_a_seed_and_varies_with_it()
    {
        string a = CliRunner.Run("demo", "--seed", "3").Stdout;
        string b = CliRunner.Run("demo", "--seed", "3").Stdout;
        string c = CliRunner.Run("demo", "--seed", "4").Stdout;
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }
}
