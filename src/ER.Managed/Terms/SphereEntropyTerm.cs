using System;
using System.Buffers;
using ER.Managed.Kernels;
using ER.Managed.Kernels.Gemm;
using System.Numerics.Tensors;

namespace ER.Managed.Terms;

/// <summary>
/// The sphere entropy: a vMF kernel density estimate over the batch,
/// <c>S = kappa Z Z^T</c>, <c>LSE_i = log sum_j exp(S_ij)</c>, <c>l_i = c + log k - LSE_i</c>.
/// </summary>
/// <remarks>
/// The similarity matrix is never held whole: it is formed a strip of <see cref="StripRows"/> rows
/// at a time, and each strip row is reduced to its log-sum-exp at once. Memory is
/// O(StripRows * k) floats besides the inputs.
/// </remarks>
internal static class SphereEntropyTerm
{
    /// <summary>Rows of S formed at a time (a 64 x k float strip: 16 MiB at k = 65536).</summary>
    internal const int StripRows = 64;

    /// <summary>Writes <c>LSE_i = log sum_j exp(kappa z_i . z_j)</c> for every row i.</summary>
    internal static unsafe void RowLogSumExp(ReadOnlySpan<float> z, int k, int d, float kappa, Span<double> lse, KernelWidth width)
    {
        float[] buffer = ArrayPool<float>.Shared.Rent(Math.Min(StripRows, k) * k);
        try
        {
            fixed (float* zp = z)
            {
                using var walker = new SimilarityWalker(new PinnedFloats(zp, z.Length), k, d, degree: 1, width);
                RowLogSumExp(walker, k, kappa, lse, buffer);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    private static void RowLogSumExp(SimilarityWalker walker, int k, float kappa, Span<double> lse, float[] buffer)
    {
        int strip = Math.Min(StripRows, k);
        for (int r0 = 0; r0 < k; r0 += strip)
        {
            int m = Math.Min(strip, k - r0);
            Span<float> s = buffer.AsSpan(0, m * k);
            Strip(walker, r0, m, s);
            for (int r = 0; r < m; r++)
            {
                lse[r0 + r] = LogSumExpKernel.Run(s.Slice(r * k, k), kappa, walker.Width);
            }
        }
    }

    /// <summary>Rows [r0, r0 + m) of the unscaled similarities, m x k, into s.</summary>
    private static void Strip(SimilarityWalker walker, int r0, int m, Span<float> s)
    {
        using SimilarityWalker.RowBlock rows = walker.Rows(r0, m, pack: false);
        walker.Product(rows, 0, walker.BRows, s, walker.BRows, accumulate: false);
    }

    /// <summary>
    /// Value, gradient and kappa derivative in one call. With <c>P = row-softmax(S)</c> and per-row
    /// weights g (Joe: <c>1/k</c>; plug-in: <c>w_i (1 + LSE_i - sum_j w_j LSE_j)</c>, the c-free form of
    /// <c>w_i (1 - l_i + H)</c>), <c>G = diag(g) P</c>: <c>dH/dZ = -kappa (G + G^T) Z</c> and
    /// <c>dH/dkappa = dc/dkappa - sum_i g_i sum_j P_ij z_i.z_j</c>.
    /// </summary>
    /// <remarks>
    /// The simple path: each strip of S is recomputed, turned into G in place, and applied as
    /// <c>G_strip Z</c> and <c>G_strip^T Z_strip</c>. Scratch: k doubles twice, the packed Z^T and two strips of
    /// <see cref="StripRows"/> x k floats, all pooled.
    /// </remarks>
    internal static unsafe (double Value, double KappaGradient) Backward(
        ReadOnlySpan<float> z, int k, int d, double kappa, double c, double dcdKappa, EntropyReduction reduction, Span<float> gradient, KernelWidth width)
    {
        double[] lseBuffer = ArrayPool<double>.Shared.Rent(k);
        double[] weightBuffer = ArrayPool<double>.Shared.Rent(k);
        int strip = Math.Min(StripRows, k);
        float[] similarity = ArrayPool<float>.Shared.Rent(strip * k);
        float[] probability = ArrayPool<float>.Shared.Rent(strip * k);
        try
        {
            fixed (float* zp = z)
            {
                using var walker = new SimilarityWalker(new PinnedFloats(zp, z.Length), k, d, degree: 1, width);
                Span<double> lse = lseBuffer.AsSpan(0, k);
                Span<double> g = weightBuffer.AsSpan(0, k);
                RowLogSumExp(walker, k, (float)kappa, lse, similarity);
                double mean = RowWeights(lse, reduction, g);

                gradient.Clear();
                double expectedSimilarity = 0.0;
                for (int r0 = 0; r0 < k; r0 += strip)
                {
                    int m = Math.Min(strip, k - r0);
                    Span<float> s = similarity.AsSpan(0, m * k);
                    Span<float> p = probability.AsSpan(0, m * k);
                    ReadOnlySpan<float> zStrip = z.Slice(r0 * d, m * d);
                    Strip(walker, r0, m, s);
                    for (int r = 0; r < m; r++)
                    {
                        Span<float> pRow = p.Slice(r * k, k);
                        ExpMapKernel.Run(s.Slice(r * k, k), pRow, (float)kappa, (float)-lse[r0 + r], width);
                        expectedSimilarity += g[r0 + r] * TensorPrimitives.Dot(pRow, s.Slice(r * k, k));
                        TensorPrimitives.Multiply(pRow, (float)g[r0 + r], pRow);
                    }

                    // G_strip Z into the strip's own rows, G_strip^T Z_strip into every row (the GEMM reads
                    // G_strip transposed in place).
                    GemmKernel.Multiply(p, k, false, z, d, false, gradient.Slice(r0 * d, m * d), d, m, d, k, accumulate: true, width);
                    GemmKernel.Multiply(p, k, true, zStrip, d, false, gradient, d, k, d, m, accumulate: true, width);
                }

                TensorPrimitives.Multiply(gradient, (float)-kappa, gradient);
                return (c + Math.Log(k) - mean, dcdKappa - expectedSimilarity);
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(lseBuffer);
            ArrayPool<double>.Shared.Return(weightBuffer);
            ArrayPool<float>.Shared.Return(similarity);
            ArrayPool<float>.Shared.Return(probability);
        }
    }

    /// <summary>
    /// H and dH/dkappa from each row's <c>LSE_i</c> and <c>sum_j P_ij s_ij</c>, given c and dc/dkappa:
    /// <c>H = c + log k - sum_i u_i LSE_i</c>, <c>dH/dkappa = dc - sum_i g_i sum_j P_ij s_ij</c>; writes the
    /// backward's per-row weights g (see <see cref="RowWeights"/>).
    /// </summary>
    internal static SphereTermResult Result(ReadOnlySpan<double> lse, ReadOnlySpan<double> expectedSimilarity, double c, double dc, EntropyReduction reduction, Span<double> g)
    {
        double mean = RowWeights(lse, reduction, g);
        double expected = 0.0;
        for (int i = 0; i < lse.Length; i++)
        {
            expected += g[i] * expectedSimilarity[i];
        }

        return new SphereTermResult(c + Math.Log(lse.Length) - mean, dc - expected);
    }

    /// <summary>
    /// The per-row weights of the backward, <c>g_i = dH/dl_i</c>: Joe's <c>1/k</c>, or the plug-in's
    /// <c>w_i (1 - l_i + H) = w_i (1 + LSE_i - sum_j w_j LSE_j)</c>, the c-free form (with c near -2032
    /// at d = 1000, l_i - H in float32 would lose ~1e-4). Returns <c>sum_j u_j LSE_j</c>.
    /// </summary>
    internal static double RowWeights(ReadOnlySpan<double> lse, EntropyReduction reduction, Span<double> g)
    {
        double mean = WeightedMean(lse, reduction, g);
        if (reduction == EntropyReduction.Expectation)
        {
            for (int i = 0; i < lse.Length; i++)
            {
                g[i] *= 1.0 + (lse[i] - mean);
            }
        }

        return mean;
    }

    /// <summary>
    /// The entropy from the row log-sum-exps: Joe's <c>c + log k - mean(LSE)</c>, or the plug-in
    /// <c>c + log k - sum_i w_i LSE_i</c> with <c>w = softmax(-l) = softmax(LSE)</c>, all in double.
    /// </summary>
    internal static double Value(ReadOnlySpan<double> lse, double c, EntropyReduction reduction)
    {
        double logK = Math.Log(lse.Length);
        return c + logK - WeightedMean(lse, reduction, weights: default);
    }

    /// <summary>
    /// <c>sum_i u_i LSE_i</c> with u uniform (Average) or <c>softmax(LSE)</c> (Expectation);
    /// writes u into <paramref name="weights"/> when it is not empty.
    /// </summary>
    internal static double WeightedMean(ReadOnlySpan<double> lse, EntropyReduction reduction, Span<double> weights)
    {
        int k = lse.Length;
        if (reduction == EntropyReduction.Average)
        {
            double sum = 0.0;
            for (int i = 0; i < k; i++)
            {
                sum += lse[i];
            }

            if (!weights.IsEmpty)
            {
                weights[..k].Fill(1.0 / k);
            }

            return sum / k;
        }

        double max = double.NegativeInfinity;
        for (int i = 0; i < k; i++)
        {
            max = Math.Max(max, lse[i]);
        }

        // sum_i w_i LSE_i = max + sum_i w_i (LSE_i - max): the differences keep their digits.
        double total = 0.0, weighted = 0.0;
        for (int i = 0; i < k; i++)
        {
            double e = Math.Exp(lse[i] - max);
            total += e;
            weighted += e * (lse[i] - max);
        }

        if (!weights.IsEmpty)
        {
            for (int i = 0; i < k; i++)
            {
                weights[i] = Math.Exp(lse[i] - max) / total;
            }
        }

        return max + (weighted / total);
    }
}
