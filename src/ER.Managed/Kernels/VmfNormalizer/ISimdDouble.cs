using System.Runtime.CompilerServices;

namespace ER.Managed.Kernels.VmfNormalizer;

/// <summary>
/// One SIMD width of doubles as the vMF normalizer kernel sees it: a register of
/// <see cref="Count"/> doubles, masks held in the same register type (all bits set for true),
/// and the operations the Bessel code needs. The kernel is written once against this interface
/// (<see cref="BesselLanes{TSimd, TVec}"/>) and instantiated per width
/// (<see cref="SimdDouble512"/>, <see cref="SimdDouble256"/>, <see cref="SimdDouble128"/>,
/// <see cref="SimdDoubleScalar"/>).
/// </summary>
/// <remarks>
/// Every operation is an IEEE operation that rounds the same way in every width (add, subtract,
/// multiply, divide and square root are correctly rounded; no multiply-add is contracted), and the
/// logarithm is our own (<see cref="DoubleMath{TSimd, TVec}.Log"/>) built from them: so a kappa gives
/// the same bits whichever width computes it and whichever lane it sits in. That is what lets the
/// scalar API be the kernel's scalar width.
/// </remarks>
/// <typeparam name="TVec">The register type (Vector512&lt;double&gt;, ..., or double itself).</typeparam>
internal interface ISimdDouble<TVec>
    where TVec : struct
{
    /// <summary>Lanes per register.</summary>
    static abstract int Count { get; }

    /// <summary>Whether this width runs on hardware instructions here (otherwise emulated, slowly but with the same results).</summary>
    static abstract bool IsHardwareAccelerated { get; }

    static abstract TVec Broadcast(double value);

    /// <summary>Loads Count doubles from <paramref name="source"/> + <paramref name="offset"/> (no bounds check).</summary>
    static abstract TVec Load(ref double source, nuint offset);

    static abstract void Store(TVec value, ref double destination, nuint offset);

    static abstract TVec Add(TVec a, TVec b);

    static abstract TVec Subtract(TVec a, TVec b);

    static abstract TVec Multiply(TVec a, TVec b);

    static abstract TVec Divide(TVec a, TVec b);

    static abstract TVec Sqrt(TVec x);

    static abstract TVec Abs(TVec x);

    /// <summary>Lane-wise maximum of non-NaN lanes (the kernel never passes NaN).</summary>
    static abstract TVec Max(TVec a, TVec b);

    /// <summary>Lane-wise minimum of non-NaN lanes.</summary>
    static abstract TVec Min(TVec a, TVec b);

    /// <summary>
    /// Splits positive normal doubles as <c>x = m 2^e</c> with m in [sqrt(1/2), sqrt(2)): returns m and
    /// writes e (an integer, as a double) to <paramref name="exponent"/>. Bit arithmetic only, with logical
    /// shifts (AVX2 has no 64-bit arithmetic shift).
    /// </summary>
    static abstract TVec SplitExponent(TVec x, out TVec exponent);

    static abstract TVec LessThan(TVec a, TVec b);

    static abstract TVec LessThanOrEqual(TVec a, TVec b);

    static abstract TVec GreaterThan(TVec a, TVec b);

    static abstract TVec Equal(TVec a, TVec b);

    static abstract TVec And(TVec a, TVec b);

    static abstract TVec Or(TVec a, TVec b);

    /// <summary><paramref name="a"/> and not <paramref name="b"/>.</summary>
    static abstract TVec AndNot(TVec a, TVec b);

    /// <summary>Lane-wise <c>mask ? whenTrue : whenFalse</c> (bitwise on a mask of all-ones or all-zeros lanes).</summary>
    static abstract TVec Select(TVec mask, TVec whenTrue, TVec whenFalse);

    /// <summary>Whether any lane of the mask is set.</summary>
    static abstract bool Any(TVec mask);

    /// <summary>Whether every lane of the mask is set.</summary>
    static abstract bool All(TVec mask);
}

/// <summary>Partial loads and stores for the last, short register of a span.</summary>
internal static class SimdDoubleTail
{
    /// <summary>
    /// Loads the <paramref name="length"/> (&lt; Count) doubles at <paramref name="source"/> and fills the
    /// other lanes with the last of them: the filler lanes then take the same region and the same
    /// number of iterations as a real lane, so they never lengthen a loop.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVec LoadPartial<TSimd, TVec>(ref double source, nuint offset, int length)
        where TSimd : struct, ISimdDouble<TVec>
        where TVec : struct
    {
        System.Span<double> buffer = stackalloc double[TSimd.Count];
        for (int i = 0; i < buffer.Length; i++)
        {
            buffer[i] = Unsafe.Add(ref source, offset + (nuint)System.Math.Min(i, length - 1));
        }

        return TSimd.Load(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(buffer), 0);
    }

    /// <summary>Stores the first <paramref name="length"/> (&lt; Count) lanes of <paramref name="value"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void StorePartial<TSimd, TVec>(TVec value, ref double destination, nuint offset, int length)
        where TSimd : struct, ISimdDouble<TVec>
        where TVec : struct
    {
        System.Span<double> buffer = stackalloc double[TSimd.Count];
        TSimd.Store(value, ref System.Runtime.InteropServices.MemoryMarshal.GetReference(buffer), 0);
        for (int i = 0; i < length; i++)
        {
            Unsafe.Add(ref destination, offset + (nuint)i) = buffer[i];
        }
    }
}
