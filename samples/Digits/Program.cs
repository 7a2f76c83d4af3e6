using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using ER.Managed.Samples.Digits;

// digits [--quick] [--out DIR] [--epochs N] [--threads N] [--data FILE]
//   The full study (default): every objective at batch sizes 16..256, d = 16 and 64, seeds 0..2,
//   written to DIR (default: results). --quick: one short run of the initial encoder, ER (plug-in),
//   reconstruction only and InfoNCE (d = 16, batch 64, seed 0), printed as one JSON object.
string? output = null, dataPath = null;
bool quick = false;
int? epochs = null;
int threads = Environment.ProcessorCount;
for (int i = 0; i < args.Length; i++)
{
    string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
    switch (args[i])
    {
        case "--quick": quick = true; break;
        case "--out": output = Value(); break;
        case "--data": dataPath = Value(); break;
        case "--epochs": epochs = int.Parse(Value(), CultureInfo.InvariantCulture); break;
        case "--threads": threads = int.Parse(Value(), CultureInfo.InvariantCulture); break;
        case "--help" or "-h":
            Console.WriteLine("digits [--quick] [--out DIR] [--epochs N] [--threads N] [--data FILE]");
            return 0;
        default:
            Console.Error.WriteLine($"digits: unknown argument '{args[i]}' (see --help)");
            return 2;
    }
}

DigitsData data = DigitsData.Load(dataPath ?? DigitsData.DefaultPath);
if (quick)
{
    QuickStudy.Result result = QuickStudy.Run(data, epochs ?? QuickStudy.Epochs, threads);
    Console.WriteLine(result.ToJson());
    return 0;
}

var settings = new StudySettings { Epochs = epochs ?? new StudySettings().Epochs };
(int[] batches, int[] dimensions, int[] seeds) = Study.FullGrid;
var watch = Stopwatch.StartNew();
StudyResults results = Study.Run(data, settings, ObjectiveSpec.All, batches, dimensions, seeds, Console.Error, threads);
string folder = output ?? "results";
results.Write(folder, $"dotnet run -c Release --project samples/Digits -- --out {folder}{(epochs is int e ? $" --epochs {e}" : string.Empty)}");
Console.WriteLine($"wrote {folder}/results.csv, curves.csv, summary.md and the plots in {watch.Elapsed.TotalMinutes:F1} minutes");
return 0;
