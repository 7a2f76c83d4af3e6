using System.Runtime.CompilerServices;

namespace ER.Managed.Kernels.Drivers;

/// <summary>The register transposes (4 x 4 squares, 8 x 8 with AVX) <see cref="TransposeKernel"/> is built on, one per instruction set.</summary>
internal enum TransposeVariant
{
    /// <summary>Element by element: every CPU.</summary>
    Scalar,

    /// <summary>SSE unpack and move-half shuffles (x86).</summary>
    Sse,

    /// <summary>8 x 8 squares in AVX in-lane shuffles, the rest as SSE (x86 with AVX).</summary>
    Avx,

    /// <summary>AdvSimd zips of 32- and 64-bit lanes (ARM64).</summary>
    AdvSimd,
}

/// <summary>
/// The dispatch from a <see cref="TransposeVariant"/> to its squares (<see cref="TransposeKernel"/>):
/// which variant this CPU runs and which ones it can; tests drive each one through here.
/// </summary>
internal static class TransposeDispatch
{
    /// <summary>The variant this CPU runs: the first of AVX, SSE, AdvSimd, scalar it supports.</summary>
    internal static readonly TransposeVariant Best =
        TransposeKernel.TransposeAvx.IsSupported ? TransposeVariant.Avx
        : TransposeKernel.TransposeSse.IsSupported ? TransposeVariant.Sse
        : TransposeKernel.TransposeAdvSimd.IsSupported ? TransposeVariant.AdvSimd
        : TransposeVariant.Scalar;

    /// <summary>Whether <paramref name="variant"/> runs on this CPU.</summary>
    internal static bool IsSupported(TransposeVariant variant) => variant switch
    {
        TransposeVariant.Sse => TransposeKernel.TransposeSse.IsSupported,
        TransposeVariant.Avx => TransposeKernel.TransposeAvx.IsSupported,
        TransposeVariant.AdvSimd => TransposeKernel.TransposeAdvSimd.IsSupported,
        _ => true,
    };

    /// <summary><c>dst[c dstStride + r] = src[r srcStride + c]</c> for r &lt; rows, c &lt; columns, with the given variant. The regions must not overlap.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A variant this library does not have.</exception>
    /// <exception cref="PlatformNotSupportedException">The variant does not run on this CPU.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Transpose(TransposeVariant variant, ref float src, nuint srcStride, ref float dst, nuint dstStride, int rows, int columns)
    {
        switch (variant)
        {
            case TransposeVariant.Avx: TransposeKernel.Transpose<TransposeKernel.TransposeAvx>(ref src, srcStride, ref dst, dstStride, rows, columns); break;
            case TransposeVariant.Sse: TransposeKernel.Transpose<TransposeKernel.TransposeSse>(ref src, srcStride, ref dst, dstStride, rows, columns); break;
            case TransposeVariant.AdvSimd: TransposeKernel.Transpose<TransposeKernel.TransposeAdvSimd>(ref src, srcStride, ref dst, dstStride, rows, columns); break;
            case TransposeVariant.Scalar: TransposeKernel.Transpose<TransposeKernel.TransposeScalar>(ref src, srcStride, ref dst, dstStride, rows, columns); break;
            default: throw new ArgumentOutOfRangeException(nameof(variant), variant, "Unknown transpose variant.");
        }
    }
}
