using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;

namespace ER.Managed.Samples.Digits;

/// <summary>
/// The whole study: every objective at every batch size and embedding dimension over several seeds,
/// the untrained encoder and the raw pixels as baselines, written as results.csv, curves.csv,
/// summary.md and SVG plots. Runs go in parallel, one thread each; each run's result depends only
/// on its settings and seed.
/// </summary>
public static class Study
{
    /// <summary>The full grid (the command without --quick).</summary>
    public static (int[] Batches, int[] Dimensions, int[] Seeds) FullGrid => ([16, 32, 64, 128, 256], [16, 64], [0, 1, 2]);

    /// <summary>Runs every (objective, batch, dimension, seed) and the baselines; reports progress on <paramref name="progress"/>.</summary>
    public static StudyResults Run(DigitsData data, StudySettings settings, IReadOnlyList<ObjectiveSpec> objectives, int[] batches, int[] dimensions, int[] seeds, TextWriter progress, int threads)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(progress);
        (DigitsData train, DigitsData test) = data.Split(settings.TrainFraction, settings.SplitSeed);
        var specs = (from o in objectives from d in dimensions from b in batches from s in seeds select new RunSpec(o, b, d, s)).ToArray();

        // Largest batches are cheapest per epoch; start the slow small-batch runs first.
        specs = [.. specs.OrderBy(s => s.BatchSize)];
        var results = new ConcurrentBag<RunResult>();
        var initial = new ConcurrentBag<(int Dimension, int Seed, double Knn, double Probe, double Entropy)>();
        int done = 0;
        var started = DateTime.UtcNow;
        Parallel.ForEach(
            (from d in dimensions from s in seeds select (d, s)).ToArray(),
            new ParallelOptions { MaxDegreeOfParallelism = threads },
            ds =>
            {
                (double knn, double probe, double entropy) = TrainingRun.Evaluate(TrainingRun.Encoder(settings, ds.d, ds.s), train, test);
                initial.Add((ds.d, ds.s, knn, probe, entropy));
            });
        Parallel.ForEach(specs, new ParallelOptions { MaxDegreeOfParallelism = threads }, spec =>
        {
            RunResult result = TrainingRun.Run(spec, train, test, settings);
            results.Add(result);
            int n = System.Threading.Interlocked.Increment(ref done);
            lock (progress)
            {
                progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{n}/{specs.Length}, {(DateTime.UtcNow - started).TotalMinutes:F1} min] {spec.Objective.Name} b={spec.BatchSize} d={spec.Dimension} seed={spec.Seed}: 5-NN {result.NearestNeighbourAccuracy:P1}, probe {result.LinearProbeAccuracy:P1}, entropy {result.Entropy:F2}, {result.Seconds:F1} s"));
            }
        });

        var pixels = train.Images.ToArray();
        var testPixels = test.Images.ToArray();
        Evaluation.Normalize(pixels, train.Count, DigitsData.Pixels);
        Evaluation.Normalize(testPixels, test.Count, DigitsData.Pixels);
        double pixelKnn = Evaluation.NearestNeighbourAccuracy(pixels, train.Labels, testPixels, test.Labels, DigitsData.Pixels);
        double pixelProbe = Evaluation.LinearProbeAccuracy(pixels, train.Labels, testPixels, test.Labels, DigitsData.Pixels);
        return new StudyResults(
            [.. results.OrderBy(r => r.Spec.Objective.Name, StringComparer.Ordinal).ThenBy(r => r.Spec.Dimension).ThenBy(r => r.Spec.BatchSize).ThenBy(r => r.Spec.Seed)],
            [.. initial.OrderBy(i => i.Dimension).ThenBy(i => i.Seed)],
            pixelKnn,
            pixelProbe,
            (DateTime.UtcNow - started).TotalMinutes,
            train.Count,
            test.Count);
    }
}

