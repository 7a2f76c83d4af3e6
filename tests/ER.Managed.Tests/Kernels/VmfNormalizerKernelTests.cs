using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.Intrinsics;
using ER.Managed.Kernels;
using ER.Managed.Kernels.VmfNormalizer;
using ER.Managed.Numerics;

namespace ER.Managed.Tests.Kernels;

/// <summary>
/// The vMF normalizer kernel over spans of kappa (<see cref="VmfNormalizerKernel"/>), every width
/// driven directly (emulated where the hardware lacks it), against the scalar API. The contract is
/// "within 2 ulp of the scalar API"; the kernel is built so that every width and every lane performs
/// the scalar width's operations in the same order, and the scalar API is that width on one element,
/// so these tests demand the same bits and would catch a single reordered operation.
/// </summary>
public class VmfNormalizerKernelTests
{
    private static readonly int[] Dimensions = [1, 2, 3, 4, 10, 47, 48, 50, 128, 1000, 100_000];

    public static IEnumerable<object[]> WidthsAndDimensions() =>
        from w in KernelTestSupport.Widths()
        from d in Dimensions
        select new object[] { w[0], d };

    /// <summary>
    /// Kappas on both sides of every region boundary for dimension d (s = hypot(nu, kappa) = 25, kappa^2/4 = d/2,
    /// kappa = 1 where the continued fraction switches to its scaled form, kappa = max(nu, 25) for the entropy),
    /// the extremes of double, and log-uniform kappas between, shuffled so that one register holds lanes of
    /// different regions.
    /// </summary>
    internal static double[] BoundaryKappas(int dimension, int seed)
    {
        double nu = (0.5 * dimension) - 1.0;
        var kappas = new List<double> { double.Epsilon, 1e-310, 1e-300, 1e-20, 1e-8, 1e-3, 0.5, 1e3, 1e4, 1e8, 1e15, 1e100, 1e300, double.MaxValue };
        var boundaries = new List<double> { 1.0, Math.Max(nu, Bessel.SeriesRadius), 2.0 * Math.Sqrt(0.5 * dimension) };
        if (Math.Abs(nu) < Bessel.SeriesRadius)
        {
            boundaries.Add(Math.Sqrt((Bessel.SeriesRadius * Bessel.SeriesRadius) - (nu * nu)));
        }

        foreach (double b in boundaries)
        {
            kappas.Add(b);
            kappas.Add(Math.BitDecrement(b));
            kappas.Add(Math.BitIncrement(b));
            kappas.Add(b * 0.999);
            kappas.Add(b * 1.001);
        }

        var random = new Random(seed);
        for (int i = 0; i < 40; i++)
        {
            kappas.Add(Math.Pow(10, -3 + (7 * random.NextDouble())));
        }

        return [.. kappas.Where(k => k > 0 && double.IsFinite(k)).OrderBy(_ => random.Next())];
    }

    [Theory]
    [MemberData(nameof(WidthsAndDimensions))]
    public void Every_width_gives_the_scalar_api_bits_across_region_boundaries(int width, int dimension)
    {
        double[] kappa = BoundaryKappas(dimension, dimension);
        var (logI, logC, ratio, entropy) = EvaluateAll((KernelWidth)width, dimension, kappa);
        for (int i = 0; i < kappa.Length; i++)
        {
            double k = kappa[i];
            AssertSameBits(VonMisesFisher.LogBesselI((0.5 * dimension) - 1.0, k), logI[i], "log I", dimension, k);
            AssertSameBits(VonMisesFisher.LogNormalizer(dimension, k), logC[i], "log C", dimension, k);
            AssertSameBits(VonMisesFisher.BesselRatio(dimension, k), ratio[i], "A_d", dimension, k);
            AssertSameBits(VonMisesFisher.Entropy(dimension, k), entropy[i], "entropy", dimension, k);
        }
    }

