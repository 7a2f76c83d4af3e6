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
    /// <remarks>A composition: the max and the shift (TensorPrimitives), the scaled exponentials (<see cref="ExpMapKernel"/>), their sum in double (<see cref="SumKernel"/>), the scaling (TensorPrimitives).</remarks>
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
        float max = TensorPrimitives.Max(x);

        // Subtract before scaling: x - m is <= 0 and exactly 0 at the maximum, so every exponent is
        // <= 0 and the sum is >= 1 for any finite row and positive scale. Folding the shift into the
        // exponential's FMA (s x - round(s m)) leaves the rounding of s m behind, which a large s m
        // (3e10, or 3e30 at t = 1e-30) makes an exponent of thousands: inf, then NaN.
        if (scale < 1f && float.IsInfinity(max - TensorPrimitives.Min(x)))
        {
            // The row spans more than float32's range, so some x - m overflow to -inf. Below a scale
            // of 1 their s (x - m) can still be in exp's range (t = 1e38: softmax of (3e38, -3e38) is
            // (0.9975, 0.0025), not (1, 0)); there s x - s m, which cannot overflow, stands in.
            // Elements read before written: destination may be x.
            float shiftedMax = scale * max;
            for (int j = 0; j < x.Length; j++)
            {
                float difference = x[j] - max;
                p[j] = float.IsFinite(difference) ? difference * scale : (x[j] * scale) - shiftedMax;
            }

            ExpMapKernel.Run(p, p, 1f, 0f, width);
        }
        else
        {
            TensorPrimitives.Subtract(x, max, p);
            ExpMapKernel.Run(p, p, scale, 0f, width);
        }

        double sum = SumKernel.Run(p, width);
        TensorPrimitives.Multiply(p, (float)(1.0 / sum), p);
        return ((double)scale * max) + Math.Log(sum);
    }
}