/// <summary>Everything a study measured, and its report.</summary>
public sealed record StudyResults(
    IReadOnlyList<RunResult> Runs,
    IReadOnlyList<(int Dimension, int Seed, double Knn, double Probe, double Entropy)> Initial,
    double PixelKnn,
    double PixelProbe,
    double Minutes,
    int TrainCount,
    int TestCount)
{
    /// <summary>Writes results.csv, curves.csv, summary.md and the plots into <paramref name="folder"/>.</summary>
    public void Write(string folder, string command)
    {
        Directory.CreateDirectory(folder);
        var csv = new StringBuilder("objective,batch,dim,seed,knn_accuracy,probe_accuracy,knn_entropy,final_kappa,seconds\n");
        foreach ((int d, int seed, double knn, double probe, double entropy) in Initial)
        {
            csv.Append(Invariant($"initial,0,{d},{seed},{knn:R},{probe:R},{entropy:R},,0\n"));
        }

        foreach (RunResult r in Runs)
        {
            csv.Append(Invariant($"{r.Spec.Objective.Name},{r.Spec.BatchSize},{r.Spec.Dimension},{r.Spec.Seed},{r.NearestNeighbourAccuracy:R},{r.LinearProbeAccuracy:R},{r.Entropy:R},{(double.IsNaN(r.FinalKappa) ? string.Empty : r.FinalKappa.ToString("R", CultureInfo.InvariantCulture))},{r.Seconds:F2}\n"));
        }

        File.WriteAllText(Path.Combine(folder, "results.csv"), csv.ToString());
        var curves = new StringBuilder("objective,batch,dim,seed,epoch,knn_entropy\n");
        foreach (RunResult r in Runs)
        {
            foreach ((int epoch, double entropy) in r.EntropyCurve)
            {
                curves.Append(Invariant($"{r.Spec.Objective.Name},{r.Spec.BatchSize},{r.Spec.Dimension},{r.Spec.Seed},{epoch},{entropy:R}\n"));
            }
        }

        File.WriteAllText(Path.Combine(folder, "curves.csv"), curves.ToString());
        File.WriteAllText(Path.Combine(folder, "summary.md"), Summary(command));
        foreach (int d in Runs.Select(r => r.Spec.Dimension).Distinct())
        {
            File.WriteAllText(Path.Combine(folder, Invariant($"knn_accuracy_d{d}.svg")), AccuracyPlot(d, probe: false, withCollapse: true));
            File.WriteAllText(Path.Combine(folder, Invariant($"knn_accuracy_d{d}_trained.svg")), AccuracyPlot(d, probe: false, withCollapse: false));
            File.WriteAllText(Path.Combine(folder, Invariant($"probe_accuracy_d{d}.svg")), AccuracyPlot(d, probe: true, withCollapse: false));
            foreach (int b in Runs.Select(r => r.Spec.BatchSize).Distinct().Where(b => b is 16 or 256 || Runs.Select(r => r.Spec.BatchSize).Distinct().Count() == 1))
            {
                File.WriteAllText(Path.Combine(folder, Invariant($"entropy_d{d}_b{b}.svg")), EntropyPlot(d, b));
            }
        }
    }

    private string Summary(string command)
    {
        var text = new StringBuilder();
        text.Append("# Digits: self-supervised training with the ER terms\n\n");
        text.Append(Invariant($"`{command}`\n\n"));
        text.Append(Invariant($"{TrainCount} training and {TestCount} held-out images; {Minutes:F1} minutes. Cells: mean +- standard deviation over the seeds, in percent (accuracy) or nats (entropy).\n\n"));
        text.Append(Invariant($"Raw pixels (no encoder): 5-NN {100 * PixelKnn:F1}%, linear probe {100 * PixelProbe:F1}%.\n"));
        foreach (int d in Runs.Select(r => r.Spec.Dimension).Distinct().Order())
        {
            int[] batches = [.. Runs.Select(r => r.Spec.BatchSize).Distinct().Order()];
            var init = Initial.Where(i => i.Dimension == d).ToArray();
            foreach ((string what, Func<RunResult, double> value, Func<(int, int, double Knn, double Probe, double Entropy), double> initial, double scale, string format) in new (string, Func<RunResult, double>, Func<(int, int, double Knn, double Probe, double Entropy), double>, double, string)[]
            {
                ("5-NN accuracy (%)", r => r.NearestNeighbourAccuracy, i => i.Knn, 100, "F1"),
                ("linear probe accuracy (%)", r => r.LinearProbeAccuracy, i => i.Probe, 100, "F1"),
                ("kNN entropy of the held-out embeddings (nats)", r => r.Entropy, i => i.Entropy, 1, "F2"),
                ("final kappa", r => r.FinalKappa, _ => double.NaN, 1, "F1"),
            })
            {
                text.Append(Invariant($"\n## d = {d}: {what}\n\n| objective | {string.Join(" | ", batches.Select(b => $"B = {b}"))} |\n| --- |{string.Concat(batches.Select(_ => " --- |"))}\n"));
                if (!double.IsNaN(initial(init[0])))
                {
                    text.Append(Invariant($"| initial encoder | {Cell(init.Select(initial).Select(v => v * scale), format)}{string.Concat(batches.Skip(1).Select(_ => " |"))} |\n"));
                }

                foreach (string name in Runs.Select(r => r.Spec.Objective.Name).Distinct())
                {
                    var cells = batches.Select(b => Cell(Runs.Where(r => r.Spec.Objective.Name == name && r.Spec.Dimension == d && r.Spec.BatchSize == b).Select(value).Select(v => v * scale), format));
                    text.Append(Invariant($"| {name} | {string.Join(" | ", cells)} |\n"));
                }
            }
        }

        return text.ToString();
    }

    /// <summary>Accuracy against the batch size per objective; without the collapsing reconstruction-only runs the interesting range is not squashed.</summary>
    private string AccuracyPlot(int d, bool probe, bool withCollapse)
    {
        string subset = withCollapse ? string.Empty : ", without reconstruction only";
        var plot = new SvgPlot(Invariant($"Held-out {(probe ? "linear probe" : "5-NN")} accuracy, d = {d}{subset} (mean +- sd)"), "batch size", "accuracy (%)", logTwoX: true);
        foreach (string name in Runs.Select(r => r.Spec.Objective.Name).Distinct().Where(n => withCollapse || n != "reconstruction-only"))
        {
            var points = Runs.Where(r => r.Spec.Objective.Name == name && r.Spec.Dimension == d)
                .GroupBy(r => r.Spec.BatchSize)
                .OrderBy(g => g.Key)
                .Select(g =>
                {
                    double[] v = [.. g.Select(r => 100 * (probe ? r.LinearProbeAccuracy : r.NearestNeighbourAccuracy))];
                    return ((double)g.Key, v.Average(), StandardDeviation(v));
                });
            plot.Add(name, points);
        }

        double[] initial = [.. Initial.Where(i => i.Dimension == d).Select(i => 100 * (probe ? i.Probe : i.Knn))];
        plot.Reference(Invariant($"initial encoder ({initial.Average():F1}%)"), initial.Average());
        plot.Reference(Invariant($"raw pixels ({100 * (probe ? PixelProbe : PixelKnn):F1}%)"), 100 * (probe ? PixelProbe : PixelKnn));
        return plot.Render();
    }

    private string EntropyPlot(int d, int batch)
    {
        var plot = new SvgPlot(Invariant($"kNN entropy of the held-out embeddings, d = {d}, batch {batch} (mean over seeds)"), "epoch", "entropy (nats)");
        foreach (string name in Runs.Select(r => r.Spec.Objective.Name).Distinct())
        {
            var runs = Runs.Where(r => r.Spec.Objective.Name == name && r.Spec.Dimension == d && r.Spec.BatchSize == batch).ToArray();
            if (runs.Length == 0)
            {
                continue;
            }

            var points = runs[0].EntropyCurve.Select((p, i) => ((double)p.Epoch, runs.Average(r => r.EntropyCurve[i].Entropy), 0.0));
            plot.Add(name, points);
        }

        plot.Reference(Invariant($"uniform on S^{d - 1}"), VonMisesFisher.Entropy(d, 0));
        return plot.Render();
    }

    private static string Cell(IEnumerable<double> values, string format)
    {
        double[] v = [.. values];
        if (v.Length == 0 || v.All(double.IsNaN))
        {
            return "-";
        }

        return v.Length == 1 ? v[0].ToString(format, CultureInfo.InvariantCulture) : Invariant($"{v.Average().ToString(format, CultureInfo.InvariantCulture)} +- {StandardDeviation(v).ToString(format, CultureInfo.InvariantCulture)}");
    }

    private static double StandardDeviation(double[] values)
    {
        if (values.Length < 2)
        {
            return 0;
        }

        double mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1));
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