    [Theory]
    [MemberData(nameof(WidthsAndDimensions))]
    public void Each_output_alone_equals_the_output_computed_with_the_others(int width, int dimension)
    {
        // Asking for fewer outputs skips shared work; the values must not change with it.
        double[] kappa = BoundaryKappas(dimension, dimension + 1);
        var (logI, logC, ratio, entropy) = EvaluateAll((KernelWidth)width, dimension, kappa);
        var single = new double[kappa.Length];
        VmfParameters p;

        p = VmfParameters.ForDimension(dimension, VmfOutputs.LogNormalizer);
        VmfNormalizerKernel.Evaluate((KernelWidth)width, p, kappa, new VmfDestinations(default, single, default, default));
        Assert.Equal(logC, single);
        p = VmfParameters.ForDimension(dimension, VmfOutputs.BesselRatio);
        VmfNormalizerKernel.Evaluate((KernelWidth)width, p, kappa, new VmfDestinations(default, default, single, default));
        Assert.Equal(ratio, single);
        p = VmfParameters.ForDimension(dimension, VmfOutputs.Entropy);
        VmfNormalizerKernel.Evaluate((KernelWidth)width, p, kappa, new VmfDestinations(default, default, default, single));
        Assert.Equal(entropy, single);
        p = VmfParameters.ForOrder((0.5 * dimension) - 1.0);
        VmfNormalizerKernel.Evaluate((KernelWidth)width, p, kappa, new VmfDestinations(single, default, default, default));
        Assert.Equal(logI, single);
    }

    /// <summary>Widths by the dimensions whose sphere area has a closed form: |S^0| = 2, |S^1| = 2 pi, |S^2| = 4 pi, |S^3| = 2 pi^2.</summary>
    public static IEnumerable<object[]> WidthsAndSmallDimensions() =>
        from w in KernelTestSupport.Widths()
        from d in new[] { 1, 2, 3, 4 }
        select new object[] { w[0], d };

    [Theory]
    [MemberData(nameof(WidthsAndSmallDimensions))]
    public void Kappa_zero_amid_other_kappas_gives_the_uniform_law_and_log_I_at_zero(int width, int dimension)
    {
        // kappa = 0 is the uniform law: log C = -log|S^(d-1)|, A = 0, H = log|S^(d-1)|; and log I_nu(0) is
        // +inf for nu = -1/2 (I_(-1/2)(x) ~ sqrt(2 / (pi x))), 0 for nu = 0 and -inf for nu > 0. Zeros at
        // every lane position and in the partial last register, beside kappas of every region.
        double area = dimension switch { 1 => 2.0, 2 => 2.0 * Math.PI, 3 => 4.0 * Math.PI, _ => 2.0 * Math.PI * Math.PI };
        double logIAtZero = dimension switch { 1 => double.PositiveInfinity, 2 => 0.0, _ => double.NegativeInfinity };
        double[] others = BoundaryKappas(dimension, 11);
        double[] kappa = [.. Enumerable.Range(0, 37).Select(i => i % 3 == 0 || i == 36 ? 0.0 : others[i])];
        var (logI, logC, ratio, entropy) = EvaluateAll((KernelWidth)width, dimension, kappa);
        for (int i = 0; i < kappa.Length; i++)
        {
            if (kappa[i] == 0.0)
            {
                Assert.Equal(logIAtZero, logI[i]);
                // The series at 0 leaves -log|S| as the kernel forms it (from log 2, log pi and log Gamma(d/2),
                // each rounded): within a few ulps (4.4e-16 at |log|S|| < 3) of the closed form.
                Assert.Equal(-Math.Log(area), logC[i], 1e-14);
                Assert.Equal(0.0, ratio[i]);
                Assert.Equal(Math.Log(area), entropy[i], 1e-14);
            }
            else
            {
                AssertSameBits(VonMisesFisher.LogBesselI((0.5 * dimension) - 1.0, kappa[i]), logI[i], "log I", dimension, kappa[i]);
                AssertSameBits(VonMisesFisher.Entropy(dimension, kappa[i]), entropy[i], "entropy", dimension, kappa[i]);
            }
        }
    }

