using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using ER.Managed.Estimation;

namespace ER.Managed.Cli.Study;

/// <summary>One configuration's result for one estimator, over its repetitions.</summary>
internal sealed record StudyRow(
    string Data, int Dimension, int Batch, double Kappa, string Estimator,
    double Truth, double Mean, double Std, double Bias, double Rmse, double TimeMs, int Repetitions,
    double MixtureLower, double MixtureUpper, double Floor, double Ceiling);

/// <summary>
/// Runs the sweep: for every data distribution, dimension, batch size and kernel kappa, draws
/// <c>reps</c> seeded batches and applies the plug-in, Joe's and leave-one-out estimators
/// (exact normalizer), recording their mean, spread, bias and RMSE against the true entropy of
/// the data distribution, and (with bounds) the Kolchinsky-Tracey bounds of the kernel mixture.
/// </summary>
internal static class StudyRunner
{
    internal static readonly string[] Estimators = ["plug-in", "joe", "joe-loo"];

    internal static List<StudyRow> Run(StudySpec spec, TextWriter progress)
    {
        var rows = new List<StudyRow>();
        int total = spec.Data.Count * spec.Dimensions.Count * spec.Batches.Count * spec.Kappas.Count, done = 0;
        var options = new ErOptions { ValidateInputs = false };
        for (int di = 0; di < spec.Data.Count; di++)
        {
            DataSpec data = spec.Data[di];
            foreach (int d in spec.Dimensions)
            {
                // One set of means per (data, dimension), shared by its batches and repetitions.
                var meansSampler = new SphereSampler(Mix(spec.Seed, (ulong)di, (ulong)d, 0xA5A5));
                float[] means = new float[Math.Max(1, data.Components) * d];
                meansSampler.Uniform(Math.Max(1, data.Components), d, means);
                double truth = data.Truth(d);
                foreach (int k in spec.Batches)
                {
                    var z = new float[k * d];
                    for (int ki = 0; ki < spec.Kappas.Count; ki++)
                    {
                        double kappa = spec.Kappas[ki];
                        var values = new double[Estimators.Length][];
                        var seconds = new double[Estimators.Length];
                        for (int e = 0; e < Estimators.Length; e++)
                        {
                            values[e] = new double[spec.Repetitions];
                        }

                        double lowerSum = 0, upperSum = 0;
                        for (int rep = 0; rep < spec.Repetitions; rep++)
                        {
                            var sampler = new SphereSampler(Mix(spec.Seed, (ulong)di, (ulong)d, (ulong)k, (ulong)rep));
                            Draw(data, sampler, means, k, d, z);
                            for (int e = 0; e < Estimators.Length; e++)
                            {
                                long start = Stopwatch.GetTimestamp();
                                values[e][rep] = e switch
                                {
                                    0 => Entropy.Sphere(z, k, d, kappa, EntropyReduction.Expectation, options: options),
                                    1 => Entropy.Sphere(z, k, d, kappa, EntropyReduction.Average, options: options),
                                    _ => k >= 2 ? Entropy.SphereLeaveOneOut(z, k, d, kappa, options: options) : double.NaN,
                                };
                                seconds[e] += Stopwatch.GetElapsedTime(start).TotalSeconds;
                            }

                            if (spec.Bounds)
                            {
                                MixtureEntropyBounds b = GroundTruth.KernelMixtureBounds(z, k, d, kappa, options);
                                lowerSum += b.Lower;
                                upperSum += b.Upper;
                            }
                        }

                        double c = VonMisesFisher.Constant(d, kappa);
                        for (int e = 0; e < Estimators.Length; e++)
                        {
                            rows.Add(Summarize(data.Name, d, k, kappa, Estimators[e], truth, values[e], seconds[e], spec, lowerSum, upperSum, c - kappa, c - kappa + Math.Log(k)));
                        }

                        done++;
                        progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{done}/{total}] {data.Name} d={d} k={k} kappa={kappa}: plug-in {Mean(values[0]):F4}, joe {Mean(values[1]):F4}, loo {Mean(values[2]):F4} (truth {truth:F4})"));
                    }
                }
            }
        }

        return rows;
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

    private static StudyRow Summarize(
        string data, int d, int k, double kappa, string estimator, double truth, double[] values, double seconds, StudySpec spec,
        double lowerSum, double upperSum, double floor, double ceiling)
    {
        double mean = Mean(values);
        double variance = 0, squared = 0;
        foreach (double v in values)
        {
            variance += (v - mean) * (v - mean);
            squared += (v - truth) * (v - truth);
        }

        int n = values.Length;
        double std = n > 1 ? Math.Sqrt(variance / (n - 1)) : 0;
        return new StudyRow(
            data, d, k, kappa, estimator, truth, mean, std, mean - truth, Math.Sqrt(squared / n), 1e3 * seconds / n, n,
            spec.Bounds ? lowerSum / n : double.NaN, spec.Bounds ? upperSum / n : double.NaN, floor, ceiling);
    }

    private static double Mean(double[] values)
    {
        double sum = 0;
        foreach (double v in values)
        {
            sum += v;
        }

        return sum / values.Length;
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
