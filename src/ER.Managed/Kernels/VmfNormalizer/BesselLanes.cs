using System.Runtime.CompilerServices;
using ER.Managed.Numerics;

namespace ER.Managed.Kernels.VmfNormalizer;

/// <summary>
/// The Bessel and vMF functions of <see cref="Bessel"/>, written once for every width: each lane
/// takes its own region (series, Debye, continued fraction) through masks, and iterative parts
/// (the 0F1 series, Perron's fraction) run until every lane has converged, a converged lane being
/// frozen at the step where the scalar code would have returned. So every lane gets exactly the
/// operations, in the same order, that the one-lane (scalar) instantiation performs, and the same
/// bits. The regions and their accuracy are described in <see cref="Bessel"/>.
/// </summary>
/// <typeparam name="TSimd">The width.</typeparam>
/// <typeparam name="TVec">Its register type.</typeparam>
internal static class BesselLanes<TSimd, TVec>
    where TSimd : struct, ISimdDouble<TVec>
    where TVec : struct
{
    /// <summary>
    /// sqrt(a^2 + x^2) for a finite constant a and lanes x, without overflow: the plain formula
    /// where both are inside [1e-150, 1e150], else max sqrt(1 + (min/max)^2).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVec Hypot(double a, TVec x)
    {
        TVec absA = TSimd.Broadcast(Math.Abs(a));
        TVec absX = TSimd.Abs(x);
        TVec max = TSimd.Max(absA, absX);
        TVec min = TSimd.Min(absA, absX);
        TVec plain = TSimd.Sqrt(TSimd.Add(TSimd.Multiply(absA, absA), TSimd.Multiply(absX, absX)));
        TVec plainFits = TSimd.And(TSimd.LessThan(max, TSimd.Broadcast(1e150)), TSimd.GreaterThan(min, TSimd.Broadcast(1e-150)));
        if (TSimd.All(plainFits))
        {
            return plain;
        }

        TVec r = TSimd.Divide(min, max);
        TVec scaled = TSimd.Multiply(max, TSimd.Sqrt(TSimd.Add(TSimd.Broadcast(1.0), TSimd.Multiply(r, r))));
        TVec result = TSimd.Select(plainFits, plain, scaled);
        TVec degenerate = TSimd.Or(TSimd.Equal(max, TSimd.Broadcast(0.0)), TSimd.Equal(max, TSimd.Broadcast(double.PositiveInfinity)));
        return TSimd.Select(degenerate, max, result);
    }

    /// <summary>log(1 + x), Kahan's compensated form (see <see cref="SpecialFunctions.Log1p"/>), with the runtime's vector log.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVec Log1p(TVec x)
    {
        TVec u = TSimd.Add(TSimd.Broadcast(1.0), x);
        TVec general = TSimd.Multiply(DoubleMath<TSimd, TVec>.Log(u), TSimd.Divide(x, TSimd.Subtract(u, TSimd.Broadcast(1.0))));
        TVec result = TSimd.Select(TSimd.Equal(u, TSimd.Broadcast(1.0)), x, general);
        return TSimd.Select(TSimd.Equal(u, TSimd.Broadcast(double.PositiveInfinity)), u, result);
    }

    /// <summary>log(a / b) for a, b &gt; 0, also where a / b would leave double's range.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVec LogQuotient(TVec a, TVec b)
    {
        TVec q = TSimd.Divide(a, b);
        TVec direct = DoubleMath<TSimd, TVec>.Log(q);
        TVec fits = TSimd.And(TSimd.GreaterThan(q, TSimd.Broadcast(1e-300)), TSimd.LessThan(q, TSimd.Broadcast(1e300)));
        if (TSimd.All(fits))
        {
            return direct;
        }

        return TSimd.Select(fits, direct, TSimd.Subtract(DoubleMath<TSimd, TVec>.Log(a), DoubleMath<TSimd, TVec>.Log(b)));
    }

    /// <summary>log(2 pi s) / 2 without forming 2 pi s.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVec HalfLogTwoPiTimes(TVec s) =>
        TSimd.Multiply(TSimd.Broadcast(0.5), TSimd.Add(TSimd.Broadcast(SpecialFunctions.LogTwoPi), DoubleMath<TSimd, TVec>.Log(s)));

    /// <summary>
    /// log 0F1(; b; q) on the lanes of <paramref name="active"/> (the others return log1p(0) = 0 and
    /// cost nothing: their q is taken as 0). The series runs until every active lane's last term
    /// is below 1e-17 of its sum; a lane stops adding at that step, as the scalar loop returns.
    /// </summary>
    /// <exception cref="InvalidOperationException">A lane has not converged after 10,000 terms (not reachable for the callers' regions).</exception>
    internal static TVec Log0F1(double b, TVec q, TVec active)
    {
        q = TSimd.Select(active, q, TSimd.Broadcast(0.0));
        TVec term = TSimd.Broadcast(1.0);
        TVec tail = TSimd.Broadcast(0.0);
        TVec running = active;
        TVec relative = TSimd.Broadcast(1e-17);
        for (int k = 1; k <= Bessel.MaxSeriesTerms; k++)
        {
            term = TSimd.Multiply(term, TSimd.Divide(q, TSimd.Broadcast(k * (b + k - 1.0))));
            tail = TSimd.Select(running, TSimd.Add(tail, term), tail);
            running = TSimd.AndNot(running, TSimd.LessThanOrEqual(term, TSimd.Multiply(relative, tail)));
            if (!TSimd.Any(running))
            {
                return Log1p(tail);
            }
        }

        throw new InvalidOperationException($"0F1 series did not converge for b = {b}.");
    }

    /// <summary>The Debye sum <c>sum_{k=0..K} U_k(p) / nu^k = sum_k s^-k sum_m c_{k,k+2m} p^(2m)</c>, p = nu / s.</summary>
    internal static TVec DebyeSum(TVec p, TVec s)
    {
        TVec p2 = TSimd.Multiply(p, p);
        TVec inverseS = TSimd.Divide(TSimd.Broadcast(1.0), s);
        TVec total = TSimd.Broadcast(0.0);
        double[][] coefficients = Bessel.DebyeCoefficients;
        for (int k = Bessel.DebyeTerms; k >= 0; k--)
        {
            double[] row = coefficients[k];
            TVec inner = TSimd.Broadcast(0.0);
            for (int m = k; m >= 0; m--)
            {
                inner = TSimd.Add(TSimd.Multiply(inner, p2), TSimd.Broadcast(row[m]));
            }

            total = TSimd.Add(TSimd.Multiply(total, inverseS), inner);
        }

        return total;
    }

    /// <summary>
    /// log I_nu(x) for lanes x &gt; 0 (see <see cref="VmfScalar.LogBesselI"/>), from pieces the caller shares
    /// between outputs: the series lanes (s &lt; 25) use <paramref name="log0F1"/> =
    /// log 0F1(; nu+1; x^2/4) and log Gamma(nu + 1); the others the Debye form with
    /// <paramref name="halfLogTwoPiS"/> = log(2 pi s)/2 and <paramref name="logDebyeSum"/>.
    /// </summary>
    internal static TVec LogI(double nu, double logGammaNuPlusOne, TVec x, TVec s, TVec series, TVec log0F1, TVec halfLogTwoPiS, TVec logDebyeSum)
    {
        TVec result = default;
        if (TSimd.Any(series))
        {
            // log(x) - log 2, not log(x / 2): x / 2 underflows to 0 for the smallest subnormal x.
            TVec logHalfX = TSimd.Subtract(DoubleMath<TSimd, TVec>.Log(x), TSimd.Broadcast(SpecialFunctions.Log2));
            result = TSimd.Add(TSimd.Subtract(TSimd.Multiply(TSimd.Broadcast(nu), logHalfX), TSimd.Broadcast(logGammaNuPlusOne)), log0F1);
        }

        if (!TSimd.All(series))
        {
            TVec nuV = TSimd.Broadcast(nu);
            TVec debye = TSimd.Add(
                TSimd.Subtract(TSimd.Add(s, TSimd.Multiply(nuV, LogQuotient(x, TSimd.Add(nuV, s)))), halfLogTwoPiS),
                logDebyeSum);
            result = TSimd.Select(series, result, debye);
        }

        return result;
    }

    /// <summary>
    /// <c>log I_nu(x) - x</c> on lanes in the Debye region (s &gt;= 25), from small pieces so that
    /// nothing of size x is subtracted: <c>(s - x) + nu log(x / (nu + s)) - log(2 pi s)/2 + log(sum U_k / nu^k)</c>
    /// with <c>s - x = nu p / (1 + x/s)</c> and <c>log(x / (nu + s)) = -log1p((nu + s - x) / x)</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVec LogIScaledDebye(double nu, TVec x, TVec s, TVec halfLogTwoPiS, TVec logDebyeSum)
    {
        TVec nuV = TSimd.Broadcast(nu);
        TVec p = TSimd.Divide(nuV, s);
        TVec sMinusX = TSimd.Divide(TSimd.Multiply(nuV, p), TSimd.Add(TSimd.Broadcast(1.0), TSimd.Divide(x, s)));
        TVec logTerm = TSimd.Multiply(nuV, Log1p(TSimd.Divide(TSimd.Add(nuV, sMinusX), x)));
        return TSimd.Add(TSimd.Subtract(TSimd.Subtract(sMinusX, logTerm), halfLogTwoPiS), logDebyeSum);
    }

    /// <summary>
    /// A = I_{nu+1}(x) / I_nu(x) for nu &gt; -1/2 and lanes x &gt; 0, and <c>x (1 - A)</c> without
    /// cancellation, by Perron's continued fraction (see <see cref="VmfScalar.BesselRatio(double, double, out double)"/>):
    /// lanes with x &gt; 1 take the scaled form, the others the plain one; both are one recurrence
    /// <c>a_k = alpha_k w_a</c>, <c>b_k = beta_k w_b + v_b</c> with per-lane (w_a, w_b, v_b) =
    /// (1/x, 1/x, 2) or (x, 1, 2x), multiplying by 1 being exact.
    /// </summary>
    internal static TVec Ratio(double nu, TVec x, out TVec complementTimesX)
    {
        double mu = nu + 1.0;
        double twoMu = 2.0 * mu;
        TVec one = TSimd.Broadcast(1.0);
        TVec twoMuV = TSimd.Broadcast(twoMu);
        TVec scaled = TSimd.GreaterThan(x, one);
        TVec inverseX = TSimd.Select(scaled, TSimd.Divide(one, x), one);
        TVec numeratorScale = TSimd.Select(scaled, inverseX, x);
        TVec twoX = TSimd.Multiply(TSimd.Broadcast(2.0), x);
        TVec denominatorOffset = TSimd.Select(scaled, TSimd.Broadcast(2.0), twoX);
        TVec a1 = TSimd.Multiply(TSimd.Broadcast(-(twoMu + 1.0)), numeratorScale);
        TVec tail = ContinuedFractionTail(mu, x, inverseX, scaled, numeratorScale, denominatorOffset);

        // x > 1: A = 1 / (1 + e), e = 2mu/x + a_1/T, x (1 - A) = (2mu - (2mu+1)/T) / (1 + e).
        TVec excess = TSimd.Add(TSimd.Multiply(twoMuV, inverseX), TSimd.Divide(a1, tail));
        TVec onePlusExcess = TSimd.Add(one, excess);
        TVec scaledComplement = TSimd.Divide(TSimd.Subtract(twoMuV, TSimd.Divide(TSimd.Broadcast(twoMu + 1.0), tail)), onePlusExcess);
        TVec scaledRatio = TSimd.Divide(one, onePlusExcess);

        // x <= 1: A <= x / (2 mu) is far from 1, so 1 - A has no cancellation.
        TVec plainRatio = TSimd.Divide(x, TSimd.Add(TSimd.Add(twoMuV, x), TSimd.Divide(a1, tail)));
        TVec plainComplement = TSimd.Multiply(x, TSimd.Subtract(one, plainRatio));

        complementTimesX = TSimd.Select(scaled, scaledComplement, plainComplement);
        return TSimd.Select(scaled, scaledRatio, plainRatio);
    }

    /// <summary>The tail T = b_1 + a_2 / (b_2 + ...) of Perron's fraction by modified Lentz, per lane until |delta - 1| &lt;= 1e-16.</summary>
    /// <exception cref="InvalidOperationException">A lane has not converged after 100,000 steps.</exception>
    private static TVec ContinuedFractionTail(double mu, TVec x, TVec inverseX, TVec scaled, TVec numeratorScale, TVec denominatorOffset)
    {
        TVec tiny = TSimd.Broadcast(1e-300);
        TVec zero = TSimd.Broadcast(0.0);
        TVec one = TSimd.Broadcast(1.0);
        TVec tolerance = TSimd.Broadcast(1e-16);
        TVec denominatorScale = TSimd.Select(scaled, inverseX, one);
        TVec f = TSimd.Add(TSimd.Multiply(TSimd.Broadcast((2.0 * mu) + 1.0), denominatorScale), denominatorOffset);
        TVec c = f;
        TVec d = zero;
        TVec running = TSimd.Equal(x, x);
        for (int k = 2; k <= Bessel.MaxContinuedFractionSteps; k++)
        {
            TVec a = TSimd.Multiply(TSimd.Broadcast(-((2.0 * mu) + (2.0 * k) - 1.0)), numeratorScale);
            TVec b = TSimd.Add(TSimd.Multiply(TSimd.Broadcast((2.0 * mu) + k), denominatorScale), denominatorOffset);
            d = TSimd.Add(b, TSimd.Multiply(a, d));
            d = TSimd.Select(TSimd.Equal(d, zero), tiny, d);
            c = TSimd.Add(b, TSimd.Divide(a, c));
            c = TSimd.Select(TSimd.Equal(c, zero), tiny, c);
            d = TSimd.Divide(one, d);
            TVec delta = TSimd.Multiply(c, d);
            f = TSimd.Select(running, TSimd.Multiply(f, delta), f);
            running = TSimd.AndNot(running, TSimd.LessThanOrEqual(TSimd.Abs(TSimd.Subtract(delta, one)), tolerance));
            if (!TSimd.Any(running))
            {
                return f;
            }
        }

        throw new InvalidOperationException($"Bessel ratio continued fraction did not converge for nu = {mu - 1.0}.");
    }
}
