using System;

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
/// </remarks>
internal static class Bessel
{
    /// <summary>Below this s = hypot(nu, x) the power series is used, above it the Debye expansion.</summary>
    internal const double SeriesRadius = 25.0;

    /// <summary>Number of Debye terms U_1..U_K beyond U_0.</summary>
    internal const int DebyeTerms = 20;

    private const int MaxSeriesTerms = 10_000;
    private const int MaxContinuedFractionSteps = 100_000;

    private static readonly double[][] DebyeCoefficients = DebyePolynomials.GenerateForEvaluation(DebyeTerms);

    /// <summary>log I_nu(x) for nu &gt;= -1/2, x &gt; 0.</summary>
    internal static double LogI(double nu, double x)
    {
        double s = Hypot(nu, x);
        if (s < SeriesRadius)
        {
            // log(x) - log 2, not log(x / 2): x / 2 underflows to 0 for the smallest subnormal x.
            return (nu * (Math.Log(x) - SpecialFunctions.Log2)) - SpecialFunctions.LogGamma(nu + 1.0) + Log0F1(nu + 1.0, 0.25 * x * x);
        }

        double p = nu / s;
        return s + (nu * LogQuotient(x, nu + s)) - HalfLogTwoPiTimes(s) + Math.Log(DebyeSum(p, s));
    }

    /// <summary>
    /// <c>log I_nu(x) - x</c>, the logarithm of the exponentially scaled Bessel function, for
    /// nu &gt;= -1/2, x &gt; 0. In the Debye region it is formed from small pieces,
    /// <c>(s - x) + nu log(x / (nu + s)) - log(2 pi s)/2 + log(sum U_k / nu^k)</c> with
    /// <c>s - x = nu p / (1 + x/s)</c> and <c>log(x / (nu + s)) = -log1p((nu + s - x) / x)</c>, so
    /// nothing of size x is ever subtracted: callers that cancel x analytically (the vMF entropy
    /// at large kappa) keep every digit.
    /// </summary>
    internal static double LogIScaled(double nu, double x)
    {
        double s = Hypot(nu, x);
        if (s < SeriesRadius)
        {
            return LogI(nu, x) - x;
        }

        double p = nu / s;
        double sMinusX = nu * p / (1.0 + (x / s));
        return sMinusX - (nu * SpecialFunctions.Log1p((nu + sMinusX) / x)) - HalfLogTwoPiTimes(s) + Math.Log(DebyeSum(p, s));
    }

    /// <summary>log(2 pi s) / 2 without forming 2 pi s, which overflows for s above about 2.86e307.</summary>
    internal static double HalfLogTwoPiTimes(double s) => 0.5 * (SpecialFunctions.LogTwoPi + Math.Log(s));

    /// <summary>
    /// log 0F1(; b; q) = log sum_k q^k / (k! (b)_k) for b &gt; 0, q &gt;= 0, by the series, which
    /// converges fast when q is small against b or absolutely small. Returned through log1p
    /// of the tail so that tiny q keeps its digits.
    /// </summary>
    internal static double Log0F1(double b, double q)
    {
        double term = 1.0;
        double tail = 0.0;
        for (int k = 1; k <= MaxSeriesTerms; k++)
        {
            term *= q / (k * (b + k - 1.0));
            tail += term;
            if (term <= 1e-17 * tail)
            {
                return SpecialFunctions.Log1p(tail);
            }
        }

        throw new InvalidOperationException($"0F1 series did not converge for b = {b}, q = {q}.");
    }

    /// <summary>
    /// The Debye sum <c>sum_{k=0..K} U_k(p) / nu^k = sum_k s^-k sum_m c_{k,k+2m} p^(2m)</c>.
    /// </summary>
    internal static double DebyeSum(double p, double s)
    {
        double p2 = p * p;
        double inverseS = 1.0 / s;
        double total = 0.0;
        for (int k = DebyeTerms; k >= 0; k--)
        {
            double[] coefficients = DebyeCoefficients[k];
            double inner = 0.0;
            for (int m = k; m >= 0; m--)
            {
                inner = (inner * p2) + coefficients[m];
            }

            total = (total * inverseS) + inner;
        }

        return total;
    }

    /// <summary>I_{nu+1}(x) / I_nu(x) for nu &gt;= -1/2, x &gt; 0; see <see cref="Ratio(double, double, out double)"/>.</summary>
    internal static double Ratio(double nu, double x) => Ratio(nu, x, out _);

