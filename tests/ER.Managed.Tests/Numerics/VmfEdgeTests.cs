using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using ER.Managed.Numerics;

namespace ER.Managed.Tests.Numerics;

/// <summary>
/// The vMF functions over the whole double range of kappa, from the smallest subnormal to the largest
/// double, against mpmath at 420 digits (<c>Data/vmf_edges.csv</c>, written by
/// <c>scripts/vmf_edge_reference.py</c>), and against closed forms and the properties that must hold
/// everywhere: finite outputs, A_d in [0, 1] and non-decreasing, the d = 1 entropy non-negative.
/// </summary>
public class VmfEdgeTests
{
    private const double Ulp = 2.220446049250313e-16;

    public static IEnumerable<object[]> Rows =>
        File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Data", "vmf_edges.csv"))
            .Skip(1)
            .Select(line => line.Split(','))
            .Select(f => new object[]
            {
                int.Parse(f[0], CultureInfo.InvariantCulture),
                double.Parse(f[1], CultureInfo.InvariantCulture),
                double.Parse(f[2], CultureInfo.InvariantCulture),
                double.Parse(f[3], CultureInfo.InvariantCulture),
                double.Parse(f[4], CultureInfo.InvariantCulture),
                double.Parse(f[5], CultureInfo.InvariantCulture),
            });

