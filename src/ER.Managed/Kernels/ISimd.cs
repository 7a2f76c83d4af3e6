namespace ER.Managed.Kernels;

/// <summary>
/// One SIMD width as the kernels see it: a register of <see cref="ISimdLanes{TVec, T}.Count"/> floats and the few
/// operations on it that the kernels need. Each kernel is written once against this interface
/// and instantiated per width (<see cref="Simd512"/>, <see cref="Simd256"/>, <see cref="Simd128"/>,
/// <see cref="SimdScalar"/>); the JIT specializes and inlines every instantiation, so the
/// generated code is the hand-written loop for that width. Tests drive each width directly.
/// </summary>
/// <typeparam name="TVec">The register type (Vector512&lt;float&gt;, ..., or float itself for the scalar fallback).</typeparam>
internal interface ISimd<TVec> : ISimdLanes<TVec, float>
    where TVec : struct
{
    static abstract TVec Zero { get; }

    /// <summary>a * b + c, fused where the hardware has FMA, else multiply then add.</summary>
    static abstract TVec MultiplyAdd(TVec a, TVec b, TVec c);

    /// <summary>Lane-wise e^x (the runtime's vectorized Exp, within about 1 ulp).</summary>
    static abstract TVec Exp(TVec x);

    /// <summary>Lane-wise natural log (the runtime's vectorized Log, within about 1 ulp).</summary>
    static abstract TVec Log(TVec x);

    /// <summary><c>x * 2^n</c> for lanes of n holding integers in [-126, 127], by adding n to the exponent bits or by a scaling instruction with the same result there (no range checks).</summary>
    static abstract TVec MultiplyByPowerOfTwo(TVec x, TVec n);

    /// <summary>value where x &gt;= limit, else +0.</summary>
    static abstract TVec ZeroWhereBelow(TVec value, TVec x, TVec limit);

    /// <summary>Sum of the lanes.</summary>
    static abstract float Sum(TVec value);

    /// <summary>
    /// Lane-wise minimum by the hardware's own instruction (one, where IEEE 754:2019's minimum takes
    /// several for its NaN and signed-zero rules); which operand a NaN lane or a pair of zeros gives
    /// is unspecified, so callers detect NaN lanes otherwise.
    /// </summary>
    static abstract TVec MinNative(TVec a, TVec b);

    /// <summary>Whether any lane of <paramref name="value"/> is greater than (or, with <paramref name="orEqual"/>, equal to) the same lane of <paramref name="limit"/> (false for NaN lanes).</summary>
    static abstract bool AnyAbove(TVec value, TVec limit, bool orEqual);

    /// <summary>Bit l set where lane l of <paramref name="value"/> is at or above lane l of <paramref name="limit"/> (clear for NaN lanes).</summary>
    static abstract ulong AtOrAboveMask(TVec value, TVec limit);
}
