using System.IO;
using System.Text.Json;
using ER.Managed.Npy;

namespace ER.Managed.Tests.Cli;

public sealed class CommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("er-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static double JsonNumber(string stdout, string name)
    {
        using JsonDocument document = JsonDocument.Parse(stdout);
        return document.RootElement.GetProperty(name).GetDouble();
    }

    [Theory]
    [InlineData("entropy_sphere_expectation_exact_k64_d16_kappa10.0", "sphere", "expectation", "exact")]
    [InlineData("entropy_sphere_average_reference_k257_d33_kappa0.5", "sphere", "average", "reference")]
    [InlineData("entropy_discrete_average_k64_d100_t30", "discrete", "average", "exact")]
    public void Entropy_json_is_the_library_value_in_round_trip_precision(string id, string support, string reduction, string normalizer)
    {
        GoldenCase c = GoldenCase.Load(id);
        string path = GoldenData.PathOf(GoldenData.Case(id).GetProperty("inputs")[0].GetString()!);
        string kappa = c.Kappa.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string[] args = support == "sphere"
            ? ["entropy", path, "--support", support, "--reduction", reduction, "--kappa", kappa, "--normalizer", normalizer, "--json"]
            : ["entropy", path, "--support", support, "--reduction", reduction, "--json"]; // --kappa is refused there
        (int code, string stdout, string stderr) = CliRunner.Run(args);
        Assert.True(code == 0, stderr);
        double got = JsonNumber(stdout, "value");
        double library = support == "sphere"
            ? Entropy.Sphere(c.A.Data, c.A.Rows, c.A.Columns, c.Kappa, c.Reduction, c.Normalizer)
            : Entropy.Discrete(c.A.Data, c.A.Rows, c.A.Columns, c.Reduction);
        Assert.Equal(library, got);
        GoldenTermTests.AssertValue(c.Value, got, id);
    }

    [Fact]
    public void Reconstruction_json_and_text_output()
    {
        GoldenCase c = GoldenCase.Load("reconstruction_sphere_exact_k100_d128_kappa10.0");
        string a = GoldenData.PathOf("rec_sphere_a_k100_d128.npy"), b = GoldenData.PathOf("rec_sphere_b_k100_d128.npy");
        (int code, string stdout, _) = CliRunner.Run("reconstruction", a, b, "--json");
        Assert.Equal(0, code);
        GoldenTermTests.AssertValue(c.Value, JsonNumber(stdout, "value"), c.Id);

        (code, stdout, _) = CliRunner.Run("reconstruction", GoldenData.PathOf("rec_discrete_a_k64_d16.npy"), GoldenData.PathOf("rec_discrete_b_k64_d16.npy"), "--support", "discrete");
        Assert.Equal(0, code);
        Assert.StartsWith("reconstruction = ", stdout, StringComparison.Ordinal);
        Assert.Contains("discrete", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Lognorm_json_matches_the_golden_table()
    {
        LogNormRow row = GoldenData.Row(150);
        (int code, string stdout, _) = CliRunner.Run("lognorm", "--dim", row.D.ToString(System.Globalization.CultureInfo.InvariantCulture), "--kappa", row.Kappa.ToString("R", System.Globalization.CultureInfo.InvariantCulture), "--json");
        Assert.Equal(0, code);
        Assert.Equal(VonMisesFisher.LogNormalizer(row.D, row.Kappa), JsonNumber(stdout, "log_normalizer"));
        Assert.Equal(VonMisesFisher.BesselRatio(row.D, row.Kappa), JsonNumber(stdout, "bessel_ratio"));
        Assert.Equal(VonMisesFisher.Entropy(row.D, row.Kappa), JsonNumber(stdout, "vmf_entropy"));
        Assert.Equal(VonMisesFisher.LogBesselI(row.Nu, row.Kappa), JsonNumber(stdout, "log_bessel_i"));

        (code, stdout, _) = CliRunner.Run("lognorm", "--dim", "1000", "--kappa", "10");
        Assert.Equal(0, code);
        Assert.Contains("log C_d(kappa)   = 2032.00", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(64)]
    [InlineData(128)]
    [InlineData(1000)]
    public void Lognorm_gives_finite_outputs_at_both_ends_of_the_double_range(int d)
    {
        foreach (string kappa in new[] { "5e-324", "1e-300", "17.9", "2.86e307", "1.7976931348623157e308" })
        {
            (int code, string stdout, string stderr) = CliRunner.Run("lognorm", "--dim", d.ToString(System.Globalization.CultureInfo.InvariantCulture), "--kappa", kappa, "--json");
            Assert.True(code == 0, $"d={d} kappa={kappa}: exit {code}, {stderr}");
            foreach (string key in new[] { "log_bessel_i", "log_normalizer", "bessel_ratio", "vmf_entropy" })
            {
                Assert.True(double.IsFinite(JsonNumber(stdout, key)), $"d={d} kappa={kappa}: {key} in {stdout}");
            }

            double ratio = JsonNumber(stdout, "bessel_ratio");
            Assert.InRange(ratio, 0.0, 1.0);
            if (d == 1)
            {
                Assert.True(JsonNumber(stdout, "vmf_entropy") >= 0.0, $"d = 1 entropy at kappa {kappa}: {stdout}");
            }
        }
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("entropy")]
    [InlineData("entropy z.npy --kappa abc")]
    [InlineData("entropy z.npy --kappa -1")]
    [InlineData("entropy z.npy --kappa NaN")]
    [InlineData("entropy z.npy --support cube")]
    [InlineData("lognorm --kappa 1")]
    [InlineData("lognorm --dim 0")]
    [InlineData("demo --seed x")]
    public void Usage_errors_exit_2_with_one_line(string commandLine)
    {
        (int code, string stdout, string stderr) = CliRunner.Run(commandLine.Split(' '));
        Assert.Equal(2, code);
        Assert.Equal(string.Empty, stdout);
        Assert.StartsWith("er: ", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd().Split('\n'));
    }

    [Fact]
    public void Input_errors_exit_1_with_one_line_naming_the_problem()
    {
        string missing = Path.Combine(_folder, "missing.npy");
        string garbage = Path.Combine(_folder, "garbage.npy");
        File.WriteAllText(garbage, "not a numpy file at all");
        string raw = Path.Combine(_folder, "raw.npy");
        NpyFile.Write(raw, new float[] { 3, 4, 1, 1 }, [2, 2]);
        string small = Path.Combine(_folder, "small.npy");
        NpyFile.Write(small, new float[] { 1, 0 }, [1, 2]);

        foreach ((string[] args, string expected) in new (string[], string)[]
        {
            (["entropy", missing], "no such file"),
            (["entropy", garbage], "Not a .npy file"),
            (["entropy", raw], "unit rows"),
            (["entropy", raw, "--support", "discrete"], "probability rows"),
            (["reconstruction", raw, small], "same shape"),
            (["entropy", small, "--kappa", "1000", "--normalizer", "reference"], "overflows"),
        })
        {
            (int code, string stdout, string stderr) = CliRunner.Run(args);
            Assert.True(code == 1, $"{string.Join(' ', args)}: exit {code}, {stderr}");
            Assert.Equal(string.Empty, stdout);
            Assert.StartsWith("er: ", stderr, StringComparison.Ordinal);
            Assert.Contains(expected, stderr, StringComparison.Ordinal);
            Assert.Single(stderr.TrimEnd().Split('\n'));
        }
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("demo --help")]
    [InlineData("entropy --help")]
    [InlineData("reconstruction --help")]
    [InlineData("lognorm --help")]
    public void Help_is_available_everywhere(string commandLine)
    {
        (int code, string stdout, _) = CliRunner.Run(commandLine.Split(' '));
        Assert.Equal(0, code);
        Assert.Contains("Usage:", stdout, StringComparison.Ordinal);
    }
}
