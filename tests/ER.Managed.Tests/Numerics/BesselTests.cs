using ER.Managed.Kernels.VmfNormalizer;
using ER.Managed.Numerics;

namespace ER.Managed.Tests.Numerics;

/// <summary>
/// log I_nu and the Bessel ratio at points the golden table does not cover: the edges of the
/// supported range and both sides of the series/Debye boundary (mpmath, 50 digits).
/// </summary>
public class BesselTests
{
    [Theory]
    [InlineData(0.0, 1e-08, 2.500000000000000088987804e-17, 5.000000000000000042112804e-9)]
    [InlineData(-0.5, 1e-08, 8.984549019331455343247588, 9.999999999999999875892275e-9)]
    [InlineData(49999.0, 1e-08, -1446656.705669262847452637, 1.000000000000000020922561e-13)]
    [InlineData(0.5, 1e6, 999992.1733061878131902062, 0.999999)]
    [InlineData(4999.0, 1e6, 999979.6783255860288024469, 0.9950129949348081650645017)]
    [InlineData(0.0, 24.99, 22.46693013132783210216688, 0.9797832796893079309534681)]
    [InlineData(0.0, 25.01, 22.48652596037561483403329, 0.9797996206825285086378724)]
    [InlineData(24.5, 0.9, -75.94466621398128773961009, 0.01764177363373641859980207)]
    [InlineData(24.5, 1.2, -68.89028153688376955719199, 0.02351688952719556064292177)]
    [InlineData(10.0, 22.9, 18.22500006442366815603455, 0.6361370079974441813824806)]
    [InlineData(10.0, 23.0, 18.33224655936336660612191, 0.637330592818723675431101)]
    [InlineData(0.5, 700.0, 695.805521299273624921649, 0.9985714285714285714285714)]
    [InlineData(0.5, 1e-300, -345.6135553017515800225323, 3.333333333333333416863639e-301)]
    public void Log_bessel_and_ratio_match_mpmath(double nu, double x, double logI, double ratio)
    {
        // The golden table's lognorm tolerance; the ratio to 1e-13 relative.
        double tol = (1e-13 * Math.Max(1, Math.Abs(logI))) + (32 * Math.Pow(2, -52) * ((x * ratio) + Math.Abs(nu)));
        double got = VonMisesFisher.LogBesselI(nu, x);
        Assert.True(Math.Abs(got - logI) <= tol, $"log I_{nu}({x}) = {got:R}, want {logI:R}");
        double gotRatio = VmfScalar.BesselRatio(nu, x);
        Assert.True(Math.Abs(gotRatio - ratio) <= 1e-13 * ratio, $"ratio({nu}, {x}) = {gotRatio:R}, want {ratio:R}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(128)]
    [InlineData(100_000)]
    public void Extreme_kappas_stay_finite_and_ordered(int d)
    {
        foreach (double kappa in new[] { 1e-8, 1e-6, 1e6, 1e8 })
        {
            double logC = VonMisesFisher.LogNormalizer(d, kappa);
            double ratio = VonMisesFisher.BesselRatio(d, kappa);
            double entropy = VonMisesFisher.Entropy(d, kappa);
            Assert.True(double.IsFinite(logC) && double.IsFinite(entropy), $"d={d} kappa={kappa}");
            Assert.InRange(ratio, 0.0, 1.0);

            // Entropy is at most that of the uniform distribution, log|S^(d-1)|.
            Assert.True(entropy <= SpecialFunctions.LogSphereArea(d) + 1e-9 * Math.Abs(entropy), $"d={d} kappa={kappa}: {entropy}");
        }
    }

    [Fact]
    public void Small_kappa_limit_is_the_uniform_distribution()
    {
        // As kappa -> 0, C_d(kappa) -> 1/|S^(d-1)| and A_d(kappa) ~ kappa/d.
        foreach (int d in new[] { 1, 2, 3, 10, 1000 })
        {
            Assert.Equal(-SpecialFunctions.LogSphereArea(d), VonMisesFisher.LogNormalizer(d, 1e-8), 1e-12 * Math.Max(1, SpecialFunctions.LogSphereArea(d)));
            Assert.Equal(1e-8 / d, VonMisesFisher.BesselRatio(d, 1e-8), 1e-20);
        }

        // Check values: the uniform entropy on S^2 and S^127.
        Assert.Equal(2.531024, SpecialFunctions.LogSphereArea(3), 6);
        Assert.Equal(-127.053457, SpecialFunctions.LogSphereArea(128), 6);
    }

    [Fact]
    public void Bad_arguments_are_refused_with_the_argument_named()
    {
        Assert.Equal("order", Assert.Throws<ArgumentOutOfRangeException>(() => VonMisesFisher.LogBesselI(-0.6, 1)).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentOutOfRangeException>(() => VonMisesFisher.LogBesselI(0, -1)).ParamName);
        Assert.Equal("dimension", Assert.Throws<ArgumentOutOfRangeException>(() => VonMisesFisher.LogNormalizer(0, 1)).ParamName);
        foreach (double kappa in new[] { -1.0, -double.Epsilon, double.NaN, double.PositiveInfinity })
        {
            Assert.Equal("kappa", Assert.Throws<ArgumentOutOfRangeException>(() => VonMisesFisher.BesselRatio(3, kappa)).ParamName);
        }
    }
}
