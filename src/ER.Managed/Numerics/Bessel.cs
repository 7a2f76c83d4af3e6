namespace ER.Managed.Numerics;

/// <summary>
/// The modified Bessel function of the first kind in log form, log I_nu(x), and the ratio
/// I_{nu+1}(x) / I_nu(x), in double, for nu &gt;= -1/2 and x &gt; 0, free of overflow and
/// underflow for every such argument (I_nu itself leaves double's range already at
/// x ~ 713 or nu*log(x) ~ -745).
/// </summary>
/// <remarks>
/// Regions for log I_nu(x), with s = sqrt(nu^2 + x^2):
/// <list type="bullet">
/// <item><description>s &lt; <see cref="SeriesRadius"/>: the power series
/// <c>I_nu(x) = (x/2)^nu / Gamma(nu+1) * 0F1(; nu+1; x^2/4)</c> in log form. Its terms are
/// all positive, so it sums without cancellation; with s below 25 it needs at most ~60
/// terms and its error stays near 1e-15 relative (checked against mpmath).</description></item>
/// <item><description>s &gt;= <see cref="SeriesRadius"/>: the uniform (Debye/Olver) expansion
/// DLMF 10.41.3 written with s, <c>I_nu(x) ~ e^eta / sqrt(2 pi s) * sum_k U_k(p) / nu^k</c>,
/// <c>eta = s + nu log(x / (nu + s))</c>, <c>p = nu / s</c>. Written this way it also holds at
/// nu = 0 and nu = -1/2, where it is Hankel's large-argument series. With
/// <see cref="DebyeTerms"/> terms its truncation error at s = 25 is about 4e-18 (the
/// worst case is p = 0, whose k-th term is ((2k-1)!!)^2 / (k! 8^k s^k)); uniformly in nu it
/// is smaller still.</description></item>
/// </list>
/// The ratio comes from Perron's continued fraction (modified Lentz), which converges in
/// at most ~60 steps over the whole range, never from exp(log I_{nu+1} - log I_nu), whose
/// two large logarithms would leave up to 1e5 ulps of their rounding in the ratio.
/// This class holds the method's constants; the code lives in the vMF kernel
/// (<c>Kernels/VmfNormalizer/BesselLanes</c>), written once for every SIMD width, with scalar entry
/// points in <c>VmfScalar</c>.
/// </remarks>
internal static class Bessel
{
    /// <summary>Below this s = hypot(nu, x) the power series is used, above it the Debye expansion.</summary>
    internal const double SeriesRadius = 25.0;

    /// <summary>Number of Debye terms U_1..U_K beyond U_0.</summary>
    internal const int DebyeTerms = 20;

    /// <summary>The 0F1 series gives up (and throws) after this many terms; no caller's region comes near it.</summary>
    internal const int MaxSeriesTerms = 10_000;

    /// <summary>Perron's fraction gives up (and throws) after this many steps; it needs at most ~60.</summary>
    internal const int MaxContinuedFractionSteps = 100_000;

    /// <summary>c_{k,k+2m} of <see cref="DebyePolynomials.GenerateForEvaluation"/>: [k][m] for k = 0..<see cref="DebyeTerms"/>.</summary>
    internal static readonly double[][] DebyeCoefficients = DebyePolynomials.GenerateForEvaluation(DebyeTerms);
}