    [Theory]
    [MemberData(nameof(Rows))]
    public void Every_output_matches_mpmath_over_the_whole_range(int d, double kappa, double logI, double logC, double ratio, double entropy)
    {
        double nu = (0.5 * d) - 1.0;
        double gotLogI = VonMisesFisher.LogBesselI(nu, kappa);
        double gotLogC = VonMisesFisher.LogNormalizer(d, kappa);
        double gotRatio = VonMisesFisher.BesselRatio(d, kappa);
        double gotEntropy = VonMisesFisher.Entropy(d, kappa);
        Assert.True(double.IsFinite(gotLogI) && double.IsFinite(gotLogC) && double.IsFinite(gotRatio) && double.IsFinite(gotEntropy), $"d={d} kappa={kappa:R}: non-finite output");

        // log I and log C: the golden table's tolerance (SPEC.md), 1e-13 relative plus 32 ulps of
        // the conditioning kappa A + |nu| that rounding kappa to double causes.
        double conditioning = 32 * Ulp * ((kappa * ratio) + Math.Abs(nu));
        AssertWithin($"log I d={d} kappa={kappa:R}", logI, gotLogI, (1e-13 * Math.Max(1, Math.Abs(logI))) + conditioning);
        AssertWithin($"log C d={d} kappa={kappa:R}", logC, gotLogC, (1e-13 * Math.Max(1, Math.Abs(logC))) + conditioning);

        // The ratio to 1e-13 relative (absolute below the smallest normal, where doubles themselves lose bits).
        AssertWithin($"A d={d} kappa={kappa:R}", ratio, gotRatio, Math.Max(1e-13 * ratio, double.Epsilon * 4));

        // The entropy is well conditioned in kappa (a relative change moves it by about (d-1)/2 ulps),
        // so the bar is 1e-12 relative, or absolute where |H| < 1.
        AssertWithin($"H d={d} kappa={kappa:R}", entropy, gotEntropy, 1e-12 * Math.Max(1, Math.Abs(entropy)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(64)]
    [InlineData(128)]
    [InlineData(1000)]
    public void Ratio_stays_in_the_unit_interval_and_never_decreases(int d)
    {
        // 40 points a decade from 5e-324 to 1.7e308, and a dense run over [15, 40] where the d = 1
        // ratio used to exceed 1 and go back down.
        var kappas = new List<double> { double.Epsilon };
        for (double e = -323; e <= 308.2; e += 0.025)
        {
            kappas.Add(Math.Pow(10, e));
        }

        kappas.AddRange(Enumerable.Range(0, 2501).Select(i => 15.0 + (i * 0.01)));
        kappas.Add(double.MaxValue);
        kappas.Sort();
        double previous = 0.0;
        foreach (double kappa in kappas.Where(k => double.IsFinite(k) && k > 0).Distinct())
        {
            double ratio = VonMisesFisher.BesselRatio(d, kappa);
            Assert.True(ratio is >= 0.0 and <= 1.0, $"A_{d}({kappa:R}) = {ratio:R} is outside [0, 1]");
            Assert.True(ratio >= previous, $"A_{d}({kappa:R}) = {ratio:R} is below the value at a smaller kappa, {previous:R}");
            previous = ratio;
            double entropy = VonMisesFisher.Entropy(d, kappa);
            Assert.True(double.IsFinite(entropy), $"H_{d}({kappa:R}) = {entropy}");
            if (d == 1)
            {
                Assert.True(entropy >= 0.0, $"the d = 1 vMF is a two-point law, so H >= 0; got {entropy:R} at kappa {kappa:R}");
            }
        }
    }

    [Theory]
    [InlineData(1e-6)]
    [InlineData(0.3)]
    [InlineData(1.0)]
    [InlineData(17.9)]
    [InlineData(30.0)]
    [InlineData(350.0)]
    public void Closed_forms_for_d_1_and_d_3_hold(double kappa)
    {
        // d = 1: A = tanh kappa, H = log(2 cosh kappa) - kappa tanh kappa (a two-point law).
        Assert.Equal(Math.Tanh(kappa), VonMisesFisher.BesselRatio(1, kappa), 15);
        double h1 = Math.Log(2 * Math.Cosh(kappa)) - (kappa * Math.Tanh(kappa));
        Assert.True(Math.Abs(VonMisesFisher.Entropy(1, kappa) - h1) <= 1e-13 * Math.Max(1, Math.Abs(kappa)), $"H_1({kappa})");

        // d = 3: A = coth kappa - 1/kappa (used where it does not cancel), log C = log(kappa / (4 pi sinh kappa)).
        if (kappa >= 0.3)
        {
            double a3 = (1 / Math.Tanh(kappa)) - (1 / kappa);
            Assert.True(Math.Abs(VonMisesFisher.BesselRatio(3, kappa) - a3) <= 1e-14, $"A_3({kappa})");
            double logC3 = Math.Log(kappa / (4 * Math.PI)) - (kappa + Math.Log((1 - Math.Exp(-2 * kappa)) / 2));
            Assert.True(Math.Abs(VonMisesFisher.LogNormalizer(3, kappa) - logC3) <= 1e-13 * Math.Max(1, kappa), $"log C_3({kappa})");
        }
    }

    [Fact]
    public void Log_gamma_is_exactly_zero_at_one_and_two()
    {
        Assert.Equal(0.0, SpecialFunctions.LogGamma(1.0));
        Assert.Equal(0.0, SpecialFunctions.LogGamma(2.0));

        // log I_0(1e-8) = log(1 + 2.5e-17 + ...) = 2.5e-17 (mpmath); it was -3.5e-15 with LogGamma(1) = 2^-48.
        double got = VonMisesFisher.LogBesselI(0, 1e-8);
        Assert.True(Math.Abs(got - 2.5000000000000000625e-17) <= 1e-30, $"log I_0(1e-8) = {got:R}");
    }

    [Fact]
    public void Reference_derivative_that_leaves_double_range_is_refused()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => VonMisesFisher.ConstantDerivative(64, double.Epsilon, NormalizerMode.Reference));
        Assert.Equal("kappa", ex.ParamName);
        Assert.True(double.IsFinite(VonMisesFisher.ConstantDerivative(64, double.Epsilon)));
    }

    private static void AssertWithin(string what, double want, double got, double tolerance) =>
        Assert.True(Math.Abs(got - want) <= tolerance, $"{what}: got {got:R}, want {want:R}, |err| {Math.Abs(got - want):E3} > {tolerance:E3}");
}
