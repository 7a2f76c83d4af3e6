using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Numerics.Tensors;

namespace ER.Managed.Kernels;

/// <summary>
/// Softmax of a scaled row, <c>p_i = exp(s x_i - s m) / sum_j exp(s x_j - s m)</c> with m = max x:
/// the max is subtracted first (TensorPrimitives.SoftMax does not, and overflows for inputs
/// past ~88), so any finite input gives a row summing to 1. Use s = 1/t for a temperature t.
/// </summary>
internal static class SoftmaxKernel
{
    /// <summary>Writes the softmax of <paramref name="x"/> into <paramref name="destination"/> (may be the same span) and returns the row's log-sum-exp.</summary>
    internal static double Run(ReadOnlySpan<float> x, Span<float> destination, float scale, KernelWidth width) => width switch
    {
        KernelWidth.V512 => Run<Simd512, Vector512<float>>(x, destination, scale),
        KernelWidth.V256 => Run<Simd256, Vector256<float>>(x, destination, scale),
        KernelWidth.V128 => Run<Simd128, Vector128<float>>(x, destination, scale),
        _ => Run<SimdScalar, float>(x, destination, scale),
    };

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static double Run<TSimd, TVec>(ReadOnlySpan<float> x, Span<float> destination, float scale)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct
    {
        if (destination.Length < x.Length)
        {
            throw new ArgumentException("The destination is shorter than the input.", nameof(destination));
        }

        if (x.IsEmpty)
        {
            return double.NegativeInfinity;
        }

        float shift = scale * TensorPrimitives.Max(x);
        ExpMapKernel.Run<TSimd, TVec>(x, destination, scale, -shift);
        double sum = SumKernel.Run<TSimd, TVec>(destination[..x.Length]);
        TensorPrimitives.Multiply(destination[..x.Length], (float)(1.0 / sum), destination[..x.Length]);
        return shift + Math.Log(sum);
    }
}
