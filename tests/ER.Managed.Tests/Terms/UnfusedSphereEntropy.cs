using System.Buffers;
using System.Numerics.Tensors;
using ER.Managed.Kernels;
using ER.Managed.Kernels.Gemm;
using ER.Managed.Terms;

namespace ER.Managed.Tests.Terms;

/// <summary>
/// The oracle for the fused sphere entropy: the whole similarity matrix formed a strip of
/// <see cref="StripRows"/> rows at a time on the library's GEMM, each row reduced to its
/// log-sum-exp with its own maximum as the shift, and the backward as two plain products per strip
/// (<c>G_strip Z</c> and <c>G_strip^T Z_strip</c>). No tiles, no common shift, no symmetry, no kept
/// exponentials: what the fused path must agree with.
/// </summary>
internal static class UnfusedSphereEntropy
{
    /// <summary>Rows of S formed at a time.</summary>
    internal const int StripRows = 64;

    /// <summary>Writes <c>LSE_i = log sum_j exp(kappa z_i . z_j)</c> (j != i when <paramref name="leaveOneOut"/>) for every row i.</summary>
    internal static unsafe void RowLogSumExp(ReadOnlySpan<float> z, int k, int d, float kappa, Span<double> lse, KernelWidth width, bool leaveOneOut = false)
    {
        float[] buffer = ArrayPool<float>.Shared.Rent(Math.Min(StripRows, k) * k);
        try
        {
            fixed (float* zp = z)
            {
                using var walker = new SimilarityWalker(new PinnedFloats(zp, z.Length), k, d, width);
                RowLogSumExp(walker, k, kappa, lse, buffer, leaveOneOut);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    private static void RowLogSumExp(SimilarityWalker walker, int k, float kappa, Span<double> lse, float[] buffer, bool leaveOneOut)
    {
        int strip = Math.Min(StripRows, k);
        for (int r0 = 0; r0 < k; r0 += strip)
        {
            int m = Math.Min(strip, k - r0);
            Span<float> s = buffer.AsSpan(0, m * k);
            Strip(walker, r0, m, s);
            for (int r = 0; r < m; r++)
            {
                Span<float> row = s.Slice(r * k, k);
                if (leaveOneOut)
                {
                    row[r0 + r] = float.NegativeInfinity;
                }

                lse[r0 + r] = LogSumExpKernel.Run(row, kappa, walker.Width);
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
    /// Value, gradient and kappa derivative in one call. With <c>P = row-softmax(S)</c> (zero diagonal
    /// when leaving one out) and per-row weights g (<see cref="SphereReduction.RowWeights"/>),
    /// <c>G = diag(g) P</c>: <c>dH/dZ = -kappa (G + G^T) Z</c> and <c>dH/dkappa = dc/dkappa - sum_i g_i sum_j P_ij z_i.z_j</c>.
    /// </summary>
    internal static unsafe (double Value, double KappaGradient) Backward(
        ReadOnlySpan<float> z, int k, int d, double kappa, double c, double dcdKappa, EntropyReduction reduction, Span<float> gradient, KernelWidth width)
    {
        bool leaveOneOut = reduction == EntropyReduction.LeaveOneOut;
        double[] lseBuffer = ArrayPool<double>.Shared.Rent(k);
        double[] weightBuffer = ArrayPool<double>.Shared.Rent(k);
        int strip = Math.Min(StripRows, k);
        float[] similarity = ArrayPool<float>.Shared.Rent(strip * k);
        float[] probability = ArrayPool<float>.Shared.Rent(strip * k);
        try
        {
            fixed (float* zp = z)
            {
                using var walker = new SimilarityWalker(new PinnedFloats(zp, z.Length), k, d, width);
                Span<double> lse = lseBuffer.AsSpan(0, k);
                Span<double> g = weightBuffer.AsSpan(0, k);
                RowLogSumExp(walker, k, (float)kappa, lse, similarity, leaveOneOut);
                double mean = SphereReduction.RowWeights(lse, reduction, g);

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
                        if (leaveOneOut)
                        {
                            pRow[r0 + r] = 0f;
                        }

                        expectedSimilarity += g[r0 + r] * TensorPrimitives.Dot(pRow, s.Slice(r * k, k));
                        TensorPrimitives.Multiply(pRow, (float)g[r0 + r], pRow);
                    }

                    // G_strip Z into the strip's own rows, G_strip^T Z_strip into every row (the GEMM reads
                    // G_strip transposed in place).
                    GemmKernel.Multiply(p, k, false, z, d, false, gradient.Slice(r0 * d, m * d), d, m, d, k, accumulate: true, width);
                    GemmKernel.Multiply(p, k, true, zStrip, d, false, gradient, d, k, d, m, accumulate: true, width);
                }

                TensorPrimitives.Multiply(gradient, (float)-kappa, gradient);
                return (c + SphereReduction.LogCount(k, reduction) - mean, dcdKappa - expectedSimilarity);
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
}
