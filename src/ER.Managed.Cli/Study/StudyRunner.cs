using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using ER.Managed.Estimation;

namespace ER.Managed.Cli.Study;

/// <summary>
/// One configuration's result for one estimator, over its repetitions. <see cref="Kappa"/> is the
/// kernel concentration for the kernel estimators and NaN for those that choose none (knn) or choose
/// their own (joe-cv, whose mean choice is <see cref="SelectedKappa"/>).
/// </summary>
internal sealed record StudyRow(
    string Data, int Dimension, int Batch, double Kappa, string Estimator,
    double Truth, double TruthSe, double Mean, double Std, double Bias, double Rmse, double Ci95Low, double Ci95High,
    double TimeMs, int Repetitions, double SelectedKappa,
    double MixtureLower, double MixtureUpper, double Floor, double Ceiling)
{
    /// <summary>The series this row belongs to in tables and plots: the estimator, with its kernel kappa when it has one.</summary>
    internal string Series => double.IsNaN(Kappa) ? Estimator : string.Create(CultureInfo.InvariantCulture, $"{Estimator} (kappa {Kappa})");
}

/// <summary>
/// Runs the sweep: for every data distribution, dimension and batch size, draws <c>reps</c> seeded
/// batches and applies the kernel estimators at every kernel kappa (plug-in, Joe's, Joe's
/// leave-one-out; exact normalizer), the kNN estimator with m = 1 and 4, and Joe's estimator and its
/// leave-one-out variant at the concentration the leave-one-out likelihood selects (joe-cv,
/// joe-loo-cv: minus the maximized likelihood), recording mean, spread, bias, RMSE
/// and a 95% interval against the true entropy of the data distribution (a Monte Carlo estimate, with
/// its standard error, for mixtures), and (with bounds) the Kolchinsky-Tracey bounds of the kernel mixture.
/// </summary>
internal static class StudyRunner
{
    internal static readonly string[] KernelEstimators = ["plugin", "joe", "joe-loo"];

    internal static readonly string[] FreeEstimators = ["knn-1", "knn-4", "joe-cv", "joe-loo-cv"];

    /// <summary>Monte Carlo samples for a mixture's entropy: its standard error is then about 1e-2 / sqrt(2) nats or less here.</summary>
    internal const int MonteCarloSamples = 20_000;

