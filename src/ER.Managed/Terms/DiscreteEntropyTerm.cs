using System.Buffers;
using ER.Managed.Kernels;
using System.Numerics.Tensors;

namespace ER.Managed.Terms;

/// <summary>
/// The discrete entropy of the column means <c>m = (1/k) sum_i W_i</c>:
/// expectation <c>-sum_c m_c log(m_c + eps)</c>, average <c>-(1/d) sum_c log(m_c + eps)</c>.
/// </summary>
/// <remarks>
/// m is accumulated in float over blocks of <see cref="BlockRows"/> rows and in double across
/// blocks, then rounded to float, and <c>m_c + eps</c> is formed in float, as in the original's
/// float32 arithmetic (so a one-hot batch gives -log(1 + 2^-23), as the original prints); the
/// sums over c are in double. Work items are fixed row partitions (<see cref="Partitions"/>) with
/// their own double sums, added in partition order, so results do not depend on the thread count.
/// The gradient is the same for every row and is written by row ranges.
/// </remarks>
internal static class DiscreteEntropyTerm
{
    /// <summary>The original's eps, as the float32 it becomes when added to a float32 tensor.</summary>
    internal const float Epsilon = 1e-7f;

    /// <summary>Rows summed in float before the partial sums are added in double.</summary>
    internal const int BlockRows = 64;

    /// <summary>Row partitions of the column sums: a function of k only (never of the thread count), each streaming its rows sequentially.</summary>
    internal static int Partitions(int k) => Math.Clamp((k + BlockRows - 1) / BlockRows, 1, 8);

    /// <summary>Writes the column means m (d floats).</summary>
    internal static unsafe void ColumnMeans(ReadOnlySpan<float> w, int k, int d, Span<float> means, int degree, KernelWidth width)
    {
        int partitions = Partitions(k);
        int rowsPerPartition = (k + partitions - 1) / partitions;
        double[] totals = ArrayPool<double>.Shared.Rent(partitions * d);
        try
        {
            fixed (float* wp = w)
            {
                var wh = new PinnedFloats(wp, w.Length);
                Parallelism.For(partitions, degree, p =>
                {
                    int start = p * rowsPerPartition, end = Math.Min(k, start + rowsPerPartition);
                    PartitionSums(wh.Span, start, end, d, totals.AsSpan(p * d, d), width);
                });
            }

            for (int c = 0; c < d; c++)
            {
                double total = 0.0;
                for (int p = 0; p < partitions; p++)
                {
                    total += totals[(p * d) + c];
                }

                means[c] = (float)(total / k);
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(totals);
        }
    }

    /// <summary>Column sums of rows [start, end): float over blocks of <see cref="BlockRows"/> rows, double across blocks.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void PartitionSums(ReadOnlySpan<float> w, int start, int end, int d, Span<double> total, KernelWidth width)
    {
        total.Clear();
        float[] partialBuffer = ArrayPool<float>.Shared.Rent(d);
        try
        {
            Span<float> partial = partialBuffer.AsSpan(0, d);
            for (int r0 = start; r0 < end; r0 += BlockRows)
            {
                w.Slice(r0 * d, d).CopyTo(partial);
                int blockEnd = Math.Min(end, r0 + BlockRows);
                int r = r0 + 1;
                for (; r + 4 <= blockEnd; r += 4)
                {
                    AddKernel.Run4(w.Slice(r * d, d), w.Slice((r + 1) * d, d), w.Slice((r + 2) * d, d), w.Slice((r + 3) * d, d), partial, width);
                }

                for (; r < blockEnd; r++)
                {
                    TensorPrimitives.Add(w.Slice(r * d, d), partial, partial);
                }

                for (int c = 0; c < d; c++)
                {
                    total[c] += partial[c];
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(partialBuffer);
        }
    }

    /// <summary>The entropy from the column means; <paramref name="logs"/> (d floats of scratch) receives log(m_c + eps).</summary>
    internal static double Value(ReadOnlySpan<float> means, EntropyReduction reduction, Span<float> logs, KernelWidth width)
    {
        LogMapKernel.Run(means, logs, Epsilon, width);
        if (reduction == EntropyReduction.Average)
        {
            return -SumKernel.Run(logs, width) / means.Length;
        }

        double sum = 0.0;
        for (int start = 0; start < means.Length; start += Kernels.Drivers.ReduceDriver.ChunkLength)
        {
            int length = Math.Min(Kernels.Drivers.ReduceDriver.ChunkLength, means.Length - start);
            sum += TensorPrimitives.Dot(means.Slice(start, length), logs.Slice(start, length));
        }

        return -sum;
    }

    /// <summary>
    /// The gradient, the same for every row: expectation
    /// <c>dH/dW_ic = (1/k) (-log(m_c + eps) - m_c / (m_c + eps))</c>, average <c>-(1/(k d)) / (m_c + eps)</c>;
    /// <paramref name="logs"/> holds log(m_c + eps) from <see cref="Value"/>.
    /// </summary>
    internal static unsafe void Gradient(ReadOnlySpan<float> means, ReadOnlySpan<float> logs, int k, EntropyReduction reduction, Span<float> gradient, int degree)
    {
        int d = means.Length;
        Span<float> row = gradient[..d];
        for (int c = 0; c < d; c++)
        {
            float shifted = means[c] + Epsilon;
            row[c] = reduction == EntropyReduction.Average
                ? (float)(-1.0 / ((double)k * d * shifted))
                : (float)((-logs[c] - (means[c] / (double)shifted)) / k);
        }

        // Copy the first row to the others, in row ranges of about 1 MiB each.
        int rowsPerItem = Math.Max(1, (1 << 18) / d);
        int items = (k - 1 + rowsPerItem - 1) / rowsPerItem;
        fixed (float* gp = gradient)
        {
            var gh = new PinnedFloats(gp, gradient.Length);
            Parallelism.For(items, degree, item =>
            {
                Span<float> all = gh.Span;
                ReadOnlySpan<float> first = all[..d];
                int start = 1 + (item * rowsPerItem), end = Math.Min(k, start + rowsPerItem);
                for (int i = start; i < end; i++)
                {
                    first.CopyTo(all.Slice(i * d, d));
                }
            });
        }
    }

    /// <summary>The discrete entropy's entry point after validation: the value from the column means, and its gradient when <paramref name="gradient"/> is not empty.</summary>
    internal static double Compute(ReadOnlySpan<float> w, int rows, int columns, EntropyReduction reduction, Span<float> gradient, int degree)
    {
        float[] buffer = ArrayPool<float>.Shared.Rent(2 * columns);
        try
        {
            Span<float> means = buffer.AsSpan(0, columns), logs = buffer.AsSpan(columns, columns);
            ColumnMeans(w, rows, columns, means, degree, KernelIsa.Best);
            double value = Value(means, reduction, logs, KernelIsa.Best);
            if (!gradient.IsEmpty)
            {
                Gradient(means, logs, rows, reduction, gradient, degree);
            }

            return value;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }
}
