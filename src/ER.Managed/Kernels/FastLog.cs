using System.Runtime.CompilerServices;

namespace ER.Managed.Kernels;

/// <summary>
/// A vectorized float natural logarithm for positive normal inputs (at least 1.2e-38), within
/// 2 ulps; the discrete terms only take logarithms of <c>p + 1e-7</c>, so their inputs always are.
/// </summary>
/// <remarks>
/// <para>
/// <c>x = m 2^e</c> with m in [sqrt(1/2), sqrt(2)) by bit arithmetic, then
/// <c>log x = e ln 2 + log m</c> with <c>log(1 + f)</c>, f = m - 1, from the Cephes logf polynomial
/// and ln 2 split into a high and a low part.
/// </para>
/// <para>
/// Hand-written because the runtime's Vector512.Log for float measured 3 ns an element here,
/// which made the discrete reconstruction (two logarithms an element) compute-bound at several
/// times its memory-traffic floor; this one is about a tenth of that.
/// </para>
/// </remarks>
internal static class FastLog
{
    private const float Ln2High = 0.693359375f;
    private const float Ln2Low = -2.12194440e-4f;

    // The Cephes logf polynomial p(f), C8 f^8 + ... + C0, evaluated by Horner's rule.
    private const float C8 = 7.0376836292e-2f;
    private const float C7 = -1.1514610310e-1f;
    private const float C6 = 1.1676998740e-1f;
    private const float C5 = -1.2420140846e-1f;
    private const float C4 = 1.4249322787e-1f;
    private const float C3 = -1.6668057665e-1f;
    private const float C2 = 2.0000714765e-1f;
    private const float C1 = -2.4999993993e-1f;
    private const float C0 = 3.3333331174e-1f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVec Run<TSimd, TVec>(TVec x)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct
    {
        TVec f = Reduce<TSimd, TVec>(x, out TVec e);
        TVec p = TSimd.Broadcast(C8);
        p = TSimd.MultiplyAdd(p, f, TSimd.Broadcast(C7));
        p = TSimd.MultiplyAdd(p, f, TSimd.Broadcast(C6));
        p = TSimd.MultiplyAdd(p, f, TSimd.Broadcast(C5));
        p = TSimd.MultiplyAdd(p, f, TSimd.Broadcast(C4));
        p = TSimd.MultiplyAdd(p, f, TSimd.Broadcast(C3));
        p = TSimd.MultiplyAdd(p, f, TSimd.Broadcast(C2));
        p = TSimd.MultiplyAdd(p, f, TSimd.Broadcast(C1));
        p = TSimd.MultiplyAdd(p, f, TSimd.Broadcast(C0));
        return Finish<TSimd, TVec>(f, e, p);
    }

    /// <summary>
    /// <see cref="Run"/> of two registers, the same operations lane for lane (so the same bits),
    /// interleaved: each polynomial coefficient is used by the two adjacent multiply-adds. Two calls
    /// of <see cref="Run"/> in a row let the JIT share each coefficient's register across both
    /// logarithms, and with AVX2's 16 registers it kept five of them, and the loop's sum, on the
    /// stack: a store and a reload each, every register of the discrete reconstruction. Interleaved,
    /// the AVX2 path's discrete reconstruction at 64 x 4096, one thread, took 0.244-0.253 ms
    /// against 0.277-0.292 forward (0.310-0.319 against 0.357-0.368 with the gradients); AVX-512
    /// unchanged (Intel Xeon, Emerald Rapids, 2026-12-05, alternating runs).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void RunPair<TSimd, TVec>(TVec x, TVec y, out TVec logX, out TVec logY)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct
    {
        TVec fx = Reduce<TSimd, TVec>(x, out TVec ex);
        TVec fy = Reduce<TSimd, TVec>(y, out TVec ey);
        TVec px = TSimd.Broadcast(C8), py = px;
        HornerStep<TSimd, TVec>(ref px, ref py, fx, fy, C7);
        HornerStep<TSimd, TVec>(ref px, ref py, fx, fy, C6);
        HornerStep<TSimd, TVec>(ref px, ref py, fx, fy, C5);
        HornerStep<TSimd, TVec>(ref px, ref py, fx, fy, C4);
        HornerStep<TSimd, TVec>(ref px, ref py, fx, fy, C3);
        HornerStep<TSimd, TVec>(ref px, ref py, fx, fy, C2);
        HornerStep<TSimd, TVec>(ref px, ref py, fx, fy, C1);
        HornerStep<TSimd, TVec>(ref px, ref py, fx, fy, C0);
        logX = Finish<TSimd, TVec>(fx, ex, px);
        logY = Finish<TSimd, TVec>(fy, ey, py);
    }

    /// <summary><c>p = p f + c</c> in both registers, the coefficient broadcast once for the two adjacent multiply-adds.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void HornerStep<TSimd, TVec>(ref TVec px, ref TVec py, TVec fx, TVec fy, float coefficient)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct
    {
        TVec c = TSimd.Broadcast(coefficient);
        px = TSimd.MultiplyAdd(px, fx, c);
        py = TSimd.MultiplyAdd(py, fy, c);
    }

    /// <summary>f = m - 1 and the exponent e of <c>x = m 2^e</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec Reduce<TSimd, TVec>(TVec x, out TVec e)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct => TSimd.Subtract(TSimd.SplitExponent(x, out e), TSimd.Broadcast(1f));

    /// <summary>log(1 + f) = f - f^2/2 + f^3 p(f); the e ln 2 term added in two parts.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec Finish<TSimd, TVec>(TVec f, TVec e, TVec p)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct
    {
        TVec f2 = TSimd.Multiply(f, f);
        TVec y = TSimd.Multiply(TSimd.Multiply(f2, f), p);
        y = TSimd.MultiplyAdd(e, TSimd.Broadcast(Ln2Low), y);
        y = TSimd.MultiplyAdd(f2, TSimd.Broadcast(-0.5f), y);
        return TSimd.MultiplyAdd(e, TSimd.Broadcast(Ln2High), TSimd.Add(f, y));
    }
}