    internal static List<StudyRow> Run(StudySpec spec, TextWriter progress)
    {
        var rows = new List<StudyRow>();
        int total = spec.Data.Count * spec.Dimensions.Count * spec.Batches.Count, done = 0;
        var options = new ErOptions { ValidateInputs = false };
        int kernelSeries = KernelEstimators.Length * spec.Kappas.Count;
        for (int di = 0; di < spec.Data.Count; di++)
        {
            DataSpec data = spec.Data[di];
            foreach (int d in spec.Dimensions)
            {
                // One set of means per (data, dimension), shared by its batches and repetitions.
                var meansSampler = new SphereSampler(Mix(spec.Seed, (ulong)di, (ulong)d, 0xA5A5));
                float[] means = new float[Math.Max(1, data.Components) * d];
                meansSampler.Uniform(Math.Max(1, data.Components), d, means);
                (double truth, double truthSe) = data.Kind == "mixture"
                    ? MixtureEntropy(data, means, d, new SphereSampler(Mix(spec.Seed, (ulong)di, (ulong)d, 0x5A5A)))
                    : (data.Truth(d), 0.0);
                foreach (int k in spec.Batches)
                {
                    var z = new float[k * d];
                    int series = kernelSeries + FreeEstimators.Length;
                    var values = new double[series][];
                    var seconds = new double[series];
                    for (int s = 0; s < series; s++)
                    {
                        values[s] = new double[spec.Repetitions];
                    }

                    var lowerSums = new double[spec.Kappas.Count];
                    var upperSums = new double[spec.Kappas.Count];
                    double selectedSum = 0;
                    for (int rep = 0; rep < spec.Repetitions; rep++)
                    {
                        var sampler = new SphereSampler(Mix(spec.Seed, (ulong)di, (ulong)d, (ulong)k, (ulong)rep));
                        Draw(data, sampler, means, k, d, z);
                        for (int ki = 0; ki < spec.Kappas.Count; ki++)
                        {
                            double kappa = spec.Kappas[ki];
                            for (int e = 0; e < KernelEstimators.Length; e++)
                            {
                                int s = (ki * KernelEstimators.Length) + e;
                                long start = Stopwatch.GetTimestamp();
                                values[s][rep] = e switch
                                {
                                    0 => Entropy.Sphere(z, k, d, kappa, EntropyReduction.Expectation, options: options),
                                    1 => Entropy.Sphere(z, k, d, kappa, EntropyReduction.Average, options: options),
                                    _ => k >= 2 ? Entropy.SphereLeaveOneOut(z, k, d, kappa, options: options) : double.NaN,
                                };
                                seconds[s] += Stopwatch.GetElapsedTime(start).TotalSeconds;
                            }

                            if (spec.Bounds)
                            {
                                MixtureEntropyBounds b = GroundTruth.KernelMixtureBounds(z, k, d, kappa, options);
                                lowerSums[ki] += b.Lower;
                                upperSums[ki] += b.Upper;
                            }
                        }

                        int copies = d >= 2 ? LargestCopyCount(z, k, d) : 0;
                        for (int f = 0; f < FreeEstimators.Length; f++)
                        {
                            int s = kernelSeries + f;
                            long start = Stopwatch.GetTimestamp();
                            if (f < 2)
                            {
                                values[s][rep] = KnnOrDivergence(z, k, d, f == 0 ? 1 : 4, copies, options);
                            }
                            else if (f == 2)
                            {
                                (double selected, double logLikelihood) = SelectKappa(z, k, d, options);
                                selectedSum += selected;
                                values[s][rep] = double.IsNaN(selected) ? double.NaN : Entropy.Sphere(z, k, d, selected, EntropyReduction.Average, options: options);

                                // joe-loo at the same kappa is minus the maximized likelihood: no extra work.
                                values[s + 1][rep] = -logLikelihood;
                            }
                            else
                            {
                                continue; // joe-loo-cv came with joe-cv (its time is in joe-cv's)
                            }

                            seconds[s] += Stopwatch.GetElapsedTime(start).TotalSeconds;
                        }
                    }

                    for (int ki = 0; ki < spec.Kappas.Count; ki++)
                    {
                        double kappa = spec.Kappas[ki];
                        double c = VonMisesFisher.Constant(d, kappa);
                        for (int e = 0; e < KernelEstimators.Length; e++)
                        {
                            int s = (ki * KernelEstimators.Length) + e;
                            rows.Add(Summarize(data.Name, d, k, kappa, KernelEstimators[e], truth, truthSe, values[s], seconds[s], double.NaN,
                                spec.Bounds ? lowerSums[ki] / spec.Repetitions : double.NaN, spec.Bounds ? upperSums[ki] / spec.Repetitions : double.NaN, c - kappa, c - kappa + Math.Log(k)));
                        }
                    }

                    for (int f = 0; f < FreeEstimators.Length; f++)
                    {
                        int s = kernelSeries + f;
                        double selected = f >= 2 ? selectedSum / spec.Repetitions : double.NaN;
                        rows.Add(Summarize(data.Name, d, k, double.NaN, FreeEstimators[f], truth, truthSe, values[s], seconds[s], selected, double.NaN, double.NaN, double.NaN, double.NaN));
                    }

                    done++;
                    progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{done}/{total}] {data.Name} d={d} k={k}: {string.Join(", ", rows.Skip(rows.Count - series).Select(r => $"{r.Series} {r.Mean:F4}"))} (truth {truth:F4})"));
                }
            }
        }

