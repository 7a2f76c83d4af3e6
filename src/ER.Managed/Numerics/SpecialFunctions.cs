namespace ER.Managed.Numerics;

/// <summary>
/// Elementary special functions in double precision that .NET does not provide accurately:
/// log-gamma (absent from the BCL) and log(1 + x) (<see cref="Math"/> has no log1p, and
/// <c>double.LogP1</c> is a plain <c>Log(1 + x)</c> that loses all digits for tiny x).
/// </summary>
internal static class SpecialFunctions
{
    /// <summary>0.5 * log(2 pi).</summary>
    internal const double HalfLogTwoPi = 0.91893853320467274178032973640562;

    /// <summary>log(2 pi).</summary>
    internal const double LogTwoPi = 1.8378770664093454835606594728112;

    /// <summary>log(pi).</summary>
    internal const double LogPi = 1.1447298858494001741434273513531;

    /// <summary>log(pi) / 2 = log Gamma(1/2).</summary>
    internal const double HalfLogPi = 0.57236494292470008707171367567653;

    /// <summary>log(2).</summary>
    internal const double Log2 = 0.69314718055994530941723212145818;

    // Stirling's series is used from this argument up. With the eight terms below its
    // truncation error there is below 3617/122400 / 12^15 ~ 2e-18, under half an ulp.
    private const double StirlingThreshold = 12.0;

    // B_{2k} / (2k (2k - 1)) for k = 1..8 (Bernoulli numbers), highest first for Horner.
    private static ReadOnlySpan<double> StirlingCoefficients =>
    [
        -3617.0 / 122400.0,
        1.0 / 156.0,
        -691.0 / 360360.0,
        1.0 / 1188.0,
        -1.0 / 1680.0,
        1.0 / 1260.0,
        -1.0 / 360.0,
        1.0 / 12.0,
    ];

    /// <summary>
    /// log(1 + x), accurate to a few ulps for every x &gt; -1 (Kahan's trick: the rounding
    /// error of 1 + x is compensated by the factor x / ((1 + x) - 1)).
    /// </summary>
    internal static double Log1p(double x)
    {
        double u = 1.0 + x;
        if (u == 1.0)
        {
            return x;
        }

        if (double.IsPositiveInfinity(u))
        {
            return u;
        }

        return Math.Log(u) * (x / (u - 1.0));
    }

    /// <summary>
    /// log Gamma(x) for x &gt; 0 (NaN otherwise). Stirling's series from 12 up; below, the
    /// recurrence Gamma(x) = Gamma(x + n) / (x (x+1) ... (x+n-1)). Relative error a few ulps
    /// away from the zeros at 1 and 2; near them the absolute error stays below 1e-14 (the
    /// rounding of two values near 17 that the recurrence subtracts), far inside what the
    /// vMF normalizer's 1e-13 tolerance allows.
    /// </summary>
    internal static double LogGamma(double x)
    {
        if (!(x > 0.0))
        {
            return double.NaN;
        }

        if (double.IsPositiveInfinity(x))
        {
            return x;
        }

        // Gamma(1) = Gamma(2) = 1 exactly; the Stirling route below would leave ~2^-48 there.
        if (x == 1.0 || x == 2.0)
        {
            return 0.0;
        }

        // Gamma(1/2) = sqrt(pi): log|S^0| = log 2 exactly rests on it.
        if (x == 0.5)
        {
            return HalfLogPi;
        }

        if (x >= StirlingThreshold)
        {
            return Stirling(x);
        }

        // x (x+1) ... stays far below double's range for x < 12, and above its subnormals
        // unless x itself is subnormal, where log(prod) is still exact enough.
        double product = 1.0;
        while (x < StirlingThreshold)
        {
            product *= x;
            x += 1.0;
        }

        return Stirling(x) - Math.Log(product);
    }

    /// <summary>The Euler-Mascheroni constant.</summary>
    internal const double EulerGamma = 0.57721566490153286060651209008240;

    /// <summary>
    /// The digamma function psi(n) at a positive integer: <c>-gamma + sum_{k=1}^{n-1} 1/k</c> summed
    /// directly below 64, above by the asymptotic series <c>log n - 1/(2n) - sum B_2k / (2k n^2k)</c>
    /// (five terms: truncation below 1e-19 from n = 64).
    /// </summary>
    internal static double Digamma(int n)
    {
        if (n < 1)
        {
            return double.NaN;
        }

        if (n < 64)
        {
            double sum = -EulerGamma;
            for (int k = n - 1; k >= 1; k--)
            {
                sum += 1.0 / k;
            }

            return sum;
        }

        double x = n;
        double inverseSquare = 1.0 / (x * x);
        double series = inverseSquare * ((1.0 / 12.0) - (inverseSquare * ((1.0 / 120.0) - (inverseSquare * ((1.0 / 252.0) - (inverseSquare * ((1.0 / 240.0) - (inverseSquare / 132.0))))))));
        return Math.Log(x) - (0.5 / x) - series;
    }

    private static double Stirling(double x)
    {
        double inverse = 1.0 / x;
        double inverseSquared = inverse * inverse;
        double series = 0.0;
        foreach (double coefficient in StirlingCoefficients)
        {
            series = (series * inverseSquared) + coefficient;
        }

        return ((x - 0.5) * Math.Log(x)) - x + HalfLogTwoPi + (series * inverse);
    }

    /// <summary>log |S^(d-1)| = log 2 + (d/2) log pi - lgamma(d/2), the log surface area of the unit sphere.</summary>
    internal static double LogSphereArea(int dimension) =>
        Log2 + (0.5 * dimension * LogPi) - LogGamma(0.5 * dimension);
}
