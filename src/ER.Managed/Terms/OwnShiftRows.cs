using System.Buffers;
using System.Numerics.Tensors;
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
/// Such rows are gathered into blocks of <see cref="SimilarityTiles.Tile"/>, packed once, and swept
/// across the column tiles like a block row of the forward, each row keeping an online log-sum-exp:
/// its running maximum, and its sums rescaled in double whenever a tile raises the maximum. A row's
/// state depends only on its own similarities (the walker's products, the exact diagonal,
/// near-duplicates refined within <see cref="SimilarityTiles.RefineRange"/> of its running maximum)
/// and the fixed column order, so it is the same bits whatever other rows share its block, in any
/// thread count, in a single process or a row shard. Cost: about a non-symmetric forward over these
/// rows (r k d flops and r k exponentials for r rows).
/// </remarks>
internal static class OwnShiftRows
{
    /// <summary>Row sums below this (of exponentials under the common shift) make a row take its own shift.</summary>
    internal const double UnderflowLimit = 1e-20;

    /// <summary>
    /// The backward's refine cut of a row with its own shift (see <see cref="SimilarityTiles.Refine"/>):
    /// <see cref="SimilarityTiles.RefineRange"/> below its LSE, the same in every path that forms its terms.
    /// </summary>
    internal static float RefineCut(double lse, float kappa) => (float)((lse - SimilarityTiles.RefineRange) / kappa);

    /// <summary>
    /// The states of <paramref name="rows"/> (<paramref name="count"/> ascending row indices) with their own
    /// shifts: LSE_i into <paramref name="lse"/> and <c>sum_j P_ij s_ij</c> into <paramref name="expected"/> (both indexed by row).
    /// </summary>
    internal static void States(
        ReadOnlySpan<float> z, SimilarityWalker walker, double[] norms, int k, int d, float kappa, bool leaveOneOut,
        int[] rows, int count, double[] lse, double[] expected, int degree, KernelWidth width)
    {
        const int Tile = SimilarityTiles.Tile;
        int blocks = SimilarityTiles.Blocks(count);
        int ld = SimilarityTiles.Stride(Math.Min(Tile, k));
        unsafe
        {
            fixed (float* zp = z)
            {
                var zh = new PinnedFloats(zp, z.Length);
                Parallelism.For(blocks, degree, b =>
                {
                    int first = b * Tile, m = Math.Min(Tile, count - first);
                    float[] gathered = ArrayPool<float>.Shared.Rent(m * d);
                    float[] tile = ArrayPool<float>.Shared.Rent(m * ld);
                    double[] sums = ArrayPool<double>.Shared.Rent(2 * m);
                    float[] maxima = ArrayPool<float>.Shared.Rent(m);
                    try
                    {
                        ReadOnlySpan<float> all = zh.Span;
                        for (int r = 0; r < m; r++)
                        {
                            all.Slice(rows[first + r] * d, d).CopyTo(gathered.AsSpan(r * d, d));
                        }

                        var state = new Block(rows.AsSpan(first, m), sums.AsSpan(0, 2 * m), maxima.AsSpan(0, m));
                        state.Start();
                        using SimilarityWalker.RowBlock packed = walker.PackRows(gathered.AsSpan(0, m * d), m);
                        for (int j0 = 0; j0 < k; j0 += Tile)
                        {
                            int n = Math.Min(Tile, k - j0), stride = SimilarityTiles.Stride(n);
                            Span<float> s = tile.AsSpan(0, m * stride);
                            walker.ProductOfRows(packed, gathered.AsSpan(0, m * d), j0, n, s, stride);
                            SimilarityTiles.ClearPadding(s, m, n, stride);
                            for (int r = 0; r < m; r++)
                            {
                                state.AddTile(all, s.Slice(r * stride, stride), r, d, j0, n, kappa, width);
                            }
                        }

                        for (int r = 0; r < m; r++)
                        {
                            int i = rows[first + r];
                            (lse[i], expected[i]) = state.Finish(r, kappa, leaveOneOut ? double.NaN : norms[i]);
                        }
                    }
                    finally
                    {
                        ArrayPool<float>.Shared.Return(gathered);
                        ArrayPool<float>.Shared.Return(tile);
                        ArrayPool<double>.Shared.Return(sums);
                        ArrayPool<float>.Shared.Return(maxima);
                    }
                });
            }
        }
    }

    /// <summary>The running state of a block of gathered rows: per row its largest similarity so far and its sums of E and E s under that shift.</summary>
    private readonly ref struct Block(ReadOnlySpan<int> rows, Span<double> sums, Span<float> maxima)
    {
        private readonly ReadOnlySpan<int> _rows = rows;
        private readonly Span<double> _sums = sums;
        private readonly Span<float> _maxima = maxima;

        internal void Start()
        {
            _sums.Clear();
            _maxima.Fill(float.NegativeInfinity);
        }

        /// <summary>Adds row r's similarities with columns [j0, j0 + n) but its own (one tile row, finite padding after n).</summary>
        internal void AddTile(ReadOnlySpan<float> z, Span<float> row, int r, int d, int j0, int n, float kappa, KernelWidth width)
        {
            int i = _rows[r];
            bool holdsSelf = i >= j0 && i < j0 + n;
            if (holdsSelf)
            {
                // Hidden from the maximum; the kernel masks it from the sums (the self term is added in double).
                row[i - j0] = float.NegativeInfinity;
            }

            float tileMax = TensorPrimitives.Max(row[..n]);
            if (holdsSelf)
            {
                row[i - j0] = 0f;
            }

            if (tileMax == float.NegativeInfinity)
            {
                return; // a one-column tile that holds only the excluded self-pair
            }

            float previous = _maxima[r];
            float max = MathF.Max(previous, tileMax);
            if (max > previous && previous != float.NegativeInfinity)
            {
                // The sums so far were taken under exp(kappa previous): carry them to the new shift.
                double scale = Math.Exp((double)(kappa * previous) - (kappa * max));
                _sums[2 * r] *= scale;
                _sums[(2 * r) + 1] *= scale;
            }

            _maxima[r] = max;
            var shape = new TileShape(1, n, row.Length, i - j0);
            SimilarityTiles.Refine(z, d, i, j0, row, shape, kappa, max - (SimilarityTiles.RefineRange / kappa), default);
            Span<float> vectors = stackalloc float[2];
            vectors.Clear();
            SimilarityTileKernel.Forward(row, shape, kappa, kappa * max, vectors[..1], vectors[1..], default, default, columns: false, storeExp: false, width);
            _sums[2 * r] += vectors[0];
            _sums[(2 * r) + 1] += vectors[1];
        }

        /// <summary>Row r's LSE and expected similarity, with its self term <c>exp(kappa norm)</c> where the estimator has one (<paramref name="norm"/> not NaN).</summary>
        internal (double Lse, double Expected) Finish(int r, float kappa, double norm)
        {
            float shift = kappa * _maxima[r];
            double sum = _sums[2 * r], dot = _sums[(2 * r) + 1];
            return double.IsNaN(norm) ? (shift + Math.Log(sum), dot / sum) : SelfTerms.WithSelf(shift, sum, dot, kappa, norm);
        }
    }
}
