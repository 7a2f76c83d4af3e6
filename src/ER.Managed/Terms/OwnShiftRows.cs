using System;
using System.Buffers;
using ER.Managed.Kernels;

namespace ER.Managed.Terms;

/// <summary>
/// The one underflow rule of the sphere entropy. The tiles share one shift
/// <c>M = kappa max_j ||z_j||^2</c>, an upper bound of every similarity, so one exponential
/// <c>exp(kappa s_ij - M)</c> serves row i and row j. A row whose largest term lies far below M has
/// a sum that underflows float (sum below <see cref="UnderflowLimit"/>): the leave-one-out estimator
/// at a large kappa, where a row's nearest other row is at <c>kappa (1 - s) &gt; 46</c>, or rows far from
/// unit norm. Such a row takes its own shift instead, its largest similarity (the self-pair
/// excluded where the estimator excludes it): its state <c>(LSE_i, sum_j P_ij s_ij)</c> comes from its
/// whole row of S, computed here; the backward forms its weights <c>g_i P_ij</c> from its LSE
/// (<see cref="SimilarityTileKernel.MixedWeights"/>). This is the kappa -&gt; infinity limit made
/// exact: P_i concentrates on the nearest rows, and LSE_i is their log-sum-exp, never -inf.
/// </summary>
/// <remarks>
/// The rows are computed from the same similarities the tiles use (the walker's products, the
/// exact diagonal, near-duplicates refined within <see cref="SimilarityTiles.RefineRange"/> of the
/// row's own shift, column tiles of <see cref="SimilarityTiles.Tile"/> summed in float, then in
/// double in column order), so a row's state does not depend on threads or on which other rows
/// took their own shift. Cost: one row of S per such row (r k d flops and r k exponentials for r
/// rows), about a forward when every row needs it.
/// </remarks>
internal static class OwnShiftRows
{
    /// <summary>Row sums below this (of exponentials under the common shift) make a row take its own shift.</summary>
    internal const double UnderflowLimit = 1e-20;

    /// <summary>Rows gathered for one product: enough for the micro-kernel's MR, few enough for a 64 x k strip per thread.</summary>
    internal const int StripRows = 32;

    /// <summary>
    /// The states of <paramref name="rows"/> (ascending row indices) with their own shifts: LSE_i into
    /// <paramref name="lse"/>, <c>sum_j P_ij s_ij</c> into <paramref name="expected"/>, and each row's refine
    /// cut into <paramref name="cuts"/> (all indexed by row).
    /// </summary>
    internal static void States(
        ReadOnlySpan<float> z, SimilarityWalker walker, float[] diagonal, int k, int d, float kappa, bool leaveOneOut,
        int[] rows, int count, double[] lse, double[] expected, float[] cuts, int degree, KernelWidth width)
    {
        int strips = (count + StripRows - 1) / StripRows;
        int ld = SimilarityTiles.Stride(SimilarityTiles.RoundUp(k, SimilarityTiles.Alignment));
        unsafe
        {
            fixed (float* zp = z)
            {
                var zh = new PinnedFloats(zp, z.Length);
                Parallelism.For(strips, degree, strip =>
                {
                    int first = strip * StripRows, m = Math.Min(StripRows, count - first);
                    float[] gathered = ArrayPool<float>.Shared.Rent(m * d);
                    float[] buffer = ArrayPool<float>.Shared.Rent(m * ld);
                    try
                    {
                        ReadOnlySpan<float> all = zh.Span;
                        for (int r = 0; r < m; r++)
                        {
                            all.Slice(rows[first + r] * d, d).CopyTo(gathered.AsSpan(r * d, d));
                        }

                        Span<float> s = buffer.AsSpan(0, m * ld);
                        for (int j0 = 0; j0 < k; j0 += SimilarityTiles.Tile)
                        {
                            int n = Math.Min(SimilarityTiles.Tile, k - j0);
                            walker.ProductOfRows(gathered.AsSpan(0, m * d), m, j0, n, s[j0..], ld);
                        }

                        for (int r = 0; r < m; r++)
                        {
                            int i = rows[first + r];
                            Span<float> row = s.Slice(r * ld, ld);
                            row[k..].Clear();
                            RowState(all, row, diagonal, k, d, kappa, leaveOneOut, i, out lse[i], out expected[i], out cuts[i], width);
                        }
                    }
                    finally
                    {
                        ArrayPool<float>.Shared.Return(gathered);
                        ArrayPool<float>.Shared.Return(buffer);
                    }
                });
            }
        }
    }

    /// <summary>Row i's state from its similarities (k valid entries, finite padding after them).</summary>
    private static void RowState(
        ReadOnlySpan<float> z, Span<float> row, float[] diagonal, int k, int d, float kappa, bool leaveOneOut, int i,
        out double lse, out double expected, out float cut, KernelWidth width)
    {
        if (!leaveOneOut)
        {
            row[i] = diagonal[i];
        }

        float max = float.NegativeInfinity;
        for (int j = 0; j < k; j++)
        {
            if (j != i || !leaveOneOut)
            {
                max = MathF.Max(max, row[j]);
            }
        }

        float shift = kappa * max;
        cut = max - (SimilarityTiles.RefineRange / kappa);
        Span<float> vectors = stackalloc float[2 * SimilarityTiles.Alignment];
        double sum = 0.0, dot = 0.0;
        for (int j0 = 0; j0 < k; j0 += SimilarityTiles.Tile)
        {
            int n = Math.Min(SimilarityTiles.Tile, k - j0);
            var shape = new TileShape(1, n, SimilarityTiles.Stride(n), leaveOneOut ? i - j0 : TileShape.NoSelf);
            Span<float> chunk = row.Slice(j0, shape.Stride);
            SimilarityTiles.Refine(z, d, i, j0, chunk, shape, kappa, cut, default);
            vectors.Clear();
            SimilarityTileKernel.Forward(chunk, shape, kappa, shift, vectors[..1], vectors.Slice(SimilarityTiles.Alignment, 1), default, default, columns: false, storeExp: false, width);
            sum += vectors[0];
            dot += vectors[SimilarityTiles.Alignment];
        }

        lse = shift + Math.Log(sum);
        expected = dot / sum;
    }
}
