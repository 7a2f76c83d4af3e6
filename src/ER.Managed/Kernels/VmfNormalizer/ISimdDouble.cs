namespace ER.Managed.Kernels.VmfNormalizer;

/// <summary>
/// One SIMD width of doubles as the vMF normalizer kernel sees it: a register of
/// <see cref="ISimdLanes{TVec, T}.Count"/> doubles, masks held in the same register type (all bits set for true),
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
internal interface ISimdDouble<TVec> : ISimdLanes<TVec, double>
    where TVec : struct
{
    static abstract TVec Sqrt(TVec x);

    static abstract TVec Abs(TVec x);

    /// <summary>Lane-wise maximum of non-NaN lanes (the kernel never passes NaN).</summary>
    static abstract TVec Max(TVec a, TVec b);

    /// <summary>Lane-wise minimum of non-NaN lanes.</summary>
    static abstract TVec Min(TVec a, TVec b);

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
