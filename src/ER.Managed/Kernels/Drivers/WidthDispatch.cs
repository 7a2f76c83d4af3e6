using System.Runtime.Intrinsics;

namespace ER.Managed.Kernels.Drivers;

/// <summary>Work written once against <see cref="ISimd{TVec}"/> that runs at one width (<see cref="WidthDispatch.Run"/>).</summary>
internal interface IWithWidth
{
    void Run<TSimd, TVec>()
        where TSimd : struct, ISimd<TVec>
        where TVec : struct;
}

/// <summary>Work written once against <see cref="VmfNormalizer.ISimdDouble{TVec}"/> that runs at one double width (<see cref="WidthDispatch.RunDouble"/>).</summary>
internal interface IWithDoubleWidth
{
    void Run<TSimd, TVec>()
        where TSimd : struct, VmfNormalizer.ISimdDouble<TVec>
        where TVec : struct;
}

/// <summary>
/// The dispatch from a <see cref="KernelWidth"/> to its width struct for kernels whose shape fits no
/// driver loop (the similarity tile's passes, the four-row add, the min-and-sum check): the work
/// runs with the width as type arguments, so its loops are specialized and inlined for it.
/// </summary>
internal static class WidthDispatch
{
    /// <exception cref="ArgumentOutOfRangeException">A width this library does not have.</exception>
    internal static void Run<TWork>(KernelWidth width, ref TWork work)
        where TWork : IWithWidth, allows ref struct
    {
        switch (width)
        {
            case KernelWidth.V512: work.Run<Simd512, Vector512<float>>(); break;
            case KernelWidth.V256: work.Run<Simd256, Vector256<float>>(); break;
            case KernelWidth.V128: work.Run<Simd128, Vector128<float>>(); break;
            case KernelWidth.Scalar: work.Run<SimdScalar, float>(); break;
            default: throw new ArgumentOutOfRangeException(nameof(width), width, "Unknown kernel width.");
        }
    }

    /// <summary>The same for the double widths (the vMF functions): the register of a width holds half as many doubles.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A width this library does not have.</exception>
    internal static void RunDouble<TWork>(KernelWidth width, ref TWork work)
        where TWork : IWithDoubleWidth, allows ref struct
    {
        switch (width)
        {
            case KernelWidth.V512: work.Run<VmfNormalizer.SimdDouble512, Vector512<double>>(); break;
            case KernelWidth.V256: work.Run<VmfNormalizer.SimdDouble256, Vector256<double>>(); break;
            case KernelWidth.V128: work.Run<VmfNormalizer.SimdDouble128, Vector128<double>>(); break;
            case KernelWidth.Scalar: work.Run<VmfNormalizer.SimdDoubleScalar, double>(); break;
            default: throw new ArgumentOutOfRangeException(nameof(width), width, "Unknown kernel width.");
        }
    }
}
