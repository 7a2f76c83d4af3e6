using System.Collections.Generic;
using System.Linq;

namespace ER.Managed.Tests;

public class VonMisesFisherTests
{
    public static IEnumerable<object[]> LogNormRowIndices =>
        Enumerable.Range(0, GoldenData.LogNormRows.Count()).Select(i => new object[] { i });

    /// <summary>
    /// The manifest's lognorm tolerance (SPEC.md): 1e-13 relative, plus 32 ulps of the
    /// conditioning kappa*A + |nu| that rounding kappa itself causes.
    /// </summary>
    private static double Tolerance(LogNormRow row, double want) =>
        (GoldenData.ToleranceOf("lognorm_rel") * Math.Max(1.0, Math.Abs(want)))
        + (GoldenData.ToleranceOf("lognorm_cond_eps") * Math.Pow(2, -52) * ((row.Kappa * row.BesselRatio) + Math.Abs(row.Nu)));

    private static void AssertClose(LogNormRow row, string what, double want, double got)
    {
        double tol = Tolerance(row, want);
        Assert.True(
            Math.Abs(got - want) <= tol,
            $"{what} d={row.D} kappa={row.Kappa}: got {got:R}, want {want:R}, |err| {Math.Abs(got - want):E3} > tol {tol:E3}");
    }

    [Theory]
    [MemberData(nameof(LogNormRowIndices))]
    public void Golden_lognorm_row_matches(int index)
    {
        LogNormRow row = GoldenData.Row(index);
        AssertClose(row, "log_bessel_i", row.LogBesselI, VonMisesFisher.LogBesselI(row.Nu, row.Kappa));
        AssertClose(row, "log_normalizer", row.LogNormalizer, VonMisesFisher.LogNormalizer(row.D, row.Kappa));
        AssertClose(row, "vmf_entropy", row.VmfEntropy, VonMisesFisher.Entropy(row.D, row.Kappa));

        // The ratio: 1e-13 relative (SPEC.md), stricter than the absolute form for tiny ratios.
        double ratio = VonMisesFisher.BesselRatio(row.D, row.Kappa);
        Assert.True(Math.Abs(ratio - row.BesselRatio) <= 1e-13 * row.BesselRatio, $"ratio d={row.D} kappa={row.Kappa}: got {ratio:R}, want {row.BesselRatio:R}");
    }

    [Theory]
    [MemberData(nameof(LogNormRowIndices))]
    public void Golden_reference_constant_matches_or_refuses(int index)
    {
        LogNormRow row = GoldenData.Row(index);
        if (row.ReferenceConstant is double want)
        {
            AssertClose(row, "reference_constant", want, VonMisesFisher.Constant(row.D, row.Kappa, NormalizerMode.Reference));
        }
        else
        {
            var ex = Assert.Throws<ArgumentOutOfRangeException>(() => VonMisesFisher.Constant(row.D, row.Kappa, NormalizerMode.Reference));
            Assert.Equal("kappa", ex.ParamName);
            Assert.Contains("overflow", ex.Message, StringComparison.OrdinalIgnoreCase);
        }
    }
}
