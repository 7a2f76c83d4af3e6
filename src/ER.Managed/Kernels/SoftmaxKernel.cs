using System;
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
    /// <remarks>A composition: the max (TensorPrimitives), the shifted exponentials (<see cref="ExpMapKernel"/>), their sum in double (<see cref="SumKernel"/>), the scaling (TensorPrimitives).</remarks>
    internal static double Run(ReadOnlySpan<float> x, Span<float> destination, float scale, KernelWidth width)
    {
        if (destination.Length < x.Length)
        {
            throw new ArgumentException("The destination is shorter than the input.", nameof(destination));
        }

        if (x.IsEmpty)
        {
            return double.NegativeInfinity;
        }

        Span<float> p = destination[..x.Length];
        float shift = scale * TensorPrimitives.Max(x);
        ExpMapKernel.Run(x, p, scale, -shift, width);
        double sum = SumKernel.Run(p, width);
        TensorPrimitives.Multiply(p, (float)(1.0 / sum), p);
        return shift + Math.Log(sum);
    }
}
