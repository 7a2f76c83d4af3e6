using System.Runtime.CompilerServices;

namespace ER.Managed.Kernels;

/// <summary>
/// One SIMD width as the kernels see it: a register of <see cref="Count"/> floats and the few
/// operations on it that the kernels need. Each kernel is written once against this interface
/// and instantiated per width (<see cref="Simd512"/>, <see cref="Simd256"/>, <see cref="Simd128"/>,
/// <see cref="SimdScalar"/>); the JIT specializes and inlines every instantiation, so the
/// generated code is the hand-written loop for that width. Tests drive each width directly.
/// </summary>
/// <typeparam name="TVec">The register type (Vector512&lt;float&gt;, ..., or float itself for the scalar fallback).</typeparam>
internal interface ISimd<TVec>
    where TVec : struct
{
    /// <summary>Lanes per register.</summary>
    static abstract int Count { get; }

    /// <summary>Whether this width runs on hardware instructions on this machine (otherwise it is emulated, slowly but correctly).</summary>
    static abstract bool IsHardwareAccelerated { get; }

    static abstract TVec Zero { get; }

    static abstract TVec Broadcast(float value);

    /// <summary>Loads Count floats from <paramref name="source"/> + <paramref name="offset"/> (no bounds check: the caller guarantees them).</summary>
    static abstract TVec Load(ref float source, nuint offset);

    static abstract void Store(TVec value, ref float destination, nuint offset);

    static abstract TVec Add(TVec a, TVec b);

    static abstract TVec Subtract(TVec a, TVec b);

    static abstract TVec Multiply(TVec a, TVec b);

    static abstract TVec Divide(TVec a, TVec b);

    /// <summary>a * b + c, fused where the hardware has FMA, else multiply then add.</summary>
    static abstract TVec MultiplyAdd(TVec a, TVec b, TVec c);

    /// <summary>Lane-wise maximum; NaN if either lane is NaN (IEEE 754:2019 maximum).</summary>
    static abstract TVec Max(TVec a, TVec b);

    /// <summary>Lane-wise minimum; NaN if either lane is NaN (IEEE 754:2019 minimum).</summary>
    static abstract TVec Min(TVec a, TVec b);

    /// <summary>
    /// Lane-wise <c>min(max(x, low), high)</c> by the hardware's own min and max (one instruction
    /// each, where <see cref="Max"/> and <see cref="Min"/> take several for their NaN and signed-zero
    /// rules); a NaN lane gives an unspecified value, so callers mask NaN lanes themselves.
    /// </summary>
    static abstract TVec Clamp(TVec x, TVec low, TVec high);

    /// <summary>Lane-wise e^x (the runtime's vectorized Exp, within about 1 ulp).</summary>
    static abstract TVec Exp(TVec x);

    /// <summary>Lane-wise natural log (the runtime's vectorized Log, within about 1 ulp).</summary>
    static abstract TVec Log(TVec x);

    /// <summary>Rounds each lane to the nearest integer (ties to even).</summary>
    static abstract TVec Round(TVec x);

    /// <summary><c>x * 2^n</c> for lanes of n holding integers in [-126, 127], by adding n to the exponent bits (no range checks).</summary>
    static abstract TVec MultiplyByPowerOfTwo(TVec x, TVec n);

    /// <summary>
    /// Splits positive normal floats as <c>x = m 2^e</c> with m in [sqrt(1/2), sqrt(2)): returns m
    /// and writes e (an integer, as float) to <paramref name="exponent"/>. Bit arithmetic only.
    /// </summary>
    static abstract TVec SplitExponent(TVec x, out TVec exponent);

    /// <summary>value where x &gt;= limit, else +0.</summary>
    static abstract TVec ZeroWhereBelow(TVec value, TVec x, TVec limit);

    /// <summary>Sum of the lanes.</summary>
    static abstract float Sum(TVec value);

    /// <summary>Largest lane (NaN if any lane is NaN).</summary>
    static abstract float MaxAcross(TVec value);

    /// <summary>Smallest lane (NaN if any lane is NaN).</summary>
    static abstract float MinAcross(TVec value);

    /// <summary>Whether any lane of <paramref name="value"/> is greater than (or, with <paramref name="orEqual"/>, equal to) the same lane of <paramref name="limit"/> (false for NaN lanes).</summary>
    static abstract bool AnyAbove(TVec value, TVec limit, bool orEqual);

    /// <summary>Bit l set where lane l of <paramref name="value"/> is at or above lane l of <paramref name="limit"/> (clear for NaN lanes).</summary>
    static abstract ulong AtOrAboveMask(TVec value, TVec limit);
}

/// <summary>Helpers shared by the kernels for loads and stores of a partial last register.</summary>
internal static class SimdTail
{
    /// <summary>
    /// Loads the <paramref name="length"/> (&lt; Count) floats at <paramref name="source"/> into a register whose
    /// other lanes hold <paramref name="fill"/>: a masked load built from a small stack buffer, so
    /// tails take the same arithmetic as full registers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVec LoadPartial<TSimd, TVec>(ref float source, nuint offset, int length, float fill)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct
    {
        System.Span<float> buffer = stackalloc float[TSimd.Count];
        buffer.Fill(fill);
        for (int i = 0; i < length; i++)
        {
            buffer[i] = Unsafe.Add(ref source, offset + (nuint)i);
        }

        return TSimd.Load(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(buffer), 0);
    }

    /// <summary>Stores the first <paramref name="length"/> (&lt; Count) lanes of <paramref name="value"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void StorePartial<TSimd, TVec>(TVec value, ref float destination, nuint offset, int length)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct
    {
        System.Span<float> buffer = stackalloc float[TSimd.Count];
        TSimd.Store(value, ref System.Runtime.InteropServices.MemoryMarshal.GetReference(buffer), 0);
        for (int i = 0; i < length; i++)
        {
            Unsafe.Add(ref destination, offset + (nuint)i) = buffer[i];
        }
    }
}
