using System.Collections.Generic;
using System.Linq;

namespace ER.Managed.Cli.Study;

/// <summary>A data distribution of the estimator study: uniform on the sphere, one vMF, or an equal mixture of vMFs.</summary>
internal sealed record DataSpec(string Name, string Kind, double Kappa, int Components)
{
    /// <summary>
    /// The most components a mixture may have: its true entropy takes 20,000 x C exponentials and
    /// x d multiply-adds, serially (115 s at C = 1e5 and d = 16 on an Intel Xeon, Emerald Rapids),
    /// and 2e8 components had run for days without a word.
    /// </summary>
    internal const int MaxComponents = 100_000;

    /// <summary>Parses <c>uniform</c>, <c>vmf:KAPPA0</c> or <c>mixture:COMPONENTS:KAPPA0</c>.</summary>
    internal static DataSpec Parse(string text)
    {
        string[] parts = text.Split(':');
        static double Number(string s, string what) =>
            double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) && v >= 0
                ? (v == 0 ? 0.0 : v) // -0 is 0
                : throw new FormatException($"{what} must be a finite number at least 0 (0: uniform), got '{s}'");
        return parts[0] switch
        {
            "uniform" when parts.Length == 1 => new DataSpec("uniform", "uniform", 0, 0),
            "vmf" when parts.Length == 2 => new DataSpec($"vmf:{parts[1]}", "vmf", Number(parts[1], "the vMF concentration"), 1),
            "mixture" when parts.Length == 3 => int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int c) && c >= 1 && c <= MaxComponents
                ? new DataSpec($"mixture:{c}:{parts[2]}", "mixture", Number(parts[2], "the mixture's concentration"), c)
                : throw new FormatException($"the mixture's number of components must be an integer from 1 to {MaxComponents}, got '{parts[1]}'"),
            _ => throw new FormatException($"unknown data '{text}' (expected uniform, vmf:KAPPA0 or mixture:COMPONENTS:KAPPA0)"),
        };
    }

    /// <summary>The true entropy where it has a closed form (uniform, vMF); NaN for mixtures.</summary>
    internal double Truth(int dimension) => Kind switch
    {
        "uniform" => Estimation.GroundTruth.UniformSphere(dimension),
        "vmf" => Estimation.GroundTruth.VonMisesFisher(dimension, Kappa),
        _ => double.NaN,
    };
}

/// <summary>Everything one <c>er estimators</c> run sweeps.</summary>
internal sealed record StudySpec(
    IReadOnlyList<DataSpec> Data,
    IReadOnlyList<int> Dimensions,
    IReadOnlyList<int> Batches,
    IReadOnlyList<double> Kappas,
    int Repetitions,
    ulong Seed,
    bool Bounds)
{
    internal static IReadOnlyList<T> ParseList<T>(string text, Func<string, T> parse, string what) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) is { Length: > 0 } items
            ? items.Select(item => ParseItem(item, parse, what)).ToArray()
            : throw new FormatException($"{what} is empty");

    private static T ParseItem<T>(string item, Func<string, T> parse, string what)
    {
        try
        {
            return parse(item);
        }
        catch (FormatException e)
        {
            throw new FormatException($"{what}: {e.Message}", e);
        }
    }

    /// <summary>
    /// Refuses, before any work, a sweep whose arrays one .NET array cannot hold: a batch of k x d
    /// samples, a mixture's C x d means and the 20000 x d draws of its Monte Carlo truth (k x d had
    /// wrapped an int and failed inside the sampler, in its own words).
    /// </summary>
    internal void CheckSizes()
    {
        long widest = Dimensions.Max();
        foreach (int k in Batches.Where(k => k * widest > Array.MaxLength))
        {
            throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"--batch {k} with --dims {widest}: k x d = {k * widest} values, more than one array holds ({Array.MaxLength})"));
        }

        foreach (DataSpec data in Data.Where(data => data.Kind == "mixture"))
        {
            long largest = Math.Max(data.Components, StudyRunner.MonteCarloSamples) * widest;
            if (largest > Array.MaxLength)
            {
                throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"--data {data.Name} with --dims {widest}: its {data.Components} means and the {StudyRunner.MonteCarloSamples} draws of its true entropy take up to {largest} values, more than one array holds ({Array.MaxLength})"));
            }
        }
    }

    internal static int PositiveInt(string s) =>
        int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v >= 1 ? v : throw new FormatException($"expected a positive integer, got '{s}'");

    /// <summary>A kernel concentration the sphere estimators take: 0 (the uniform limit) or from float32's smallest positive value to <see cref="Entropy.MaxKappa"/>.</summary>
    internal static double KernelKappa(string s) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v >= 0 && v <= Entropy.MaxKappa && (v == 0 || (float)v > 0)
            ? (v == 0 ? 0.0 : v) // -0 is 0: written as 0 in the CSV
            : throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"expected a kernel concentration of 0 (the uniform limit) or from 1.4e-45 to {Entropy.MaxKappa:0e0}, got '{s}'"));
}