    /// <summary>
    /// A = I_{nu+1}(x) / I_nu(x) for nu &gt;= -1/2, x &gt; 0, and <c>x (1 - A)</c> without the
    /// cancellation of <c>1 - A</c> (A tends to 1 as x grows), by Perron's continued fraction
    /// <c>A = x / (2nu+2+x - (2nu+3) x / (2nu+3+2x - (2nu+5) x / (2nu+4+2x - ...)))</c>
    /// (Gautschi and Slavik 1978), with partial numerators a_k = -(2nu+2k+1) x and
    /// denominators b_k = 2nu+2+k+2x. For x &gt; 1 every level is divided by x so that the terms
    /// stay of order one however large x is; then <c>A = 1 / (1 + e)</c> with
    /// <c>e = (2nu+2)/x + a_1 / T</c> and T the fraction's tail from b_1, so
    /// <c>x (1 - A) = (2nu+2 + x a_1 / T) / (1 + e)</c> is formed from quantities of order one
    /// (x a_1 = -(2nu+3) for the scaled terms). For nu = -1/2 (d = 1) the closed forms
    /// <c>A = tanh x</c> and <c>1 - A = 2 e^(-2x) / (1 + e^(-2x))</c> are used: there the
    /// fraction's e cancels to an exponentially small number. Result in [0, 1].
    /// </summary>
    internal static double Ratio(double nu, double x, out double complementTimesX)
    {
        if (nu == -0.5)
        {
            double t = Math.Exp(-2.0 * x);
            complementTimesX = x * (2.0 * t / (1.0 + t));
            return Math.Tanh(x);
        }

        // Perron's fraction is usually written for I_mu / I_{mu-1}; here mu = nu + 1.
        double mu = nu + 1.0;
        bool scaled = x > 1.0;
        double inverseX = scaled ? 1.0 / x : 1.0;
        double a1 = scaled ? -((2.0 * mu) + 1.0) * inverseX : -((2.0 * mu) + 1.0) * x;
        double tail = ContinuedFractionTail(mu, x, inverseX, scaled);
        if (scaled)
        {
            double excess = (2.0 * mu * inverseX) + (a1 / tail);
            complementTimesX = ((2.0 * mu) - (((2.0 * mu) + 1.0) / tail)) / (1.0 + excess);
            return 1.0 / (1.0 + excess);
        }

        // x <= 1: A <= x / (2 mu) is far from 1, so 1 - A has no cancellation.
        double ratio = x / ((2.0 * mu) + x + (a1 / tail));
        complementTimesX = x * (1.0 - ratio);
        return ratio;
    }

    /// <summary>
    /// The tail <c>T = b_1 + a_2 / (b_2 + a_3 / (b_3 + ...))</c> of Perron's fraction (modified Lentz),
    /// in the scaled or unscaled form of <see cref="Ratio(double, double, out double)"/>.
    /// </summary>
    private static double ContinuedFractionTail(double mu, double x, double inverseX, bool scaled)
    {
        const double Tiny = 1e-300;
        double f = scaled ? (((2.0 * mu) + 1.0) * inverseX) + 2.0 : (2.0 * mu) + 1.0 + (2.0 * x);
        double c = f;
        double d = 0.0;
        for (int k = 2; k <= MaxContinuedFractionSteps; k++)
        {
            double a = scaled ? -((2.0 * mu) + (2.0 * k) - 1.0) * inverseX : -((2.0 * mu) + (2.0 * k) - 1.0) * x;
            double b = scaled ? (((2.0 * mu) + k) * inverseX) + 2.0 : (2.0 * mu) + k + (2.0 * x);
            d = b + (a * d);
            if (d == 0.0)
            {
                d = Tiny;
            }

            c = b + (a / c);
            if (c == 0.0)
            {
                c = Tiny;
            }

            d = 1.0 / d;
            double delta = c * d;
            f *= delta;
            if (Math.Abs(delta - 1.0) <= 1e-16)
            {
                return f;
            }
        }

        throw new InvalidOperationException($"Bessel ratio continued fraction did not converge for nu = {mu - 1.0}, x = {x}.");
    }

    /// <summary>sqrt(a^2 + b^2) without overflow for any finite a, b.</summary>
    internal static double Hypot(double a, double b)
    {
        a = Math.Abs(a);
        b = Math.Abs(b);
        double max = Math.Max(a, b);
        if (max == 0.0 || double.IsPositiveInfinity(max))
        {
            return max;
        }

        double min = Math.Min(a, b);
        if (max < 1e150 && min > 1e-150)
        {
            return Math.Sqrt((a * a) + (b * b));
        }

        double r = min / max;
        return max * Math.Sqrt(1.0 + (r * r));
    }

    /// <summary>log(a / b) for a, b &gt; 0, also where a / b would leave double's range.</summary>
    internal static double LogQuotient(double a, double b)
    {
        double q = a / b;
        return q is > 1e-300 and < 1e300 ? Math.Log(q) : Math.Log(a) - Math.Log(b);
    }
}
