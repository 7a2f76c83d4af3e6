using System;
using System.CommandLine;
using System.Globalization;
using System.IO;
using ER.Managed.Estimation;

namespace ER.Managed.Cli.Commands;

/// <summary>
/// <c>er demo [--seed N]</c>: the original implementation's "Getting Started" self-check (SPEC.md),
/// same lines in the same order on the same kinds of inputs, with the original's reference
/// normalizer, followed by the sphere lines again with the exact normalizer.
/// </summary>
internal static class DemoCommand
{
    internal const int Samples = 1000;
    internal const int Dimension = 1000;
    internal const double Kappa = 10.0;

    internal static Command Create(TextWriter stdout)
    {
        var seed = new Option<ulong>("--seed") { Description = "Seed of the random inputs; the output is deterministic for a given seed.", DefaultValueFactory = _ => 0UL, HelpName = "N" };
        var command = new Command("demo", "The original implementation's self-check: ER terms on random inputs, reference then exact normalizer.") { seed };
        command.SetAction(parse =>
        {
            Run(stdout, parse.GetValue(seed));
            return Cli.Success;
        });
        return command;
    }

    internal static void Run(TextWriter output, ulong seed)
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

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Reference normalizer (the original's log(I_nu(kappa) + 1e-7), c = {Py(VonMisesFisher.Constant(d, Kappa, NormalizerMode.Reference))} at d = {d}, kappa = {Kappa}), as in its printed self-check:"));
        output.WriteLine("Continuous entropy");
        output.WriteLine($"Entropy sphere plug-in estimator: {Py(Entropy.Sphere(z, k, d, Kappa, EntropyReduction.Expectation, NormalizerMode.Reference))}");
        output.WriteLine($"Entropy sphere Joe's estimator: {Py(Entropy.Sphere(z, k, d, Kappa, EntropyReduction.Average, NormalizerMode.Reference))}");
        output.WriteLine("Discrete entropy");
        output.WriteLine($"Max entropy {Py(Math.Log(d))}");
        output.WriteLine($"Entropy on uniform sample: {Py(Entropy.Discrete(w, k, d))}");
        output.WriteLine($"Entropy on uniform sample (high temp): {Py(Entropy.Discrete(sharp, k, d))}");
        output.WriteLine($"Entropy on one_hot vector: {Py(Entropy.Discrete(oneHot, k, d))}");
        output.WriteLine("Continuous reconstruction");
        output.WriteLine($"Reconstruction error: {Py(Reconstruction.Sphere(p1, p2, k, d, Kappa, NormalizerMode.Reference))}");
        output.WriteLine("Discrete reconstruction");
        output.WriteLine($"Reconstruction error: {Py(Reconstruction.Discrete(q1, q2, k, d))}");
        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Exact normalizer (c = -log C_d(kappa) = {Py(VonMisesFisher.Constant(d, Kappa))} at d = {d}, kappa = {Kappa}; the reference constant is {Py(VonMisesFisher.Constant(d, Kappa, NormalizerMode.Reference))})"));
        output.WriteLine($"Entropy sphere plug-in estimator (exact normalizer): {Py(Entropy.Sphere(z, k, d, Kappa, EntropyReduction.Expectation, NormalizerMode.Exact))}");
        output.WriteLine($"Entropy sphere Joe's estimator (exact normalizer): {Py(Entropy.Sphere(z, k, d, Kappa, EntropyReduction.Average, NormalizerMode.Exact))}");
        output.WriteLine($"Reconstruction error (exact normalizer): {Py(Reconstruction.Sphere(p1, p2, k, d, Kappa, NormalizerMode.Exact))}");
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