        return rows;
    }

    /// <summary>
    /// The concentration joe-cv uses: the leave-one-out likelihood's maximizer, which is 0 (the
    /// uniform limit) where the likelihood is largest as kappa -&gt; 0, as it can be for samples no more
    /// concentrated than uniform (<see cref="KappaSelection.LeaveOneOut(ReadOnlySpan{float}, int, int, ErOptions?)"/> flags it).
    /// </summary>
    private static (double Kappa, double LogLikelihood) SelectKappa(float[] z, int k, int d, ErOptions options)
    {
        if (k < 2)
        {
            return (double.NaN, double.NaN);
        }

        KappaSelectionResult result = KappaSelection.LeaveOneOut(z, k, d, options);
        return (result.Kappa, result.LogLikelihood);
    }

    /// <summary>
    /// The kNN estimate with <paramref name="m"/> neighbours; -infinity where a row has m or more
    /// copies (<paramref name="copies"/>, from <see cref="LargestCopyCount"/>), whose m-th neighbour
    /// is then at distance 0; NaN where the estimator does not apply (d &lt; 2, or k &lt;= m).
    /// </summary>
    internal static double KnnOrDivergence(float[] z, int k, int d, int m, int copies, ErOptions options) =>
        d >= 2 && k > m
            ? (copies >= m ? double.NegativeInfinity : Entropy.SphereKnn(z, k, d, m, options))
            : double.NaN;

    /// <summary>
    /// The most rows of z (k x d) equal to one row, element by element, besides that row (0 when
    /// all differ). Where it is m or more, that row's m-th neighbour is at distance 0 and the kNN
    /// estimate is -infinity, which the library refuses with an exception. Float32 samples of very
    /// concentrated data have such rows (a vMF at kappa0 1e10 in d = 3 puts thousands of points on a
    /// patch a few hundred ulps wide), and the study records the divergence for that repetition
    /// instead of ending. One sort serves every m.
    /// </summary>
    internal static int LargestCopyCount(float[] z, int k, int d)
    {
        int[] order = new int[k];
        for (int i = 0; i < k; i++)
        {
            order[i] = i;
        }

        Array.Sort(order, (a, b) => z.AsSpan(a * d, d).SequenceCompareTo(z.AsSpan(b * d, d)));
        int run = 0, largest = 0;
        for (int i = 1; i < k; i++)
        {
            run = z.AsSpan(order[i] * d, d).SequenceEqual(z.AsSpan(order[i - 1] * d, d)) ? run + 1 : 0;
            largest = Math.Max(largest, run);
        }

        return largest;
    }

    /// <summary>
    /// The entropy of an equal mixture of vMF(mean_c, kappa0) by Monte Carlo on its exact log-density,
    /// <c>-mean log p(x)</c> over <see cref="MonteCarloSamples"/> draws, <c>log p(x) = log C_d(kappa0) +
    /// logsumexp_c(kappa0 mean_c.x) - log M</c> in double; with the standard error sd / sqrt(N) (sd the
    /// sample standard deviation of the log-densities).
    /// </summary>
    internal static (double Entropy, double StandardError) MixtureEntropy(DataSpec data, float[] means, int d, SphereSampler sampler)
    {
        int components = data.Components;
        var x = new float[MonteCarloSamples * d];
        sampler.Mixture(means, components, data.Kappa, MonteCarloSamples, x);
        double logC = VonMisesFisher.LogNormalizer(d, data.Kappa) - Math.Log(components);
        var dots = new double[components];
        var logDensities = new double[MonteCarloSamples];
        for (int i = 0; i < MonteCarloSamples; i++)
        {
            double max = double.NegativeInfinity;
            for (int c = 0; c < components; c++)
            {
                double dot = 0;
                for (int t = 0; t < d; t++)
                {
                    dot += (double)x[(i * d) + t] * means[(c * d) + t];
                }

                dots[c] = data.Kappa * dot;
                max = Math.Max(max, dots[c]);
            }

            double exponentials = 0;
            for (int c = 0; c < components; c++)
            {
                exponentials += Math.Exp(dots[c] - max);
            }

            logDensities[i] = logC + max + Math.Log(exponentials);
        }

        // Two passes: E[x^2] - E[x]^2 in one pass loses the spread to cancellation where it is small
        // against the mean (5.6e-9 for the exact 0 of a uniform mixture).
        double sum = 0;
        foreach (double logDensity in logDensities)
        {
            sum += logDensity;
        }

        double mean = sum / MonteCarloSamples;
        double squaredDeviations = 0;
        foreach (double logDensity in logDensities)
        {
            squaredDeviations += (logDensity - mean) * (logDensity - mean);
        }

        double variance = squaredDeviations / (MonteCarloSamples - 1);
        return (-mean, Math.Sqrt(variance / MonteCarloSamples));
    }

    private static void Draw(DataSpec data, SphereSampler sampler, float[] means, int k, int d, float[] z)
    {
        switch (data.Kind)
        {
            case "uniform":
                sampler.Uniform(k, d, z);
                break;
            case "vmf":
                sampler.VonMisesFisher(means.AsSpan(0, d), data.Kappa, k, z);
                break;
            default:
                sampler.Mixture(means, data.Components, data.Kappa, k, z);
                break;
        }
    }

    internal static StudyRow Summarize(
        string data, int d, int k, double kappa, string estimator, double truth, double truthSe, double[] values, double seconds, double selectedKappa,
        double lower, double upper, double floor, double ceiling)
    {
        double mean = values.Average();
        double variance = 0, squared = 0;
        foreach (double v in values)
        {
            variance += (v - mean) * (v - mean);
            squared += (v - truth) * (v - truth);
        }

        int n = values.Length;
        double std = n > 1 ? Math.Sqrt(variance / (n - 1)) : 0;

        // A normal-approximation 95% interval for the estimator's expected value.
        double half = 1.959963984540054 * std / Math.Sqrt(n);
        return new StudyRow(
            data, d, k, kappa, estimator, truth, truthSe, mean, std, mean - truth, Math.Sqrt(squared / n), mean - half, mean + half,
            1e3 * seconds / n, n, selectedKappa, lower, upper, floor, ceiling);
    }

    /// <summary>A seed for one configuration: SplitMix64 steps over the parts, so configurations get unrelated streams.</summary>
    internal static ulong Mix(ulong seed, params ulong[] parts)
    {
        ulong h = seed;
        foreach (ulong p in parts)
        {
            h += 0x9E3779B97F4A7C15UL ^ p;
            h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9UL;
            h = (h ^ (h >> 27)) * 0x94D049BB133111EBUL;
            h ^= h >> 31;
        }

        return h;
    }
}
