using ER.Managed.Estimation;

namespace ER.Managed.Cli.Commands;

/// <summary>
/// <c>er demo [--seed N]</c>: the original implementation's "Getting Started" self-check (SPEC.md),
/// same lines in the same order on the same kinds of inputs, with the original's reference
/// normalizer, each value beside the one the original prints with a tolerance and PASS or FAIL;
/// then the sphere lines with the exact normalizer, checked to differ from the reference ones by
/// exactly the difference of the constants. Exit code 1 if any check fails.
/// </summary>
internal static class DemoCommand
{
    internal const int Samples = 1000;
    internal const int Dimension = 1000;
    internal const double Kappa = 10.0;

    /// <summary>
    /// The original's printed values (its inputs are unseeded, so ours cannot be its bits) and how far
    /// ours may be: 1e-3 relative where its own runs move in the 4th to 5th significant digit, 0.02
    /// on the high-temperature line (its run-to-run spread is ~0.01), 1e-12 where the value does not
    /// depend on the random inputs (log 1000; the one-hot line).
    /// </summary>
    internal static readonly DemoCheck[] OriginalValues =
    [
        new("Entropy sphere plug-in estimator:", -249.30848693847656, 1e-3, Relative: true),
        new("Entropy sphere Joe's estimator:", -249.30833435058594, 1e-3, Relative: true),
        new("Max entropy", 6.907755278982137, 1e-12, Relative: false),
        new("Entropy on uniform sample:", 6.907612323760986, 1e-3, Relative: true),
        new("Entropy on uniform sample (high temp):", 6.695544242858887, 0.02, Relative: false),
        new("Entropy on one_hot vector:", -1.1920928244535389e-07, 1e-12, Relative: false),
        new("Reconstruction error:", -248.65525817871094, 1e-3, Relative: true),
        new("Reconstruction error:", 6.100684642791748, 1e-3, Relative: true),
    ];

    internal static Command Create(TextWriter stdout)
    {
        var seed = CommonOptions.Seed("Seed of the random inputs; the output is deterministic for a given seed.", 0UL);
        var command = new Command("demo", "The original implementation's self-check: ER terms on random inputs beside the values it prints, with tolerances and PASS/FAIL (exit 1 on a FAIL); then the exact normalizer.") { seed };
        command.SetAction(parse => Run(stdout, parse.GetValue(seed), OriginalValues) ? Cli.Success : Cli.InputError);
        return command;
    }

