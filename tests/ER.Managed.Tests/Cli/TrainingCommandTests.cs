using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using ER.Managed.Estimation;
using ER.Managed.Npy;

namespace ER.Managed.Tests.Cli;

/// <summary>
/// The command line for training: <c>er loss</c> (the whole objective over two views or more),
/// <c>er entropy --estimator joe-loo --grad</c>, <c>er kappa</c> on uniform samples (kappa = 0 and
/// its boundary), <c>er lognorm --kappa 0</c>. In process; the process tests run <c>er loss</c> as a program.
/// </summary>
public sealed class TrainingCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("er-training-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string PathOf(string name) => Path.Combine(_folder, name);

    private string Write(string name, float[] data, int rows, int columns)
    {
        string path = PathOf(name);
        NpyFile.Write(path, data, [rows, columns]);
        return path;
    }

    [Theory]
    [InlineData("sphere", "plugin")]
    [InlineData("sphere", "joe")]
    [InlineData("sphere", "joe-loo")]
    [InlineData("discrete", "plugin")]
    [InlineData("discrete", "joe")]
    public void Loss_with_two_views_prints_the_two_view_ErLoss_result_and_writes_its_gradients(string support, string estimator)
    {
        const int k = 24, d = 7;
        float[] x1 = TestData.Normal(k * d, seed: 61), x2 = TestData.Normal(k * d, seed: 62);
        string a = Write("a.npy", x1, k, d), b = Write("b.npy", x2, k, d);
        bool sphere = support == "sphere";
        string[] settings = sphere
            ? ["--kappa", "7", "--estimator", estimator, "--entropy-weight", "0.5", "--reconstruction-weight", "2"]
            : ["--support", "discrete", "--estimator", estimator, "--temperature", "0.6", "--entropy-weight", "0.5", "--reconstruction-weight", "2"];
        (int code, string stdout, string stderr) = CliRunner.Run(["loss", a, b, "--json", "--grad-prefix", PathOf("g"), .. settings]);
        Assert.True(code == 0, stderr);

        var loss = new ErLoss(sphere ? Support.Sphere : Support.Discrete, k, d)
        {
            Kappa = 7,
            Temperature = 0.6,
            EntropyWeight = 0.5,
            ReconstructionWeight = 2,
            Reduction = estimator switch { "joe" => EntropyReduction.Average, "joe-loo" => EntropyReduction.LeaveOneOut, _ => EntropyReduction.Expectation },
        };
        var g1 = new float[k * d];
        var g2 = new float[k * d];
        ErLossResult want = loss.Compute(x1, x2, g1, g2);

        // The documented keys, each the library's value to the last bit (JSON numbers round-trip).
        using JsonDocument json = JsonDocument.Parse(stdout);
        Assert.Equal(["loss", "entropy", "reconstruction", "grad_kappa"], json.RootElement.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal(want.Loss, json.RootElement.GetProperty("loss").GetDouble());
        Assert.Equal(want.Entropy, json.RootElement.GetProperty("entropy").GetDouble());
        Assert.Equal(want.Reconstruction, json.RootElement.GetProperty("reconstruction").GetDouble());
        Assert.Equal(want.KappaGradient, json.RootElement.GetProperty("grad_kappa").GetDouble());
        Assert.Equal(g1, NpyFile.Read(PathOf("g1.npy")).ToSingleArray());
        Assert.Equal(g2, NpyFile.Read(PathOf("g2.npy")).ToSingleArray());
        Assert.False(File.Exists(PathOf("g3.npy")));
    }

    [Fact]
    public void Loss_over_three_views_with_one_global_matches_the_library_and_prints_a_line_of_text()
    {
        const int k = 10, d = 4;
        float[][] views = [TestData.Normal(k * d, seed: 71), TestData.Normal(k * d, seed: 72), TestData.Normal(k * d, seed: 73)];
        string[] paths = views.Select((v, i) => Write($"v{i}.npy", v, k, d)).ToArray();
        (int code, string stdout, string stderr) = CliRunner.Run(["loss", .. paths, "--global", "1", "--entropy-of", "global", "--estimator", "joe-loo", "--json"]);
        Assert.True(code == 0, stderr);
        var loss = new ErLoss(Support.Sphere, k, d, views: 3) { GlobalViews = 1, EntropyOf = EntropyView.Global, Reduction = EntropyReduction.LeaveOneOut };
        float[] stacked = [.. views[0], .. views[1], .. views[2]];
        ErLossResult want = loss.Compute(stacked, new float[stacked.Length]);
        using JsonDocument json = JsonDocument.Parse(stdout);
        Assert.Equal(want.Loss, json.RootElement.GetProperty("loss").GetDouble());

        (code, stdout, stderr) = CliRunner.Run(["loss", .. paths]);
        Assert.True(code == 0, stderr);
        Assert.StartsWith("loss = ", stdout, StringComparison.Ordinal);
        Assert.Contains("3 views, 3 global", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2, "two views or more", "loss", "a.npy")]
    [InlineData(2, "--global must lie in [1, 2]", "loss", "a.npy", "b.npy", "--global", "3")]
    [InlineData(2, "joe-loo is a sphere estimator", "loss", "a.npy", "b.npy", "--support", "discrete", "--estimator", "joe-loo")]
    [InlineData(2, "--temperature applies to the discrete support only", "loss", "a.npy", "b.npy", "--temperature", "2")]
    [InlineData(2, "--kappa applies to the sphere support only", "loss", "a.npy", "b.npy", "--support", "discrete", "--kappa", "3")]
    [InlineData(2, "is the input file", "loss", "g1.npy", "b.npy", "--grad-prefix", "g")]
    [InlineData(2, "standard input (-) can be read once", "loss", "-", "-")]
    [InlineData(2, "--entropy-weight expects a finite number", "loss", "a.npy", "b.npy", "--entropy-weight", "inf")]
    [InlineData(2, "--temperature must be at least about 2.9e-39", "loss", "a.npy", "b.npy", "--support", "discrete", "--temperature", "1e-45")]
    [InlineData(1, "every view must have the same shape", "loss", "a.npy", "narrow.npy")]
    [InlineData(2, "--reconstruction-weight expects a finite number within float32's range", "loss", "a.npy", "b.npy", "--reconstruction-weight", "-3.402823466385289e38")]
    [InlineData(1, "nan.npy: row 1, column 2 holds NaN", "loss", "a.npy", "nan.npy")]
    [InlineData(1, "first.npy: row 0, column 0 holds -Infinity", "loss", "first.npy", "b.npy")]
    [InlineData(1, "not finite at kappa = 0", "loss", "a.npy", "b.npy", "--kappa", "0", "--normalizer", "reference")]
    public void Loss_errors_are_one_line_with_the_documented_exit_code(int exit, string text, params string[] args)
    {
        Write("a.npy", TestData.Normal(12, seed: 1), 4, 3);
        Write("b.npy", TestData.Normal(12, seed: 2), 4, 3);
        Write("g1.npy", TestData.Normal(12, seed: 5), 4, 3);
        Write("narrow.npy", TestData.Normal(8, seed: 3), 4, 2);
        float[] nan = TestData.Normal(12, seed: 4);
        nan[5] = float.NaN;
        Write("nan.npy", nan, 4, 3);
        float[] first = TestData.Normal(12, seed: 6);
        first[0] = float.NegativeInfinity;
        Write("first.npy", first, 4, 3);
        byte[] input = File.ReadAllBytes(PathOf("g1.npy"));
        string[] resolved = args.Select(a => a.EndsWith(".npy", StringComparison.Ordinal) || a == "g" ? PathOf(a) : a).ToArray();
        (int code, _, string stderr) = CliRunner.Run(resolved);
        Assert.Equal(exit, code);
        Assert.Contains(text, stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Equal(input, File.ReadAllBytes(PathOf("g1.npy")));
        Assert.False(File.Exists(PathOf("g2.npy")));
    }

    [Fact]
    public void Views_that_stacked_would_pass_one_array_are_an_input_error_before_the_others_are_read()
    {
        // 2048 views of 2^20 values are 2^31, past Array.MaxLength (2^31 - 57): refused after the first
        // view, so the test reads 4 MiB, not 8 GiB.
        const int columns = 1 << 20;
        string view = Write("wide.npy", TestData.Normal(columns, seed: 7), 1, columns);
        (int code, string stdout, string stderr) = CliRunner.Run(["loss", .. Enumerable.Repeat(view, 2048)]);
        Assert.Equal(1, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Equal($"er: 2048 views of 1 x {columns} are more than one array of this program can hold ({Array.MaxLength} elements).", stderr.TrimEnd('\n'));
    }

    [Theory]
    [InlineData("--entropy-weight", 1.0)]
    [InlineData("--entropy-weight", -1.0)]
    [InlineData("--reconstruction-weight", 1.0)]
    [InlineData("--reconstruction-weight", -1.0)]
    public void Loss_weights_reach_float32s_largest_value_and_stop_there(string option, double sign)
    {
        // float.MaxValue is the last weight the parser takes (the gradients are float32); the next
        // double above it is refused as a usage error. The largest weight reaches the library, whose
        // gradient then overflows float32 on these views (entries of order 1): its one-line error, exit 1.
        Write("a.npy", TestData.Normal(12, seed: 1), 4, 3);
        Write("b.npy", TestData.Normal(12, seed: 2), 4, 3);
        double largest = sign * float.MaxValue;
        double beyond = Math.BitIncrement(float.MaxValue) * sign;
        (int code, string stdout, string stderr) = CliRunner.Run("loss", PathOf("a.npy"), PathOf("b.npy"), option, largest.ToString("R", CultureInfo.InvariantCulture));
        Assert.Equal(1, code);
        Assert.Equal(string.Empty, stdout);
        string weight = largest.ToString("R", CultureInfo.InvariantCulture);
        string weights = option == "--entropy-weight" ? $"reconstruction weight 1, entropy weight {weight}" : $"reconstruction weight {weight}, entropy weight 1";
        Assert.StartsWith("er: The loss's gradient with respect to view ", stderr, StringComparison.Ordinal);
        Assert.EndsWith($" overflows float32 ({weights}): scale the weights down.", stderr.TrimEnd('\n'), StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        (code, _, stderr) = CliRunner.Run("loss", PathOf("a.npy"), PathOf("b.npy"), option, beyond.ToString("R", CultureInfo.InvariantCulture));
        Assert.Equal(2, code);
        Assert.Contains($"{option} expects a finite number within float32's range", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Entropy_with_the_leave_one_out_estimator_writes_its_gradient()
    {
        const int k = 40, d = 6;
        float[] z = TestData.UnitRows(k, d, seed: 81);
        string path = Write("z.npy", z, k, d);
        (int code, string stdout, string stderr) = CliRunner.Run("entropy", path, "--estimator", "joe-loo", "--kappa", "12", "--grad", PathOf("g.npy"), "--json");
        Assert.True(code == 0, stderr);
        TermGradients want = Entropy.SphereWithGradient(z, k, d, 12, EntropyReduction.LeaveOneOut);
        using JsonDocument json = JsonDocument.Parse(stdout);
        Assert.Equal(want.Value, json.RootElement.GetProperty("value").GetDouble());
        Assert.Equal(want.KappaGradient, json.RootElement.GetProperty("grad_kappa").GetDouble());
        Assert.Equal(want.Gradient, NpyFile.Read(PathOf("g.npy")).ToSingleArray());

        (code, _, stderr) = CliRunner.Run("entropy", path, "--estimator", "knn", "--grad", PathOf("h.npy"));
        Assert.Equal(2, code);
        Assert.Contains("kNN estimate has no gradient", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Kappa_on_uniform_samples_exits_0_and_reports_the_boundary()
    {
        // Uniform samples whose leave-one-out likelihood is largest as kappa -> 0 (seed 3, see UniformLimitTests).
        const int n = 512, d = 128;
        var z = new float[n * d];
        new SphereSampler(3).Uniform(n, d, z);
        string path = Write("u.npy", z, n, d);
        (int code, string stdout, string stderr) = CliRunner.Run("kappa", path, "--json");
        Assert.True(code == 0, stderr);
        using (JsonDocument json = JsonDocument.Parse(stdout))
        {
            Assert.Equal(["kappa", "log_likelihood", "method", "iterations", "boundary"], json.RootElement.EnumerateObject().Select(p => p.Name).ToArray());
            Assert.Equal(0.0, json.RootElement.GetProperty("kappa").GetDouble());
            Assert.Equal("uniform", json.RootElement.GetProperty("boundary").GetString());
        }

        (code, stdout, _) = CliRunner.Run("kappa", path);
        Assert.Equal(0, code);
        Assert.StartsWith("kappa = 0 (loo;", stdout, StringComparison.Ordinal);
        Assert.Contains("boundary: uniform", stdout, StringComparison.Ordinal);

        // A concentrated sample: an interior maximum, boundary none.
        var sampler = new SphereSampler(5);
        var mean = new float[8];
        sampler.Uniform(1, 8, mean);
        var c = new float[300 * 8];
        sampler.VonMisesFisher(mean, 30, 300, c);
        (code, stdout, _) = CliRunner.Run("kappa", Write("c.npy", c, 300, 8), "--json");
        Assert.Equal(0, code);
        using (JsonDocument json = JsonDocument.Parse(stdout))
        {
            Assert.Equal("none", json.RootElement.GetProperty("boundary").GetString());
            Assert.True(json.RootElement.GetProperty("kappa").GetDouble() > 0);
        }
    }

    [Theory]
    [InlineData("loo")]
    [InlineData("rule-of-thumb")]
    public void Kappa_on_a_collapsed_batch_exits_0_with_the_concentrated_boundary(string method)
    {
        // Every row the same unit vector, as a batch that training collapsed: valid input, no error.
        const int n = 64, d = 8;
        var z = new float[n * d];
        for (int i = 0; i < n; i++)
        {
            z[(i * d) + 3] = 1f;
        }

        (int code, string stdout, string stderr) = CliRunner.Run("kappa", Write("same.npy", z, n, d), "--method", method, "--json");
        Assert.True(code == 0, stderr);
        using JsonDocument json = JsonDocument.Parse(stdout);
        Assert.Equal(KappaSelection.MaxKappa, json.RootElement.GetProperty("kappa").GetDouble());
        Assert.Equal("concentrated", json.RootElement.GetProperty("boundary").GetString());
        Assert.True(double.IsFinite(json.RootElement.GetProperty("log_likelihood").GetDouble()), stdout);
    }

    [Fact]
    public void Lognorm_takes_kappa_zero()
    {
        (int code, string stdout, string stderr) = CliRunner.Run("lognorm", "--dim", "3", "--kappa", "0", "--json");
        Assert.True(code == 0, stderr);
        using JsonDocument json = JsonDocument.Parse(stdout);
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("log_bessel_i").ValueKind);
        Assert.Equal(-Math.Log(4 * Math.PI), json.RootElement.GetProperty("log_normalizer").GetDouble(), 14);
        Assert.Equal(0.0, json.RootElement.GetProperty("bessel_ratio").GetDouble());
        Assert.Equal(Math.Log(4 * Math.PI), json.RootElement.GetProperty("vmf_entropy").GetDouble(), 14);

        (code, stdout, _) = CliRunner.Run("lognorm", "--dim", "2", "--kappa", "0");
        Assert.Equal(0, code);
        Assert.Contains("log I_nu(kappa)  = 0", stdout, StringComparison.Ordinal);
        Assert.Contains("A_d(kappa)       = 0", stdout, StringComparison.Ordinal);
        (code, stdout, _) = CliRunner.Run("lognorm", "--dim", "5", "--kappa", "0");
        Assert.Equal(0, code);
        Assert.Contains("log I_nu(kappa)  = -Infinity", stdout, StringComparison.Ordinal);

        (code, _, string error) = CliRunner.Run("lognorm", "--dim", "5", "--kappa", "-1");
        Assert.Equal(2, code);
        Assert.Contains("at least 0", error, StringComparison.Ordinal);
    }
}
