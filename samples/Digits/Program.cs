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
    // Bad arguments are one line and exit 2 (int.Parse's stack trace, and --epochs 0 or -3 printing
    // the untrained encoder's results as a study's, were the alternative).
    string? Value() => i + 1 < args.Length ? args[++i] : null;
    int? Positive(string? text) => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n >= 1 ? n : null;
    string name = args[i];
    switch (name)
    {
        case "--quick": quick = true; break;
        case "--out" when Value() is string value: output = value; break;
        case "--data" when Value() is string value: dataPath = value; break;
        case "--epochs" when Positive(Value()) is int value: epochs = value; break;
        case "--threads" when Positive(Value()) is int value: threads = value; break;
        case "--help" or "-h":
            Console.WriteLine("digits [--quick] [--out DIR] [--epochs N] [--threads N] [--data FILE]");
            return 0;
        case "--out" or "--data" or "--epochs" or "--threads":
            Console.Error.WriteLine($"digits: {name} needs {(name is "--out" or "--data" ? "a path" : "an integer >= 1")} (see --help)");
            return 2;
        default:
            Console.Error.WriteLine($"digits: unknown argument '{name}' (see --help)");
            return 2;
    }
}

DigitsData data;
string source = dataPath ?? DigitsData.DefaultPath;
try
{
    data = DigitsData.Load(source);
}
catch (Exception error) when (error is IOException or InvalidDataException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"digits: {source}: cannot read the digits data ({error.Message.TrimEnd('.')}); it is a gzip'd CSV of 64 pixels and a label a row");
    return 1;
}
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