    /// <summary>Prints the self-check against <paramref name="expected"/> (in the order of the lines); true when every check passes.</summary>
    internal static bool Run(TextWriter output, ulong seed, DemoCheck[] expected)
    {
        const int k = Samples, d = Dimension;
        var random = new SeededRandom(seed);

        // (1) Z: standard normal rows, L2-normalized.
        float[] z = Normal(random, k * d);
        RowOps.L2Normalize(z, k, d, z);

        // (2) softmax(U), (3) softmax(1000 U), (4) one-hot by softmax of a column of 1000s.
        float[] uniform = Uniform(random, k * d);
        float[] w = Softmaxed(uniform, k, d, 1.0);
        float[] sharp = Softmaxed(Uniform(random, k * d), k, d, 1.0 / 1000.0);
        var logits = new float[k * d];
        for (int i = 0; i < k; i++)
        {
            logits[i * d] = 1000f;
        }

        float[] oneHot = Softmaxed(logits, k, d, 1.0);

        // (5) P1, P2 = normalize(U + N1), normalize(U + N2); (6) Q1, Q2 = softmax(10 U + N1), softmax(10 U + N2).
        float[] shared = Uniform(random, k * d);
        float[] p1 = Plus(shared, 1f, Normal(random, k * d));
        float[] p2 = Plus(shared, 1f, Normal(random, k * d));
        RowOps.L2Normalize(p1, k, d, p1);
        RowOps.L2Normalize(p2, k, d, p2);
        float[] sharedDiscrete = Uniform(random, k * d);
        float[] q1 = Softmaxed(Plus(sharedDiscrete, 10f, Normal(random, k * d)), k, d, 1.0);
        float[] q2 = Softmaxed(Plus(sharedDiscrete, 10f, Normal(random, k * d)), k, d, 1.0);

        int passed = 0, checks = 0;
        void Checked(DemoCheck check, double value, string note = "")
        {
            double allowed = check.Relative ? check.Tolerance * Math.Abs(check.Original) : check.Tolerance;
            bool ok = Math.Abs(value - check.Original) <= allowed;
            passed += ok ? 1 : 0;
            checks++;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{check.Label} {Py(value)}   [{check.Source} {Py(check.Original)}, within {allowed.ToString("G3", CultureInfo.InvariantCulture).Replace('E', 'e')}: {(ok ? "PASS" : "FAIL")}]{note}"));
        }

        double plugin = Entropy.Sphere(z, k, d, Kappa, EntropyReduction.Expectation, NormalizerMode.Reference);
        double joe = Entropy.Sphere(z, k, d, Kappa, EntropyReduction.Average, NormalizerMode.Reference);
        double reconstruction = Reconstruction.Sphere(p1, p2, k, d, Kappa, NormalizerMode.Reference);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Reference normalizer (the original's log(I_nu(kappa) + 1e-7), c = {Py(VonMisesFisher.Constant(d, Kappa, NormalizerMode.Reference))} at d = {d}, kappa = {Kappa}), beside the values the original prints:"));
        output.WriteLine("Continuous entropy");
        Checked(expected[0], plugin);
        Checked(expected[1], joe);
        output.WriteLine("Discrete entropy");
        Checked(expected[2], Math.Log(d));
        Checked(expected[3], Entropy.Discrete(w, k, d));
        Checked(expected[4], Entropy.Discrete(sharp, k, d));
        Checked(expected[5], Entropy.Discrete(oneHot, k, d), "\n  (a one-hot batch has entropy 0; the original adds eps = 1e-7 in float32, giving -log(1 + 2^-23), and so do we)");
        output.WriteLine("Continuous reconstruction");
        Checked(expected[6], reconstruction);
        output.WriteLine("Discrete reconstruction");
        Checked(expected[7], Reconstruction.Discrete(q1, q2, k, d));
        output.WriteLine();

        // The exact constant moves each sphere line by c_exact - c_reference and nothing else.
        double shift = VonMisesFisher.Constant(d, Kappa) - VonMisesFisher.Constant(d, Kappa, NormalizerMode.Reference);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Exact normalizer (c = -log C_d(kappa) = {Py(VonMisesFisher.Constant(d, Kappa))} at d = {d}, kappa = {Kappa}), checked against the lines above moved by c_exact - c_reference = {Py(shift)}:"));
        Checked(new("Entropy sphere plug-in estimator (exact normalizer):", plugin + shift, 1e-12, Relative: true, "reference line + shift"), Entropy.Sphere(z, k, d, Kappa, EntropyReduction.Expectation, NormalizerMode.Exact));
        Checked(new("Entropy sphere Joe's estimator (exact normalizer):", joe + shift, 1e-12, Relative: true, "reference line + shift"), Entropy.Sphere(z, k, d, Kappa, EntropyReduction.Average, NormalizerMode.Exact));
        Checked(new("Reconstruction error (exact normalizer):", reconstruction + shift, 1e-12, Relative: true, "reference line + shift"), Reconstruction.Sphere(p1, p2, k, d, Kappa, NormalizerMode.Exact));
        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"self-check: {passed} of {checks} within tolerance: {(passed == checks ? "PASS" : "FAIL")}"));
        return passed == checks;
    }

    /// <summary>Formats like Python's repr of a float: shortest round-trip digits, lower-case exponent.</summary>
    internal static string Py(double value) => value.ToString("R", CultureInfo.InvariantCulture).Replace('E', 'e');

    private static float[] Normal(SeededRandom random, int count)
    {
        var x = new float[count];
        random.FillNormal(x);
        return x;
    }

    private static float[] Uniform(SeededRandom random, int count)
    {
        var x = new float[count];
        random.FillUniform(x);
        return x;
    }

    private static float[] Plus(float[] x, float scale, float[] y)
    {
        for (int i = 0; i < y.Length; i++)
        {
            y[i] += scale * x[i];
        }

        return y;
    }

    private static float[] Softmaxed(float[] logits, int rows, int columns, double temperature)
    {
        RowOps.Softmax(logits, rows, columns, logits, temperature);
        return logits;
    }
}

/// <summary>One line of <c>er demo</c>: its label, the value expected there, and how far ours may be from it.</summary>
/// <param name="Label">The line's label, as the original prints it.</param>
/// <param name="Original">The expected value.</param>
/// <param name="Tolerance">The allowed distance: relative to |Original| when <paramref name="Relative"/>, else absolute.</param>
/// <param name="Relative">Whether the tolerance is relative.</param>
/// <param name="Source">Where the expected value comes from, as printed.</param>
internal sealed record DemoCheck(string Label, double Original, double Tolerance, bool Relative, string Source = "original");
