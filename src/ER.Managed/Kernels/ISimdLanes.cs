namespace ER.Managed.Kernels;

/// <summary>
/// What every SIMD width offers whatever its element type: a register of <see cref="Count"/> lanes
/// of <typeparamref name="T"/>, loads, stores and the IEEE arithmetic. <see cref="ISimd{TVec}"/>
/// (float: the terms' kernels) and <see cref="VmfNormalizer.ISimdDouble{TVec}"/> (double: the vMF
/// normalizer) add what their kernels need; <see cref="SimdTail"/> serves both.
/// </summary>
/// <typeparam name="TVec">The register type (Vector512&lt;T&gt;, ..., or T itself for the scalar width).</typeparam>
/// <typeparam name="T">The lane type, float or double.</typeparam>
internal interface ISimdLanes<TVec, T>
    where TVec : struct
    where T : unmanaged
{
    /// <summary>Lanes per register.</summary>
    static abstract int Count { get; }

    /// <summary>Whether this width runs on hardware instructions on this machine (otherwise it is emulated, slowly but with the same results).</summary>
    static abstract bool IsHardwareAccelerated { get; }

    static abstract TVec Broadcast(T value);

    /// <summary>Loads Count lanes from <paramref name="source"/> + <paramref name="offset"/> (no bounds check: the caller guarantees them).</summary>
    static abstract TVec Load(ref T source, nuint offset);

    static abstract void Store(TVec value, ref T destination, nuint offset);

    static abstract TVec Add(TVec a, TVec b);

    static abstract TVec Subtract(TVec a, TVec b);

    static abstract TVec Multiply(TVec a, TVec b);

    static abstract TVec Divide(TVec a, TVec b);

    /// <summary>
    /// Splits positive normal values as <c>x = m 2^e</c> with m in [sqrt(1/2), sqrt(2)): returns m
    /// and writes e (an integer, as T) to <paramref name="exponent"/>. Bit arithmetic only (for
    /// doubles with logical shifts: AVX2 has no 64-bit arithmetic shift).
    /// </summary>
    static abstract TVec SplitExponent(TVec x, out TVec exponent);
}
