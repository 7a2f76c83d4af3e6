using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using ER.Managed.Npy;

namespace ER.Managed.Tests.Cli;

/// <summary><c>er lognorm --kappa-file K.npy --out OUT.npy</c> and <c>er bench lognorm</c>.</summary>
public sealed class LogNormCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("er-lognorm-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string PathOf(string name) => Path.Combine(_folder, name);

    /// <summary>
    /// The n x 4 table is one array of doubles: a kappa file of more than Array.MaxLength / 4 values
    /// (536,870,897) is an input error naming the file, not an int product that overflows (a file
    /// that large, 4 GiB of doubles, is too large to write here, so the check is called as the command calls it).
    /// </summary>
    [Fact]
    public void A_kappa_file_too_long_for_one_table_is_an_input_error_naming_it()
    {
        Assert.Equal(536_870_897, ER.Managed.Cli.Commands.LogNormCommand.MaxTableRows);
        Assert.Equal(536_870_897, ER.Managed.Cli.Commands.LogNormCommand.CheckTableRows(536_870_897, "k.npy"));
        var e = Assert.Throws<ER.Managed.Cli.CliInputException>(() => ER.Managed.Cli.Commands.LogNormCommand.CheckTableRows(536_870_898, "k.npy"));
        Assert.Equal("k.npy: holds 536,870,898 kappas; one table of 4 columns holds at most 536,870,897. Split the file.", e.Message);
        e = Assert.Throws<ER.Managed.Cli.CliInputException>(() => ER.Managed.Cli.Commands.LogNormCommand.CheckTableRows(int.MaxValue, "-"));
        Assert.StartsWith("standard input: holds 2,147,483,647 kappas", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(3, false)]
    [InlineData(128, true)]
    [InlineData(1, false)]
    public void Kappa_file_gives_an_n_by_4_float64_table_equal_to_the_scalar_api(int d, bool float32Input)
    {
        double[] kappa = [.. Kernels.VmfNormalizerKernelTests.BoundaryKappas(d, 3).Where(k => !float32Input || (k > 1e-38 && k < 1e38))];
        string input = PathOf("k.npy");
        if (float32Input)
        {
            float[] narrow = [.. kappa.Select(k => (float)k)];
            kappa = [.. narrow.Select(k => (double)k)];
            NpyFile.Write(input, narrow, [narrow.Length]);
        }
        else
        {
            NpyFile.Write(input, kappa, [kappa.Length, 1]);
        }

        string output = PathOf("out.npy");
        (int code, string stdout, string stderr) = CliRunner.Run("lognorm", "--dim", d.ToString(CultureInfo.InvariantCulture), "--kappa-file", input, "--out", output);
        Assert.True(code == 0, stderr);
        Assert.Contains($"{kappa.Length} x 4", stdout, StringComparison.Ordinal);

        NpyArray table = NpyFile.Read(output);
        Assert.Equal(NpyDataType.Float64, table.DataType);
        Assert.Equal([kappa.Length, 4], table.Shape);
        double[] values = table.ToDoubleArray();
        for (int i = 0; i < kappa.Length; i++)
        {
            Assert.Equal(VonMisesFisher.LogBesselI((0.5 * d) - 1.0, kappa[i]), values[(4 * i) + 0]);
            Assert.Equal(VonMisesFisher.LogNormalizer(d, kappa[i]), values[(4 * i) + 1]);
            Assert.Equal(VonMisesFisher.BesselRatio(d, kappa[i]), values[(4 * i) + 2]);
            Assert.Equal(VonMisesFisher.Entropy(d, kappa[i]), values[(4 * i) + 3]);
        }

        (code, stdout, _) = CliRunner.Run("lognorm", "--dim", "5", "--kappa-file", input, "--out", output, "--json");
        Assert.Equal(0, code);
        using JsonDocument json = JsonDocument.Parse(stdout);
        Assert.Equal(kappa.Length, json.RootElement.GetProperty("count").GetInt32());
        Assert.Equal(["log_bessel_i", "log_normalizer", "bessel_ratio", "vmf_entropy"], json.RootElement.GetProperty("columns").EnumerateArray().Select(c => c.GetString()!).ToArray());
        Assert.Equal(output, json.RootElement.GetProperty("out").GetString());
        Assert.Contains("(columns: log_bessel_i, log_normalizer, bessel_ratio, vmf_entropy)", CliRunner.Run("lognorm", "--dim", "5", "--kappa-file", input, "--out", output).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_kappa_in_the_file_names_the_file_and_the_index_and_writes_nothing()
    {
        string input = PathOf("bad.npy");
        NpyFile.Write(input, new double[] { 1.0, 2.0, -3.0 }, [3]);
        string output = PathOf("out.npy");
        (int code, _, string stderr) = CliRunner.Run("lognorm", "--dim", "3", "--kappa-file", input, "--out", output);
        Assert.Equal(1, code);
        Assert.Contains("bad.npy", stderr, StringComparison.Ordinal);
        Assert.Contains("kappa[2]", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.False(File.Exists(output));
    }

    [Theory]
    [InlineData("--kappa and --kappa-file exclude each other", "--kappa-file", "K", "--kappa", "3")]
    [InlineData("--kappa and --kappa-file exclude each other", "--kappa-file", "K", "--kappa", "3", "--out", "O")]
    [InlineData("--kappa-file needs --out FILE", "--kappa-file", "K")]
    [InlineData("--out is for --kappa-file", "--kappa", "3", "--out", "O")]
    [InlineData("is the input file", "--kappa-file", "K", "--out", "K")]
    public void Contradictory_or_incomplete_options_are_usage_errors(string expected, params string[] options)
    {
        string input = PathOf("k.npy");
        NpyFile.Write(input, new double[] { 1.0 }, [1]);
        string[] args = [.. new[] { "lognorm", "--dim", "3" }.Concat(options.Select(o => o switch { "K" => input, "O" => PathOf("o.npy"), _ => o }))];
        (int code, _, string stderr) = CliRunner.Run(args);
        Assert.Equal(2, code);
        Assert.StartsWith("er: ", stderr, StringComparison.Ordinal);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Equal(1.0, NpyFile.Read(input).ToDoubleArray()[0]);
        Assert.False(File.Exists(PathOf("o.npy")));
    }

    [Theory]
    [InlineData(5, "2", "1.5")]
    [InlineData(2, "0.25", "0")]
    [InlineData(1, "3", "-0.5")]
    public void One_kappa_prints_d_kappa_and_nu_then_the_four_functions(int d, string kappa, string nu)
    {
        // nu = d/2 - 1 is the Bessel order that log I_nu(kappa) is taken at; the first line states it.
        (int code, string stdout, string stderr) = CliRunner.Run("lognorm", "--dim", d.ToString(CultureInfo.InvariantCulture), "--kappa", kappa);
        Assert.True(code == 0, stderr);
        string[] lines = stdout.TrimEnd().Split('\n');
        double k = double.Parse(kappa, CultureInfo.InvariantCulture);
        Assert.Equal($"d = {d}, kappa = {kappa}, nu = {nu}", lines[0]);
        Assert.Equal($"log I_nu(kappa)  = {VonMisesFisher.LogBesselI((0.5 * d) - 1.0, k).ToString("R", CultureInfo.InvariantCulture)}", lines[1]);
        Assert.Equal($"log C_d(kappa)   = {VonMisesFisher.LogNormalizer(d, k).ToString("R", CultureInfo.InvariantCulture)}", lines[2]);
        Assert.Equal($"A_d(kappa)       = {VonMisesFisher.BesselRatio(d, k).ToString("R", CultureInfo.InvariantCulture)}", lines[3]);
        Assert.Equal($"vMF entropy      = {VonMisesFisher.Entropy(d, k).ToString("R", CultureInfo.InvariantCulture)} nats", lines[4]);
        Assert.Equal(5, lines.Length);
    }

    [Fact]
    public void Bench_lognorm_reports_the_batch_and_the_scalar_loop()
    {
        (int code, string stdout, string stderr) = CliRunner.Run("bench", "lognorm", "2000", "64", "--reps", "1", "--json");
        Assert.True(code == 0, stderr);
        using JsonDocument json = JsonDocument.Parse(stdout);
        Assert.Equal("lognorm", json.RootElement.GetProperty("case").GetString());
        Assert.Equal(2000, json.RootElement.GetProperty("k").GetInt32());
        Assert.True(json.RootElement.GetProperty("forward_ms").GetDouble() > 0);
        Assert.True(json.RootElement.GetProperty("scalar_ms").GetDouble() > 0);
        Assert.Equal(1, json.RootElement.GetProperty("threads")[0].GetInt32());
    }
}

/// <summary>Messages in the CLI's own words and usage errors.</summary>
public sealed class CliWordingTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("er-words-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Raw(string name)
    {
        string path = Path.Combine(_folder, name);
        NpyFile.Write(path, TestData.Normal(32, seed: 3), [8, 4]);
        return path;
    }

    [Theory]
    [InlineData("entropy")]
    [InlineData("reconstruction")]
    public void Rows_that_are_not_unit_point_at_normalize_and_name_the_file(string command)
    {
        string raw = Raw("raw.npy");
        string[] args = command == "entropy" ? ["entropy", raw] : ["reconstruction", raw, raw];
        (int code, _, string stderr) = CliRunner.Run(args);
        Assert.Equal(1, code);
        Assert.Contains("raw.npy", stderr, StringComparison.Ordinal);
        Assert.Contains("--normalize", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("RowOps", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("z:", stderr, StringComparison.Ordinal);

        (code, _, stderr) = CliRunner.Run("entropy", raw, "--support", "discrete");
        Assert.Equal(1, code);
        Assert.StartsWith($"er: {raw}: ", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("entropy X --support Sphere", "'sphere', 'discrete'")]
    [InlineData("entropy X --reduction x", "'expectation', 'average'")]
    [InlineData("entropy X --grad-dtype f2", "'f4', 'f8'")]
    [InlineData("bench nope 5 5", "'gram', 'entropy_sphere'")]
    [InlineData("train-demo --support x", "'sphere', 'discrete'")]
    public void A_bad_choice_lists_the_choices_and_is_a_usage_error(string line, string listed)
    {
        string[] args = [.. line.Split(' ').Select(a => a == "X" ? Raw("x.npy") : a)];
        (int code, _, string stderr) = CliRunner.Run(args);
        Assert.Equal(2, code);
        Assert.Contains(listed, stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Trim().Split('\n'));
    }

    [Theory]
    [InlineData("bench gram 0 10")]
    [InlineData("bench gram 10 -1")]
    [InlineData("lognorm --dim 0")]
    [InlineData("entropy X --support discrete --kappa 3")]
    [InlineData("reconstruction X X --support discrete --kappa 3")]
    public void Bad_option_values_and_unused_options_are_usage_errors(string line)
    {
        string[] args = [.. line.Split(' ').Select(a => a == "X" ? Raw("x.npy") : a)];
        (int code, _, string stderr) = CliRunner.Run(args);
        Assert.Equal(2, code);
        Assert.StartsWith("er: ", stderr, StringComparison.Ordinal);
    }

    public static TheoryData<string> Commands() => ["", "demo", "entropy", "reconstruction", "loss", "lognorm", "kappa", "train-demo", "bench", "info", "estimators"];

    [Theory]
    [MemberData(nameof(Commands))]
    public void Help_fits_80_columns_states_defaults_once_and_er_help_is_the_same(string command)
    {
        string[] args = command.Length == 0 ? ["--help"] : [command, "--help"];
        (int code, string help, _) = CliRunner.Run(args);
        Assert.Equal(0, code);
        foreach (string line in help.Split('\n'))
        {
            Assert.True(line.TrimEnd().Length <= ER.Managed.Cli.Cli.HelpWidth, $"{line.TrimEnd().Length} columns: {line}");
        }

        // System.CommandLine prints "[default: X]"; descriptions must not say it again.
        Assert.DoesNotContain("Default ", help, StringComparison.Ordinal);
        Assert.DoesNotContain("(default", help, StringComparison.Ordinal);

        string[] viaHelp = command.Length == 0 ? ["help"] : ["help", command];
        (code, string same, _) = CliRunner.Run(viaHelp);
        Assert.Equal(0, code);
        Assert.Equal(help, same);
    }

    [Fact]
    public void Placeholders_say_what_goes_there()
    {
        (_, string help, _) = CliRunner.Run("entropy", "--help");
        Assert.Contains("--grad <FILE>", help, StringComparison.Ordinal);
        Assert.Contains("--kappa <KAPPA>", help, StringComparison.Ordinal);
        Assert.Contains("float64 rounded to float32", help, StringComparison.Ordinal);
        (_, help, _) = CliRunner.Run("lognorm", "--help");
        Assert.Contains("--dim <D>", help, StringComparison.Ordinal);
        Assert.Contains("--kappa-file <FILE>", help, StringComparison.Ordinal);
    }
}