    [Fact]
    public void The_two_point_ratio_gives_kappa_times_its_complement_without_cancellation()
    {
        // d = 1 (nu = -1/2): A = tanh(kappa), and kappa (1 - A), which the rule of thumb's fit uses, equals
        // 2 kappa / (e^(2 kappa) + 1), a form that cancels nowhere: a few roundings apart, so 8 ulps.
        foreach (double kappa in new[] { 1e-300, 1e-8, 0.25, 1.0, 5.0, 20.0, 200.0, 354.0 })
        {
            double ratio = VmfScalar.BesselRatio(-0.5, kappa, out double complementTimesKappa);
            Assert.Equal(Math.Tanh(kappa), ratio);
            double want = 2.0 * kappa / (Math.Exp(2.0 * kappa) + 1.0);
            Assert.True(Math.Abs(complementTimesKappa - want) <= 8 * Math.Pow(2, -53) * want, $"kappa {kappa:R}: {complementTimesKappa:R} vs {want:R}");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Log_I_in_place_over_kappas_with_zeros_equals_the_out_of_place_values(int dimension)
    {
        // The kernel fixes log I at kappa = 0 after its vector pass; in place, that pass has already
        // overwritten the kappas it would look at.
        double order = (0.5 * dimension) - 1.0;
        double[] kappa = [0.0, 0.5, 0.0, 30.0, 1e5, 0.0, 2.0];
        var want = new double[kappa.Length];
        VonMisesFisher.LogBesselI(order, kappa, want);
        Assert.Equal([.. kappa.Select(k => VonMisesFisher.LogBesselI(order, k))], want);
        double[] inPlace = (double[])kappa.Clone();
        VonMisesFisher.LogBesselI(order, inPlace, inPlace);
        Assert.Equal(want, inPlace);
        inPlace = (double[])kappa.Clone();
        VonMisesFisher.Evaluate(dimension, inPlace, inPlace, default, default, default);
        Assert.Equal(want, inPlace);
    }

    [Theory]
    [MemberData(nameof(KernelTestSupport.Widths), MemberType = typeof(KernelTestSupport))]
    public void Spans_of_every_length_up_to_67_match_the_scalar_api(int width)
    {
        // Lengths around every register size (1, 2, 4, 8 doubles) and their multiples: the partial last
        // register's filler lanes must not leak into the outputs or past the span.
        const int Dimension = 64;
        for (int n = 0; n <= 67; n++)
        {
            double[] kappa = [.. BoundaryKappas(Dimension, n).Concat(BoundaryKappas(Dimension, n + 100)).Take(n)];
            double[] guard = new double[n + 3];
            Array.Fill(guard, 12345.0);
            Span<double> logC = guard.AsSpan(0, n);
            VmfNormalizerKernel.Evaluate(
                (KernelWidth)width,
                VmfParameters.ForDimension(Dimension, VmfOutputs.LogNormalizer),
                kappa,
                new VmfDestinations(default, logC, default, default));
            for (int i = 0; i < n; i++)
            {
                AssertSameBits(VonMisesFisher.LogNormalizer(Dimension, kappa[i]), logC[i], "log C", Dimension, kappa[i]);
            }

            Assert.All(guard.Skip(n), g => Assert.Equal(12345.0, g));
        }
    }

    [Theory]
    [MemberData(nameof(KernelTestSupport.Widths), MemberType = typeof(KernelTestSupport))]
    public void Every_width_meets_the_golden_lognorm_tolerance(int width)
    {
        // The golden table's rows grouped by dimension, each group one kernel call.
        LogNormRow[] rows = [.. Enumerable.Range(0, GoldenData.LogNormRows.Count()).Select(GoldenData.Row)];
        foreach (IGrouping<int, LogNormRow> group in rows.GroupBy(r => r.D))
        {
            double[] kappa = [.. group.Select(r => r.Kappa)];
            var (logI, logC, ratio, entropy) = EvaluateAll((KernelWidth)width, group.Key, kappa);
            int i = 0;
            foreach (LogNormRow row in group)
            {
                AssertGolden(row, "log_bessel_i", row.LogBesselI, logI[i]);
                AssertGolden(row, "log_normalizer", row.LogNormalizer, logC[i]);
                AssertGolden(row, "vmf_entropy", row.VmfEntropy, entropy[i]);
                Assert.True(Math.Abs(ratio[i] - row.BesselRatio) <= 1e-13 * row.BesselRatio, $"ratio d={row.D} kappa={row.Kappa}");
                i++;
            }
        }
    }

    [Theory]
    [MemberData(nameof(KernelTestSupport.Widths), MemberType = typeof(KernelTestSupport))]
    public void Every_width_matches_mpmath_over_the_whole_double_range(int width)
    {
        // Data/vmf_edges.csv: mpmath at 420 digits, kappa from the smallest subnormal to double.MaxValue,
        // d up to 100,000. Same tolerances as the scalar edge tests (VmfEdgeTests), for the same reasons.
        var rows = File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Data", "vmf_edges.csv"))
            .Skip(1)
            .Select(line => line.Split(',').Select(f => double.Parse(f, CultureInfo.InvariantCulture)).ToArray())
            .ToArray();
        foreach (IGrouping<int, double[]> group in rows.GroupBy(r => (int)r[0]))
        {
            int d = group.Key;
            double[] kappa = [.. group.Select(r => r[1])];
            var (logI, logC, ratio, entropy) = EvaluateAll((KernelWidth)width, d, kappa);
            int i = 0;
            foreach (double[] r in group)
            {
                double nu = (0.5 * d) - 1.0;
                double conditioning = 32 * Math.Pow(2, -52) * ((r[1] * r[4]) + Math.Abs(nu));
                AssertWithin(r[2], logI[i], (1e-13 * Math.Max(1, Math.Abs(r[2]))) + conditioning, "log I", d, r[1]);
                AssertWithin(r[3], logC[i], (1e-13 * Math.Max(1, Math.Abs(r[3]))) + conditioning, "log C", d, r[1]);
                AssertWithin(r[4], ratio[i], Math.Max(1e-13 * r[4], double.Epsilon * 4), "A_d", d, r[1]);
                AssertWithin(r[5], entropy[i], 1e-12 * Math.Max(1, Math.Abs(r[5])), "entropy", d, r[1]);
                i++;
            }
        }
    }

    [Fact]
    public void Public_span_api_matches_the_scalar_api_and_works_in_place()
    {
        double[] kappa = BoundaryKappas(300, 7);
        var logI = new double[kappa.Length];
        var logC = new double[kappa.Length];
        var ratio = new double[kappa.Length];
        var entropy = new double[kappa.Length];
        VonMisesFisher.Evaluate(300, kappa, logI, logC, ratio, entropy);
        var one = new double[kappa.Length];
        VonMisesFisher.LogBesselI(149, kappa, one);
        Assert.Equal(logI, one);
        VonMisesFisher.LogNormalizer(300, kappa, one);
        Assert.Equal(logC, one);
        VonMisesFisher.BesselRatio(300, kappa, one);
        Assert.Equal(ratio, one);
        VonMisesFisher.Entropy(300, kappa, one);
        Assert.Equal(entropy, one);
        for (int i = 0; i < kappa.Length; i++)
        {
            Assert.Equal(VonMisesFisher.Entropy(300, kappa[i]), entropy[i]);
        }

        // In place: the destination is the input itself.
        double[] inPlace = (double[])kappa.Clone();
        VonMisesFisher.Entropy(300, inPlace, inPlace);
        Assert.Equal(entropy, inPlace);
        inPlace = (double[])kappa.Clone();
        VonMisesFisher.Evaluate(300, inPlace, default, inPlace, ratio, default);
        Assert.Equal(logC, inPlace);
    }

    [Fact]
    public void Float_overloads_round_the_double_results_once()
    {
        // More kappas than one 256-element chunk, so the chunking is crossed.
        var random = new Random(5);
        float[] kappa = [.. Enumerable.Range(0, 700).Select(_ => (float)Math.Pow(10, -3 + (7 * random.NextDouble())))];
        double[] wide = [.. kappa.Select(k => (double)k)];
        var logC = new double[wide.Length];
        var entropy = new double[wide.Length];
        VonMisesFisher.Evaluate(128, wide, default, logC, default, entropy);
        var logCf = new float[kappa.Length];
        var ratioF = new float[kappa.Length];
        var entropyF = new float[kappa.Length];
        VonMisesFisher.Evaluate(128, kappa, default, logCf, ratioF, entropyF);
        for (int i = 0; i < kappa.Length; i++)
        {
            Assert.Equal((float)logC[i], logCf[i]);
            Assert.Equal((float)entropy[i], entropyF[i]);
            Assert.Equal((float)VonMisesFisher.BesselRatio(128, kappa[i]), ratioF[i]);
        }

        float[] inPlace = (float[])kappa.Clone();
        VonMisesFisher.LogNormalizer(128, inPlace, inPlace);
        Assert.Equal(logCf, inPlace);
        VonMisesFisher.Entropy(128, kappa, entropyF);
        VonMisesFisher.BesselRatio(128, kappa, ratioF);
        Assert.Equal((float)VonMisesFisher.BesselRatio(128, kappa[3]), ratioF[3]);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(-1.0)]
    [InlineData(-1e-30)]
    [InlineData(double.NegativeInfinity)]
    [InlineData(double.PositiveInfinity)]
    public void Bad_kappas_are_refused_with_their_index(double bad)
    {
        double[] kappa = [1.0, 2.0, 3.0, bad, 5.0];
        var destination = new double[5];
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => VonMisesFisher.LogNormalizer(10, kappa, destination));
        Assert.Equal("kappa", ex.ParamName);
        Assert.Contains("kappa[3]", ex.Message, StringComparison.Ordinal);
        Assert.All(destination, v => Assert.Equal(0.0, v));

        float[] kappaF = [1f, (float)bad];
        var fx = Assert.Throws<ArgumentOutOfRangeException>(() => VonMisesFisher.Entropy(10, kappaF, new float[2]));
        Assert.Contains("kappa[1]", fx.Message, StringComparison.Ordinal);

        var bx = Assert.Throws<ArgumentOutOfRangeException>(() => VonMisesFisher.LogBesselI(0.5, kappa, destination));
        Assert.Equal("x", bx.ParamName);
        Assert.Contains("x[3]", bx.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_shapes_and_overlaps_are_refused()
    {
        double[] kappa = [1.0, 2.0, 3.0, 4.0];
        var ex = Assert.Throws<ArgumentException>(() => VonMisesFisher.LogNormalizer(10, kappa, new double[3]));
        Assert.Equal("destination", ex.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => VonMisesFisher.LogNormalizer(0, kappa, new double[4]));
        Assert.Throws<ArgumentOutOfRangeException>(() => VonMisesFisher.LogBesselI(-0.6, kappa, new double[4]));

        // A destination shifted against the input would overwrite kappas before they are read.
        double[] buffer = [1.0, 2.0, 3.0, 4.0, 5.0];
        ex = Assert.Throws<ArgumentException>(() => VonMisesFisher.Entropy(10, buffer.AsSpan(0, 4), buffer.AsSpan(1, 4)));
        Assert.Contains("overlaps", ex.Message, StringComparison.Ordinal);

        var shared = new double[4];
        ex = Assert.Throws<ArgumentException>(() => VonMisesFisher.Evaluate(10, kappa, default, shared, shared, default));
        Assert.Equal("besselRatio", ex.ParamName);
        ex = Assert.Throws<ArgumentException>(() => VonMisesFisher.Evaluate(10, kappa, default, default, default, default));
        Assert.Contains("No destination", ex.Message, StringComparison.Ordinal);

        // An empty input with empty outputs is nothing to do.
        VonMisesFisher.LogNormalizer(10, ReadOnlySpan<double>.Empty, Span<double>.Empty);
    }

    [Fact]
    public void Widths_report_their_lane_counts()
    {
        Assert.Equal(8, SimdDouble512.Count);
        Assert.Equal(4, SimdDouble256.Count);
        Assert.Equal(2, SimdDouble128.Count);
        Assert.Equal(1, SimdDoubleScalar.Count);
        Assert.Equal(Vector512.IsHardwareAccelerated, SimdDouble512.IsHardwareAccelerated);
    }

    private static (double[] LogI, double[] LogC, double[] Ratio, double[] Entropy) EvaluateAll(KernelWidth width, int dimension, double[] kappa)
    {
        var logI = new double[kappa.Length];
        var logC = new double[kappa.Length];
        var ratio = new double[kappa.Length];
        var entropy = new double[kappa.Length];
        var all = VmfOutputs.LogBesselI | VmfOutputs.LogNormalizer | VmfOutputs.BesselRatio | VmfOutputs.Entropy;
        VmfNormalizerKernel.Evaluate(width, VmfParameters.ForDimension(dimension, all), kappa, new VmfDestinations(logI, logC, ratio, entropy));
        return (logI, logC, ratio, entropy);
    }

    private static void AssertSameBits(double scalar, double kernel, string what, int dimension, double kappa) =>
        Assert.True(
            BitConverter.DoubleToInt64Bits(scalar) == BitConverter.DoubleToInt64Bits(kernel),
            $"{what} d={dimension} kappa={kappa:R}: kernel {kernel:R}, scalar {scalar:R}");

    private static void AssertWithin(double want, double got, double tolerance, string what, int dimension, double kappa) =>
        Assert.True(Math.Abs(got - want) <= tolerance, $"{what} d={dimension} kappa={kappa:R}: got {got:R}, want {want:R}, tol {tolerance:E3}");

    private static void AssertGolden(LogNormRow row, string what, double want, double got)
    {
        double nu = (0.5 * row.D) - 1.0;
        double tolerance = (GoldenData.ToleranceOf("lognorm_rel") * Math.Max(1.0, Math.Abs(want)))
            + (GoldenData.ToleranceOf("lognorm_cond_eps") * Math.Pow(2, -52) * ((row.Kappa * row.BesselRatio) + Math.Abs(nu)));
        AssertWithin(want, got, tolerance, what, row.D, row.Kappa);
    }
}
