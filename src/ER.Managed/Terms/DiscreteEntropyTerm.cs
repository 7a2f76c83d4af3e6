using System;
using System.Buffers;
using ER.Managed.Kernels;

namespace ER.Managed.Terms;

/// <summary>
/// The discrete entropy of the column means <c>m = (1/k) sum_i W_i</c>:
/// expectation <c>-sum_c m_c log(m_c + eps)</c>, average <c>-(1/d) sum_c log(m_c + eps)</c>.
/// </summary>
/// <remarks>
/// m is accumulated in float over blocks of <see cref="BlockRows"/> rows and in double across
/// blocks, then rounded to float, and <c>m_c + eps</c> is formed in float, as in the original's
/// float32 arithmetic (so a one-hot batch gives -log(1 + 2^-23), as the original prints); the
/// logarithms and the sum over c are in double.
/// </remarks>
internal static class DiscreteEntropyTerm
{
    /// <summary>The original's eps, as the float32 it becomes when added to a float32 tensor.</summary>
    internal const float Epsilon = 1e-7f;

    /// <summary>Rows summed in float before the partial sums are added in double.</summary>
    internal const int BlockRows = 64;

    /// <summary>Writes the column means m (d floats).</summary>
    internal static void ColumnMeans(ReadOnlySpan<float> w, int k, int d, Span<float> means, KernelWidth width)
    {
        float[] partialBuffer = ArrayPool<float>.Shared.Rent(d);
        double[] totalBuffer = ArrayPool<double>.Shared.Rent(d);
        try
        {
            Span<float> partial = partialBuffer.AsSpan(0, d);
            Span<double> total = totalBuffer.AsSpan(0, d);
            total.Clear();
            for (int r0 = 0; r0 < k; r0 += BlockRows)
            {
                partial.Clear();
                int end = Math.Min(k, r0 + BlockRows);
                for (int r = r0; r < end; r++)
                {
                    AddKernel.Run(w.Slice(r * d, d), partial, 1f, width);
                }

                for (int c = 0; c < d; c++)
                {
                    total[c] += partial[c];
                }
            }

            for (int c = 0; c < d; c++)
            {
                means[c] = (float)(total[c] / k);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(partialBuffer);
            ArrayPool<double>.Shared.Return(totalBuffer);
        }
    }

    /// <summary>
    /// The gradient, the same for every row: expectation
    /// <c>dH/dW_ic = (1/k) (-log(m_c + eps) - m_c / (m_c + eps))</c>, average <c>-(1/(k d)) / (m_c + eps)</c>.
    /// </summary>
    internal static void Gradient(ReadOnlySpan<float> means, int k, EntropyReduction reduction, Span<float> gradient)
    {
        int d = means.Length;
        Span<float> row = gradient[..d];
        for (int c = 0; c < d; c++)
        {
            double shifted = means[c] + Epsilon;
            row[c] = reduction == EntropyReduction.Average
                ? (float)(-1.0 / ((double)k * d * shifted))
                : (float)((-Math.Log(shifted) - (means[c] / shifted)) / k);
        }

        for (int i = 1; i < k; i++)
        {
            row.CopyTo(gradient.Slice(i * d, d));
        }
    }

    /// <summary>The entropy from the column means.</summary>
    internal static double Value(ReadOnlySpan<float> means, EntropyReduction reduction)
    {
        double sum = 0.0;
        if (reduction == EntropyReduction.Average)
        {
            foreach (float m in means)
            {
                sum += Math.Log(m + Epsilon);
            }

            return -sum / means.Length;
        }

        foreach (float m in means)
        {
            sum += m * Math.Log(m + Epsilon);
        }

        return -sum;
    }
}
