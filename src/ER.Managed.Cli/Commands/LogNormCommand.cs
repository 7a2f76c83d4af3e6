using System.Text.Json;
using ER.Managed.Cli.Files;
using ER.Managed.Npy;

namespace ER.Managed.Cli.Commands;

/// <summary>
/// <c>er lognorm --dim D --kappa K [--json]</c>: the vMF log-normalizer and friends for one kappa;
/// <c>er lognorm --dim D --kappa-file K.npy --out OUT.npy</c>: the same for every kappa of a file,
/// written as an n x 4 float64 array (the batch kernel).
/// </summary>
internal static class LogNormCommand
{
    /// <summary>The columns of the <c>--out</c> array, in order.</summary>
    internal static readonly string[] Columns = ["log_bessel_i", "log_normalizer", "bessel_ratio", "vmf_entropy"];

    internal static Command Create(TextWriter stdout)
    {
        Option<int> dimension = CommonOptions.PositiveInt("--dim", "Ambient dimension d (>= 1).", required: true, helpName: "D");
        Option<double> kappa = CommonOptions.NonNegativeDouble("--kappa", Entropy.DefaultKappa, "vMF concentration kappa (>= 0; at 0, the uniform distribution: log C = -log|S^(d-1)|, A = 0, and log I_nu(0) is -inf for d > 2, +inf for d = 1).");
        var kappaFile = new Option<string?>("--kappa-file")
        {
            Description = "A .npy file of kappas (float32 or float64, any shape, read in C order; each finite and >= 0). Needs --out.",
            HelpName = "FILE",
        };
        var output = new Option<string?>("--out")
        {
            Description = "With --kappa-file: the .npy file to write, n x 4 float64 with columns log_bessel_i, log_normalizer, bessel_ratio, vmf_entropy.",
            HelpName = "FILE",
        };
        Option<bool> json = JsonKeys.Option(JsonKeys.LogNorm, JsonKeys.LogNormFile);
        var command = new Command("lognorm", "log I_nu(kappa), log C_d(kappa), the Bessel ratio A_d(kappa) and the vMF entropy, in double.") { dimension, kappa, kappaFile, output, json };
        command.SetAction(parse =>
        {
            int d = parse.GetValue(dimension);
            string? file = parse.GetValue(kappaFile);
            string? outPath = parse.GetValue(output);
            if (file is not null)
            {
                if (parse.GetResult(kappa) is { Implicit: false })
                {
                    throw new CliUsageException("--kappa and --kappa-file exclude each other: give one kappa or a file of them.");
                }

                if (outPath is null)
                {
                    throw new CliUsageException("--kappa-file needs --out FILE (the n x 4 float64 result).");
                }

                int count;
                using (Progress.Start($"the vMF functions of the kappas in {file}", parse.GetValue(json)))
                {
                    count = WriteTable(d, file, outPath);
                }

                if (parse.GetValue(json))
                {
                    WriteTableJson(stdout, count, outPath);
                }
                else
                {
                    stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {count} x 4 float64 to {outPath} (columns: {string.Join(", ", Columns)})"));
                }

                return Cli.Success;
            }

            if (outPath is not null)
            {
                throw new CliUsageException("--out is for --kappa-file; with one --kappa the values are printed.");
            }

            double k = parse.GetValue(kappa);
            double logBessel = VonMisesFisher.LogBesselI((0.5 * d) - 1.0, k);
            double logNormalizer = VonMisesFisher.LogNormalizer(d, k);
            double ratio = VonMisesFisher.BesselRatio(d, k);
            double entropy = VonMisesFisher.Entropy(d, k);
            if (parse.GetValue(json))
            {
                // log I_nu(0) is infinite (d != 2), which JSON has no number for: null there.
                CommonOptions.WriteJson(
                    stdout,
                    (Columns[0], double.IsFinite(logBessel) ? logBessel : (double?)null),
                    (Columns[1], (double?)logNormalizer),
                    (Columns[2], (double?)ratio),
                    (Columns[3], (double?)entropy));
            }
            else
            {
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"d = {d}, kappa = {CommonOptions.Format(k)}, nu = {CommonOptions.Format((0.5 * d) - 1.0)}"));
                stdout.WriteLine($"log I_nu(kappa)  = {CommonOptions.Format(logBessel)}");
                stdout.WriteLine($"log C_d(kappa)   = {CommonOptions.Format(logNormalizer)}");
                stdout.WriteLine($"A_d(kappa)       = {CommonOptions.Format(ratio)}");
                stdout.WriteLine($"vMF entropy      = {CommonOptions.Format(entropy)} nats");
            }

            return Cli.Success;
        });
        return command;
    }

    /// <summary>Writes <c>{"count": n, "columns": [...], "out": path}</c> for a <c>--kappa-file</c> run.</summary>
    private static void WriteTableJson(TextWriter stdout, int count, string outPath)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("count", count);
            writer.WriteStartArray("columns");
            foreach (string column in Columns)
            {
                writer.WriteStringValue(column);
            }

            writer.WriteEndArray();
            writer.WriteString("out", outPath);
            writer.WriteEndObject();
        }

        stdout.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    /// <summary>Most kappas one table holds: n x 4 doubles in one array.</summary>
    internal static readonly int MaxTableRows = Array.MaxLength / 4;

    /// <summary>n where its n x 4 table fits in an array; an input error naming the file where it does not.</summary>
    internal static int CheckTableRows(int n, string kappaPath) =>
        n <= MaxTableRows
            ? n
            : throw new CliInputException(string.Create(CultureInfo.InvariantCulture, $"{CommonOptions.DisplayName(kappaPath)}: holds {n:N0} kappas; one table of 4 columns holds at most {MaxTableRows:N0}. Split the file."));

    /// <summary>Reads the kappas, evaluates all four functions with the batch kernel and writes the n x 4 table; returns n.</summary>
    private static int WriteTable(int dimension, string kappaPath, string outPath)
    {
        var outputs = new OutputFiles(kappaPath);
        outputs.Plan("--out", outPath);
        double[] kappas = CommonOptions.ReadDoubles(kappaPath);
        int n = CheckTableRows(kappas.Length, kappaPath);
        var logI = new double[n];
        var logC = new double[n];
        var ratio = new double[n];
        var entropy = new double[n];
        try
        {
            VonMisesFisher.Evaluate(dimension, kappas, logI, logC, ratio, entropy);
        }
        catch (ArgumentOutOfRangeException e) when (e.ParamName == "kappa")
        {
            throw new CliInputException($"{kappaPath}: {e.Message.Split(" (Parameter")[0]}");
        }

        var table = new double[n * 4];
        for (int i = 0; i < n; i++)
        {
            table[(4 * i) + 0] = logI[i];
            table[(4 * i) + 1] = logC[i];
            table[(4 * i) + 2] = ratio[i];
            table[(4 * i) + 3] = entropy[i];
        }

        outputs.Set("--out", stream => NpyFile.Write(stream, table, [n, 4]));
        outputs.Commit();
        return n;
    }
}
