using System.Globalization;
using System.Linq;
using System.Threading.Tasks;

namespace ER.Managed.Samples.Digits;

/// <summary>
/// The study's quick form, for CI: d = 16, batch 64, seed 0, a few epochs, the initial encoder, ER
/// (plug-in), reconstruction only and InfoNCE; the held-out 5-NN accuracy and kNN entropy of each.
/// </summary>
public static class QuickStudy
{
    /// <summary>Epochs of the quick runs.</summary>
    public const int Epochs = 15;

    /// <summary>The quick study's measurements.</summary>
    public sealed record Result(double InitialAccuracy, double ErAccuracy, double ReconstructionAccuracy, double InfoNceAccuracy,
        double InitialEntropy, double ErEntropy, double ReconstructionEntropy, double InfoNceEntropy, double Seconds)
    {
        /// <summary>One JSON object: knn_accuracy and knn_entropy for each, and the seconds it took.</summary>
        public string ToJson()
        {
            static string Number(double v) => double.IsFinite(v) ? v.ToString("R", CultureInfo.InvariantCulture) : "null";
            return "{\"knn_accuracy\":{" +
                $"\"initial\":{Number(InitialAccuracy)},\"er_plugin\":{Number(ErAccuracy)},\"reconstruction_only\":{Number(ReconstructionAccuracy)},\"infonce\":{Number(InfoNceAccuracy)}" +
                "},\"knn_entropy\":{" +
                $"\"initial\":{Number(InitialEntropy)},\"er_plugin\":{Number(ErEntropy)},\"reconstruction_only\":{Number(ReconstructionEntropy)},\"infonce\":{Number(InfoNceEntropy)}" +
                $"}},\"seconds\":{Seconds.ToString("F1", CultureInfo.InvariantCulture)}}}";
        }
    }

    /// <summary>Runs the three objectives (in parallel on up to <paramref name="threads"/> threads) and the initial encoder.</summary>
    public static Result Run(DigitsData data, int epochs = Epochs, int threads = 2)
    {
        ArgumentNullException.ThrowIfNull(data);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var settings = new StudySettings { Epochs = epochs, EntropyEvery = epochs };
        (DigitsData train, DigitsData test) = data.Split(settings.TrainFraction, settings.SplitSeed);
        string[] names = ["er-plugin", "reconstruction-only", "infonce"];
        var results = new RunResult[names.Length];
        Parallel.For(0, names.Length, new ParallelOptions { MaxDegreeOfParallelism = threads }, i =>
            results[i] = TrainingRun.Run(new RunSpec(ObjectiveSpec.Named(names[i]), 64, 16, 0), train, test, settings));
        (double knn, _, double entropy) = TrainingRun.Evaluate(TrainingRun.Encoder(settings, 16, 0), train, test);
        return new Result(knn, results[0].NearestNeighbourAccuracy, results[1].NearestNeighbourAccuracy, results[2].NearestNeighbourAccuracy,
            entropy, results[0].Entropy, results[1].Entropy, results[2].Entropy, watch.Elapsed.TotalSeconds);
    }
}
