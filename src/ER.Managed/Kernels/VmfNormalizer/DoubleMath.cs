using System.Runtime.CompilerServices;

namespace ER.Managed.Kernels.VmfNormalizer;

/// <summary>Bit patterns for <see cref="ISimdLanes{TVec, T}.SplitExponent"/> for doubles.</summary>
internal static class DoubleBits
{
    /// <summary>bits(1.0) - bits(sqrt(1/2)): added to a double's bits, the exponent field becomes that of x / sqrt(1/2).</summary>
    internal const ulong SqrtHalfOffset = 0x3FF0000000000000UL - 0x3FE6A09E667F3BCDUL;

    /// <summary>bits(1.0).</summary>
    internal const ulong OneBits = 0x3FF0000000000000UL;

    /// <summary>bits(2^52 + 2^51): OR-ing a small integer n into it gives the double 2^52 + 2^51 + n exactly.</summary>
    internal const ulong MagicBits = 0x4338000000000000UL;

    /// <summary>2^52 + 2^51 + 1023: subtracted from the above, leaves the unbiased exponent.</summary>
    internal const double MagicPlusBias = 6755399441055744.0 + 1023.0;
}

/// <summary>
/// Elementary functions for <see cref="ISimdDouble{TVec}"/> widths, built only from operations that
/// round identically in every width, so that the scalar and vector paths give the same bits.
/// </summary>
/// <remarks>
/// Why our own log rather than <c>Vector128/256/512.Log</c> or <see cref="System.Math.Log(double)"/>:
/// the scalar API must give the vector kernel's bits (the runtime's vector log and the C library's
/// differ by up to 3 ulp, and the vMF functions subtract large logarithms), and the runtime's
/// ReadyToRun-compiled <c>Vector128.Log</c> ran the scalar vMF functions 4-5x slower in processes
/// with tiered compilation off (the <c>er</c> CLI): measured 0.88 against 0.18 us per log I on Zen 5.
/// </remarks>
internal static class DoubleMath<TSimd, TVec>
    where TSimd : struct, ISimdDouble<TVec>
    where TVec : struct
{
    // fdlibm's e_log.c: ln 2 split so that k * Ln2High is exact for |k| < 2^11, and the minimax
    // coefficients of (log(1+f) - 2s)/s - ... in s = f / (2 + f); error below 1 ulp.
    private const double Ln2High = 6.93147180369123816490e-01;
    private const double Ln2Low = 1.90821492927058770002e-10;
    private const double Lg1 = 6.666666666666735130e-01;
    private const double Lg2 = 3.999999999940941908e-01;
    private const double Lg3 = 2.857142874366239149e-01;
    private const double Lg4 = 2.222219843214978396e-01;
    private const double Lg5 = 1.818357216161805012e-01;
    private const double Lg6 = 1.531383769920937332e-01;
    private const double Lg7 = 1.479819860511658591e-01;

    /// <summary>Smallest positive normal double, 2^-1022.</summary>
    private const double SmallestNormal = 2.2250738585072014e-308;

    /// <summary>
    /// Natural log of positive finite lanes (subnormals included), within 1 ulp: x = m 2^k with m in
    /// [sqrt(1/2), sqrt(2)), f = m - 1, s = f / (2 + f), <c>log x = k ln2 + f - (f^2/2 - s (f^2/2 + R(s^2)))</c>.
    /// Lanes that are 0, negative, infinite or NaN get an unspecified value (the kernel discards them).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVec Log(TVec x)
    {
        TVec subnormal = TSimd.LessThan(x, TSimd.Broadcast(SmallestNormal));
        bool anySubnormal = TSimd.Any(subnormal);
        if (anySubnormal)
        {
            x = TSimd.Select(subnormal, TSimd.Multiply(x, TSimd.Broadcast(18014398509481984.0)), x); // 2^54
        }

        TVec m = TSimd.SplitExponent(x, out TVec k);
        if (anySubnormal)
        {
            k = TSimd.Subtract(k, TSimd.Select(subnormal, TSimd.Broadcast(54.0), TSimd.Broadcast(0.0)));
        }

        TVec f = TSimd.Subtract(m, TSimd.Broadcast(1.0));
        TVec halfSquare = TSimd.Multiply(TSimd.Multiply(TSimd.Broadcast(0.5), f), f);
        TVec s = TSimd.Divide(f, TSimd.Add(TSimd.Broadcast(2.0), f));
        TVec z = TSimd.Multiply(s, s);
        TVec w = TSimd.Multiply(z, z);
        TVec t1 = TSimd.Multiply(w, TSimd.Add(TSimd.Broadcast(Lg2), TSimd.Multiply(w, TSimd.Add(TSimd.Broadcast(Lg4), TSimd.Multiply(w, TSimd.Broadcast(Lg6))))));
        TVec t2 = TSimd.Multiply(z, TSimd.Add(TSimd.Broadcast(Lg1), TSimd.Multiply(w, TSimd.Add(TSimd.Broadcast(Lg3), TSimd.Multiply(w, TSimd.Add(TSimd.Broadcast(Lg5), TSimd.Multiply(w, TSimd.Broadcast(Lg7))))))));
        TVec r = TSimd.Add(t2, t1);
        TVec correction = TSimd.Add(TSimd.Multiply(s, TSimd.Add(halfSquare, r)), TSimd.Multiply(k, TSimd.Broadcast(Ln2Low)));
        return TSimd.Subtract(
            TSimd.Multiply(k, TSimd.Broadcast(Ln2High)),
            TSimd.Subtract(TSimd.Subtract(halfSquare, correction), f));
    }
}
