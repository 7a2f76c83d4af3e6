using ER.Managed.Kernels.VmfNormalizer;
using System.IO;
using System.Linq;
using System.Text.Json;
using ER.Managed.Estimation;
using ER.Managed.Npy;
using ER.Managed.Numerics;
using ER.Managed.Tests.Cli;

namespace ER.Managed.Tests.Hardening;

/// <summary>
/// Inputs that the library and the CLI accept but once answered wrongly, or refused unclearly: each
/// test reproduces one such case and asserts an accurate result or a clear refusal.
/// </summary>
public sealed class HostileInputTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("er-hostile-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>A row, one neighbour at 1e-3 rad with norm^2 = 1 - 0.00099, twelve at 2e-3 rad with norm^2 = 1 + 0.00099, and far rows.</summary>
    private static float[] NearNeighboursOfUnequalNorms(out int rows)
    {
        var list = new System.Collections.Generic.List<double[]> { new[] { 1.0, 0, 0 } };
        double shrink = Math.Sqrt(1 - 0.00099), grow = Math.Sqrt(1 + 0.00099);
        list.Add(new[] { Math.Cos(1e-3) * shrink, Math.Sin(1e-3) * shrink, 0 });
        for (int j = 0; j < 12; j++)
        {
            double phi = 2 * Math.PI * (j + 0.5) / 12;
            list.Add(new[] { Math.Cos(2e-3) * grow, Math.Sin(2e-3) * Math.Cos(phi) * grow, Math.Sin(2e-3) * Math.Sin(phi) * grow });
        }

        var random = new Random(5);
        for (int j = 0; j < 30; j++)
        {
            double[] v = [random.NextDouble() - 0.5, random.NextDouble() - 0.5, random.NextDouble() - 1.5];
            double n = Math.Sqrt(v.Sum(x => x * x));
            list.Add(v.Select(x => x / n).ToArray());
        }

        rows = list.Count;
        return list.SelectMany(r => r.Select(x => (float)x)).ToArray();
    }

    /// <summary>The kNN estimate in double by brute force: chords of the rows normalized in double.</summary>
    private static double KnnReference(float[] z, int n, int d, int m)
    {
        double[][] unit = Enumerable.Range(0, n).Select(i =>
        {
            double[] row = Enumerable.Range(0, d).Select(t => (double)z[(i * d) + t]).ToArray();
            double norm = Math.Sqrt(row.Sum(x => x * x));
            return row.Select(x => x / norm).ToArray();
        }).ToArray();
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            double[] chords = Enumerable.Range(0, n).Where(j => j != i)
                .Select(j => Enumerable.Range(0, d).Sum(t => (unit[i][t] - unit[j][t]) * (unit[i][t] - unit[j][t]))).OrderBy(c => c).ToArray();
            total += SphereCap.LogArea(d, Math.Min(4.0, chords[m - 1]));
        }

        return SpecialFunctions.Digamma(n) - SpecialFunctions.Digamma(m) + (total / n);
    }

    [Fact]
    public void Knn_finds_the_true_neighbour_among_rows_of_unequal_accepted_norms()
    {
        // Raw dot products rank the twelve longer rows first (by ~5e-4, past the rounding margin);
        // the nearest direction is the short row. The reference works in double on the same rows.
        float[] z = NearNeighboursOfUnequalNorms(out int n);
        foreach (int m in new[] { 1, 2 })
        {
            double got = Entropy.SphereKnn(z, n, 3, m);
            double want = KnnReference(z, n, 3, m);
            Assert.True(Math.Abs(got - want) <= 1e-9, $"m={m}: {got:R} vs {want:R}");
        }
    }

    [Fact]
    public void Knn_with_validation_off_names_a_row_with_non_finite_similarities()
    {
        float[] z = NearNeighboursOfUnequalNorms(out int n);
        z[7] = float.NaN;
        var e = Assert.Throws<ArgumentException>(() => Entropy.SphereKnn(z, n, 3, 1, new ErOptions { ValidateInputs = false }));
        Assert.Equal("z", e.ParamName);
        Assert.Contains("not finite", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Knn_needs_more_rows_than_neighbours_and_says_so_plainly()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Entropy.SphereKnn(new float[] { 1, 0, 0, 1 }, 2, 2, 2));
        Assert.Equal("rows", e.ParamName);
        Assert.Contains("neighbors = 2 needs more than 2 rows", e.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// The candidates' buffers hold 2m + 8 entries a row in one array: 32800 rows and m = 32767 would
    /// need 2,149,777,600 (the product taken in int wraps), more than an array holds. A small batch
    /// shows it, since the check comes before any allocation or pass over the rows.
    /// </summary>
    [Fact]
    public void Knn_refuses_neighbours_whose_candidate_buffers_exceed_an_array_and_says_why()
    {
        const int n = 32800;
        float[] z = TestData.CircleRows(n);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Entropy.SphereKnn(z, n, 2, 32767));
        Assert.Equal("neighbors", e.ParamName);
        Assert.Contains("32800 rows x 65542 is more than an array holds (2,147,483,591)", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1e19f)]
    [InlineData(3e38f)]
    [InlineData(1e-20f)]
    [InlineData(1e-44f)]
    public void L2Normalize_keeps_the_direction_of_rows_at_the_ends_of_float_range(float scale)
    {
        // The float32 sum of squares overflows from entries of ~1e19 and underflows below ~1e-19; the
        // direction must still come out unit to float rounding (4 ulp: a double norm, one division).
        float[] x = [scale * 0.6f, scale * -0.8f, 0f, scale * 0.25f, scale, scale * -0.5f];
        if (scale < 1e-40f)
        {
            x = [scale, -scale, 0f, 2 * scale, scale, 0f];
        }

        var z = new float[x.Length];
        RowOps.L2Normalize(x, 2, 3, z, epsilon: float.Epsilon);
        for (int i = 0; i < 2; i++)
        {
            double norm = Math.Sqrt(Enumerable.Range(0, 3).Sum(t => (double)x[(i * 3) + t] * x[(i * 3) + t]));
            for (int t = 0; t < 3; t++)
            {
                double want = x[(i * 3) + t] / norm;
                Assert.True(Math.Abs(z[(i * 3) + t] - want) <= 4.8e-7, $"scale {scale}, [{i},{t}]: {z[(i * 3) + t]} vs {want}");
            }
        }
    }

    [Fact]
    public void L2Normalize_backward_of_huge_rows_is_the_double_formula()
    {
        // dx = (dz - u <u, dz>) / |x|: at |x| ~ 1e20 the float path's 1/|x|^3 underflows to 0.
        float[] x = [6e19f, -8e19f, 1e19f];
        float[] gz = [1f, 2f, -3f];
        var gx = new float[3];
        RowOps.L2NormalizeBackward(x, gz, 1, 3, gx);
        double norm = Math.Sqrt(x.Sum(v => (double)v * v));
        double[] u = x.Select(v => v / norm).ToArray();
        double inner = Enumerable.Range(0, 3).Sum(t => u[t] * gz[t]);
        for (int t = 0; t < 3; t++)
        {
            double want = (gz[t] - (u[t] * inner)) / norm;
            Assert.True(Math.Abs(gx[t] - want) <= 1e-6 * Math.Abs(gz[t] / norm), $"[{t}]: {gx[t]} vs {want}");
        }
    }

    [Fact]
    public void L2_normalize_backward_where_the_float_product_overflows_keeps_double_accuracy()
    {
        // <x, dz> = 6e38 overflows float, so the double path runs. dz lies along z in its first two
        // entries, so the derivative there is 0 and everything hangs on |u| = 1: a float norm left
        // 1e31 (2^-23 of |dz| / |x|) where double leaves about 1e23.
        float[] x = [1f, 1f, 0f];
        float[] gz = [3e38f, 3e38f, 5f];
        var gx = new float[3];
        RowOps.L2NormalizeBackward(x, gz, 1, 3, gx);
        double scale = 3e38 / Math.Sqrt(2);
        Assert.True(Math.Abs(gx[0]) <= 1e-14 * scale && Math.Abs(gx[1]) <= 1e-14 * scale, $"{gx[0]}, {gx[1]}");
        Assert.Equal(5 / Math.Sqrt(2), gx[2], 1e-6);
    }

    [Fact]
    public void L2_normalize_backward_is_finite_where_only_an_intermediate_overflows()
    {
        // dz / |x| = 3.56e38 overflows float, but dx_0 = (dz_0 - z_0 <z, dz>) / |x| = 2.28e38 does
        // not: the float path gave +inf there.
        float[] x = [0.54f, 0.72f];
        float[] gz = [3.2e38f, 0f];
        var gx = new float[2];
        RowOps.L2NormalizeBackward(x, gz, 1, 2, gx);
        double norm = Math.Sqrt((0.54 * 0.54) + (0.72 * 0.72));
        double inner = x[0] / norm * gz[0];
        Assert.Equal((gz[0] - (x[0] / norm * inner)) / norm, gx[0], 1e-6 * 2.28e38);
        Assert.Equal(-(x[1] / norm * inner) / norm, gx[1], 1e-6 * 2.28e38);

        // Where the derivative itself exceeds float32 it is +-infinity, never NaN: dz orthogonal to
        // z, so dx = dz / |x| = (3.6e40, -2.7e40).
        RowOps.L2NormalizeBackward([0.0054f, 0.0072f], [3.2e38f, -2.4e38f], 1, 2, gx);
        Assert.Equal([float.PositiveInfinity, float.NegativeInfinity], gx);
    }

    [Fact]
    public void Softmax_backward_of_huge_gradients_is_never_NaN_and_finite_where_the_derivative_is()
    {
        // dp_j - <p, dp> = 6e38 overflowed float: times a probability of 0 it was NaN, times 1e-7
        // +inf where the derivative is 6e31.
        var gx = new float[2];
        RowOps.SoftmaxBackward([1f, 0f], [-3e38f, 3e38f], 1, 2, gx);
        Assert.Equal([0f, 0f], gx);
        float small = 1e-7f, large = 1f - 1e-7f;
        RowOps.SoftmaxBackward([large, small], [-3e38f, 3e38f], 1, 2, gx);
        double inner = (large * -3e38) + (small * 3e38);
        Assert.Equal(large * (-3e38 - inner), gx[0], Math.Abs(1e-6 * large * (-3e38 - inner)));
        Assert.Equal(small * (3e38 - inner), gx[1], Math.Abs(1e-6 * small * (3e38 - inner)));

        // Beyond float32's range: +-infinity.
        RowOps.SoftmaxBackward([0.5f, 0.5f], [-3e38f, 3e38f], 1, 2, gx, 0.25);
        Assert.Equal([float.NegativeInfinity, float.PositiveInfinity], gx);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Gram_entries_whose_float_sums_overflow_are_exact_not_infinite_or_NaN(int threads)
    {
        // Rows of +-3e38 in every register lane and order: their pairwise products are 0 or beyond
        // float32, and float32 accumulation gave +inf or NaN for the zeros.
        const int d = 64;
        var options = new ErOptions { MaxDegreeOfParallelism = threads };
        float[] z = new float[3 * d];
        for (int t = 0; t < d; t++)
        {
            z[t] = t < d / 2 ? 3e38f : -3e38f;
            z[d + t] = 1f;
            z[(2 * d) + t] = t % 2 == 0 ? 2e19f : -2e19f;
        }

        var gram = new float[9];
        Gram.Compute(z, 3, d, gram, options);
        Assert.Equal(
            [float.PositiveInfinity, 0f, 0f, 0f, d, 0f, 0f, 0f, float.PositiveInfinity],
            gram);

        // A B^T: (2e19, 2e19) . (2e19, -2e19) = 0; (2e19, 2e19) . (2e19, 2e19) = 8e38, beyond float32.
        var product = new float[2];
        Gram.MultiplyTransposed([2e19f, 2e19f], 1, [2e19f, -2e19f, 2e19f, 2e19f], 2, 2, product, options);
        Assert.Equal([0f, float.PositiveInfinity], product);
    }

    [Theory]
    [InlineData(new[] { 3e9f, 1f, 2f, 3f }, 0.1, 0)]
    [InlineData(new[] { 1f, 2f, 3f, -4f }, 1e-30, 2)]
    [InlineData(new[] { -3e38f, 3e38f, 0f, 1f }, 1e-30, 1)]
    public void Softmax_of_finite_logits_is_a_finite_distribution_at_any_temperature(float[] logits, double temperature, int top)
    {
        var p = new float[logits.Length];
        RowOps.Softmax(logits, 1, logits.Length, p, temperature);
        Assert.All(p, v => Assert.True(float.IsFinite(v) && v >= 0));
        Assert.Equal(1f, p[top]);
        Assert.Equal(1.0, p.Sum(v => (double)v), 6);
    }

    [Theory]
    [InlineData(1e38)]
    [InlineData(1e37)]
    [InlineData(4e38)]
    public void Softmax_of_a_row_spanning_more_than_float_range_at_a_high_temperature_is_exact(double temperature)
    {
        // x - max overflows float for the -3e38 logit, but (x - max) / t is in exp's range: at t =
        // 1e38 its probability is e^-6 / (2 + e^-6 + e^-3) = 0.0012, where the row gave 0.
        // Also in place, where the logits are overwritten as they are read.
        float[] logits = [3e38f, -3e38f, 3e38f, 1f];
        double[] scaled = [.. logits.Select(v => v / temperature)];
        double top = scaled.Max();
        double[] weights = [.. scaled.Select(v => Math.Exp(v - top))];
        double[] want = [.. weights.Select(w => w / weights.Sum())];
        var p = new float[4];
        RowOps.Softmax(logits, 1, 4, p, temperature);
        float[] inPlace = [.. logits];
        RowOps.Softmax(inPlace, 1, 4, inPlace, temperature);
        for (int j = 0; j < 4; j++)
        {
            // Float32 rounding of the scaled logits (|x / t| <= 30) moves each exponent by at most about 4e-6.
            Assert.True(Math.Abs(p[j] - want[j]) <= 1e-5 * want[j] + 1e-30, $"[{j}] {p[j]} vs {want[j]}");
            Assert.Equal(p[j], inPlace[j]);
        }
    }

    [Fact]
    public void A_discrete_loss_with_a_huge_logit_at_a_low_temperature_is_finite()
    {
        var loss = new ErLoss(Support.Discrete, 2, 4) { Temperature = 0.1 };
        float[] view1 = [3e9f, 1, 2, 3, 0, 1, 0, 1];
        float[] view2 = [1, 2, 3e9f, 3, 1, 0, 1, 0];
        var g1 = new float[8];
        var g2 = new float[8];
        ErLossResult result = loss.Compute(view1, view2, g1, g2);
        Assert.True(double.IsFinite(result.Loss), $"{result.Loss}");
        Assert.All(g1.Concat(g2), v => Assert.True(float.IsFinite(v)));
    }

    private static float[] TightCluster(int n, int d, double noise, int seed)
    {
        var random = new Random(seed);
        double[] center = Enumerable.Range(0, d).Select(_ => random.NextDouble() - 0.5).ToArray();
        var z = new float[n * d];
        for (int i = 0; i < n; i++)
        {
            double[] row = center.Select(c => c + (noise * ((2 * random.NextDouble()) - 1))).ToArray();
            double norm = Math.Sqrt(row.Sum(x => x * x));
            for (int t = 0; t < d; t++)
            {
                z[(i * d) + t] = (float)(row[t] / norm);
            }
        }

        return z;
    }

    [Theory]
    [InlineData(1e-5)]
    [InlineData(1e-3)]
    [InlineData(0.3)]
    public void The_vmf_fit_converges_on_a_tight_cluster_to_the_root_of_one_minus_A_equals_one_minus_R(double noise)
    {
        // 200 x 10: 1 - R ~ 1e-11 at noise 1e-5, where Newton on A = R alone ran to its step cap.
        const int n = 200, d = 10;
        float[] z = TightCluster(n, d, noise, seed: 3);
        double kappa = KappaSelection.MaximumLikelihoodConcentration(z, n, d, out int evaluations);
        Assert.True(evaluations < 60, $"{evaluations} evaluations");

        // An independent check: 1 - A_d from the Bessel ratio's own complement, 1 - R from the rows.
        double[][] unit = Enumerable.Range(0, n).Select(i => Enumerable.Range(0, d).Select(t => (double)z[(i * d) + t]).ToArray())
            .Select(r => { double s = Math.Sqrt(r.Sum(x => x * x)); return r.Select(x => x / s).ToArray(); }).ToArray();
        double[] mean = Enumerable.Range(0, d).Select(t => unit.Average(r => r[t])).ToArray();
        double spread = unit.Sum(r => Enumerable.Range(0, d).Sum(t => (r[t] - mean[t]) * (r[t] - mean[t]))) / n;
        double resultant = Math.Sqrt(mean.Sum(x => x * x));
        double oneMinusR = spread / (1 + resultant);
        VmfScalar.BesselRatio((0.5 * d) - 1, kappa, out double c);
        Assert.True(Math.Abs((c / kappa / oneMinusR) - 1) <= 1e-12, $"noise {noise}: kappa {kappa:R}, 1-A {c / kappa:R}, 1-R {oneMinusR:R}");
    }

    [Fact]
    public void The_rule_of_thumb_on_a_tight_cluster_is_the_concentrated_boundary_with_a_finite_likelihood()
    {
        float[] z = TightCluster(200, 10, 1e-5, seed: 3);
        KappaSelectionResult result = KappaSelection.RuleOfThumb(z, 200, 10);
        Assert.Equal(KappaSelection.MaxKappa, result.Kappa);
        Assert.Equal(KappaSelectionBoundary.Concentrated, result.Boundary);
        Assert.True(double.IsFinite(result.LogLikelihood), $"{result.LogLikelihood}");

        string path = Path.Combine(_folder, "tight.npy");
        NpyFile.Write(path, z, [200, 10]);
        (int code, string stdout, string stderr) = CliRunner.Run("kappa", path, "--method", "rule-of-thumb", "--json");
        Assert.True(code == 0, stderr);
        using JsonDocument json = JsonDocument.Parse(stdout);
        Assert.Equal("concentrated", json.RootElement.GetProperty("boundary").GetString());
        Assert.True(double.IsFinite(json.RootElement.GetProperty("log_likelihood").GetDouble()));
    }

    [Fact]
    public void The_rule_of_thumb_on_one_row_says_what_it_needs_without_leaving_one_out()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => KappaSelection.RuleOfThumb(new float[] { 1, 0, 0 }, 1, 3));
        Assert.Contains("rule of thumb needs at least 2 rows", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Leaving one out", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new int[0])]
    [InlineData(new[] { 2, 2, 2 })]
    public void Lognorm_takes_a_kappa_file_of_any_shape(int[] shape)
    {
        int count = shape.Aggregate(1, (a, b) => a * b);
        double[] kappas = Enumerable.Range(0, count).Select(i => 0.5 + i).ToArray();
        string input = Path.Combine(_folder, "kappas.npy"), output = Path.Combine(_folder, "table.npy");
        NpyFile.Write(input, kappas, shape);
        Assert.Equal(shape, NpyFile.Read(input).Shape);
        (int code, string stdout, string stderr) = CliRunner.Run("lognorm", "--dim", "5", "--kappa-file", input, "--out", output, "--json");
        Assert.True(code == 0, stderr);
        Assert.Contains($"\"count\":{count}", stdout, StringComparison.Ordinal);
        NpyArray table = NpyFile.Read(output);
        Assert.Equal(new[] { count, 4 }, table.Shape);
        double[] values = table.ToDoubleArray();
        for (int i = 0; i < count; i++)
        {
            Assert.Equal(VonMisesFisher.LogNormalizer(5, kappas[i]), values[(4 * i) + 1]);
        }
    }

    [Fact]
    public void A_matrix_command_refuses_a_3d_array_with_its_shape()
    {
        string input = Path.Combine(_folder, "cube.npy");
        NpyFile.Write(input, new float[8], [2, 2, 2]);
        (int code, _, string stderr) = CliRunner.Run("entropy", input);
        Assert.Equal(1, code);
        Assert.Contains("shape (2, 2, 2)", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd().Split('\n'));
    }

    [Fact]
    public void An_output_hard_linked_to_the_input_or_to_another_output_is_refused()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        string input = Path.Combine(_folder, "z.npy"), link = Path.Combine(_folder, "link.npy");
        NpyFile.Write(input, NpyFile.Read(GoldenData.PathOf("sphere_z_k64_d16.npy")).ToSingleArray(), [64, 16]);
        byte[] before = File.ReadAllBytes(input);
        Assert.Equal(0, Link(input, link));
        (int code, _, string stderr) = CliRunner.Run("entropy", input, "--grad", link);
        Assert.Equal(2, code);
        Assert.Contains("is the input file", stderr, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(input));

        string a = Path.Combine(_folder, "a.npy"), b = Path.Combine(_folder, "b.npy");
        File.WriteAllText(a, "x");
        Assert.Equal(0, Link(a, b));
        (code, _, stderr) = CliRunner.Run("reconstruction", input, input, "--grad-a", a, "--grad-b", b);
        Assert.Equal(2, code);
        Assert.Contains("are the same file", stderr, StringComparison.Ordinal);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "link")]
    private static extern int Link(string existing, string created);

    [Fact]
    public void Empty_file_names_are_usage_errors()
    {
        string input = Path.Combine(_folder, "z.npy");
        NpyFile.Write(input, NpyFile.Read(GoldenData.PathOf("sphere_z_k64_d16.npy")).ToSingleArray(), [64, 16]);
        (int code, _, string stderr) = CliRunner.Run("entropy", input, "--grad", string.Empty);
        Assert.Equal(2, code);
        Assert.Contains("--grad needs a file name", stderr, StringComparison.Ordinal);
        (code, _, stderr) = CliRunner.Run("entropy", string.Empty);
        Assert.Equal(2, code);
        Assert.Contains("input file name is an empty string", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 3, "holds 0 x 3 values")]
    [InlineData(2, 3, "row 1 is zero")]
    public void Normalize_names_the_file_for_rows_it_cannot_normalize(int rows, int columns, string expected)
    {
        string input = Path.Combine(_folder, "raw.npy");
        var data = new float[rows * columns];
        if (rows > 0)
        {
            data[0] = 1;
        }

        NpyFile.Write(input, data, [rows, columns]);
        (int code, _, string stderr) = CliRunner.Run("entropy", input, "--normalize");
        Assert.Equal(1, code);
        Assert.Contains("raw.npy: " + expected, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Normalize_puts_rows_of_any_nonzero_scale_on_the_sphere()
    {
        // Rows scaled by 1e19 (the squares overflow float) and 1e-20 (below the library's default
        // norm floor) give what the unit rows give.
        float[] unit = NpyFile.Read(GoldenData.PathOf("sphere_z_k64_d16.npy")).ToSingleArray();
        string reference = Path.Combine(_folder, "unit.npy");
        NpyFile.Write(reference, unit, [64, 16]);
        (int code, string stdout, string stderr) = CliRunner.Run("entropy", reference, "--json");
        Assert.True(code == 0, stderr);
        double want = JsonDocument.Parse(stdout).RootElement.GetProperty("value").GetDouble();
        foreach (float scale in new[] { 1e19f, 1e-20f })
        {
            string input = Path.Combine(_folder, "scaled.npy");
            NpyFile.Write(input, unit.Select(v => v * scale).ToArray(), [64, 16]);
            (code, stdout, stderr) = CliRunner.Run("entropy", input, "--normalize", "--json");
            Assert.True(code == 0, stderr);
            double got = JsonDocument.Parse(stdout).RootElement.GetProperty("value").GetDouble();
            Assert.True(Math.Abs(got - want) <= 1e-5, $"scale {scale}: {got:R} vs {want:R}");
        }
    }

    [Theory]
    [InlineData("@\0npz")]
    [InlineData("a\0b")]
    public void An_argument_with_a_nul_character_is_a_usage_error_not_a_crash(string argument)
    {
        // Found by fuzzing the command line: the parser's response-file expansion (@FILE) threw.
        (int code, string stdout, string stderr) = CliRunner.Run("entropy", argument, "-K");
        Assert.Equal(2, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Single(stderr.TrimEnd().Split('\n'));
        Assert.Equal("er: Argument 2 contains a NUL character. (see 'er --help')", stderr.TrimEnd());

        // Counted from 1, the command being the first.
        (code, _, stderr) = CliRunner.Run(argument);
        Assert.Equal(2, code);
        Assert.StartsWith("er: Argument 1 contains a NUL character.", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("missing.rsp")]
    [InlineData(".")]
    [InlineData("/")]
    public void A_response_file_that_cannot_be_read_is_a_one_line_usage_error(string file)
    {
        // Found by fuzzing: "@/" and "@." (directories as response files) escaped the parser as exceptions.
        string path = file == "missing.rsp" ? Path.Combine(_folder, file) : file;
        (int code, _, string stderr) = CliRunner.Run("entropy", "@" + path);
        Assert.Equal(2, code);
        Assert.Single(stderr.TrimEnd().Split('\n'));
        Assert.StartsWith(file == "missing.rsp" ? $"er: Response file not found '{path}'." : $"er: Cannot read the response file {path} (", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_response_file_naming_an_invalid_path_is_a_one_line_usage_error()
    {
        // Found by fuzzing: a binary file given as @FILE had a line "@..." with a NUL in it, and the
        // parser's nested expansion threw while opening that path.
        string path = Path.Combine(_folder, "nested.rsp");
        File.WriteAllText(path, "-K\n@a\0b\n");
        (int code, string stdout, string stderr) = CliRunner.Run("loss", "-", "@" + path);
        Assert.Equal(2, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Single(stderr.TrimEnd().Split('\n'));
        Assert.Contains("no valid path", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_for_an_unknown_command_is_the_usage_error_that_the_command_is()
    {
        (int code, string stdout, string stderr) = CliRunner.Run("help", "nosuch");
        Assert.Equal(2, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains("'nosuch'", stderr, StringComparison.Ordinal);
        Assert.Equal(2, CliRunner.Run("nosuch").ExitCode);
        Assert.Equal(0, CliRunner.Run("help", "entropy").ExitCode);
    }
}
