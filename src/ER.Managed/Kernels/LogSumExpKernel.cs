using System.Numerics.Tensors;

namespace ER.Managed.Kernels;

/// <summary>
/// Stable log-sum-exp of a scaled row: <c>LSE(s x) = s m + log sum_i exp(s x_i - s m)</c> with
/// m = max_i x_i, so no exponential overflows whatever the inputs (s &gt; 0). Returned in double.
/// </summary>
internal static class LogSumExpKernel
{
    internal static double Run(ReadOnlySpan<float> x, float scale, KernelWidth width)
    {
        if (x.IsEmpty)
        {
            return double.NegativeInfinity;
        }

        float max = TensorPrimitives.Max(x);
        if (!float.IsFinite(max))
        {
            // -inf: every term is zero; +inf or NaN: the sum is that too.
            return max;
        }

        float shift = scale * max;
        return shift + Math.Log(SumExpKernel.Run(x, scale, shift, width));
    }
}
