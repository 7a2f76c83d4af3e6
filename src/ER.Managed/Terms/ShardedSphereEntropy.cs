using System.Buffers;
using ER.Managed.Kernels;
using ER.Managed.Kernels.Gemm;

namespace ER.Managed.Terms;

/// <summary>
/// The sphere entropy split by rows, for data-parallel workers that each hold all k rows but own a
/// range of them (<see cref="SphereEntropyShards"/> is the public face).
/// </summary>
/// <remarks>
/// <para>
/// Pass 1 gives each owned row its state <c>(LSE_i, sum_j P_ij s_ij)</c> from its whole row of
/// <c>S = kappa Z Z^T</c> (the self-pair masked when leaving one out): unlike the single-process
/// forward (<see cref="FusedSphereEntropy"/>), which computes each tile above the diagonal once for
/// both of its rows, a row here is summed from its own row of tiles only, so that no shard needs
/// another's partial sums. Every quantity a row's state depends on is computed the same way wherever
/// that row lies in a shard: the shift <c>M = kappa max_j ||z_j||^2</c> from all rows; the column
/// tiling (Tile columns from column 0); each similarity by the GEMM's fixed per-element order; a
/// row's tile sums in float, then in double in column-tile order. So any split of the rows into
/// shards gives the same states bit for bit, and so the same H and gradient.
/// </para>
/// <para>
/// Pass 2 needs only the gathered states: <c>dH/dz_i = -kappa sum_j W_ij z_j</c> with
/// <c>W_ij = g_i P_ij + g_j P_ji = E_ij (h_i + h_j)</c>, <c>E_ij = exp(S_ij - M)</c>,
/// <c>h_i = g_i exp(M - LSE_i)</c>, all from row i's own row of tiles and the states: no worker needs
/// another's gradient rows.
/// </para>
/// <para>
/// Range: the single-process rule (<see cref="OwnShiftRows"/>). A row whose sum under M underflows
/// takes its own shift in pass 1, computed by the same code as in a single process (so such a row's
/// state is the same bits in both); pass 2 forms the terms of every row with
/// <c>LSE_i &lt; M + log 1e-20</c> from its LSE (<see cref="SimilarityTileKernel.MixedWeights"/>), a
/// decision taken from the gathered states, so all workers agree.
/// </para>
/// <para>
/// Cost: pass 1 and pass 2 each compute every tile of their rows, twice the similarity products
/// and exponentials of the single-process forward and recomputing backward, which form each tile
/// above the diagonal once for both of its block rows (sharing a tile across workers would need a
/// reduce of its column sums and lose the split-independence).
/// </para>
/// </remarks>
internal static class ShardedSphereEntropy
{
    /// <summary>Doubles per row state: LSE_i, then <c>sum_j P_ij s_ij</c>.</summary>
    internal const int StateWidth = 2;

    private const int Tile = SimilarityTiles.Tile;

    /// <summary>Pass 1: the states of rows [first, first + count) into <paramref name="states"/> (count x <see cref="StateWidth"/>).</summary>
    internal static unsafe void RowStates(ReadOnlySpan<float> z, int k, int d, float kappa, bool leaveOneOut, int first, int count, Span<double> states, int degree, KernelWidth width)
    {
        if (count == 0)
        {
            return;
        }

        if (kappa >= ExactRows.FromKappa)
        {
            ExactStates(z, k, d, kappa, leaveOneOut, first, count, states, degree, width);
            return;
        }

        double[] norms = ArrayPool<double>.Shared.Rent(k);
        double[] sums = ArrayPool<double>.Shared.Rent(2 * count);
        try
        {
            float shift = kappa * SimilarityTiles.SquaredNorms(z, k, d, norms);
            int blocks = SimilarityTiles.Blocks(count);
            fixed (float* zp = z)
            {
                var zh = new PinnedFloats(zp, z.Length);
                using var walker = new SimilarityWalker(zh, k, d, width);
                Parallelism.For(blocks, degree, block =>
                {
                    int i0 = first + (block * Tile), m = Math.Min(Tile, first + count - i0);
                    BlockRowSums(zh.Span, walker, k, d, kappa, shift, i0, m, sums.AsSpan(i0 - first, m), sums.AsSpan(count + i0 - first, m), width);
                });

                int own = 0;
                int[] ownRows = ArrayPool<int>.Shared.Rent(count);
                try
                {
                    for (int r = 0; r < count; r++)
                    {
                        if (!ForwardTiles.TryState(sums[r], sums[count + r], norms[first + r], kappa, shift, leaveOneOut, out states[StateWidth * r], out states[(StateWidth * r) + 1]))
                        {
                            ownRows[own++] = first + r;
                        }
                    }

                    if (own > 0)
                    {
                        OwnShiftStates(zh.Span, walker, norms, k, d, kappa, leaveOneOut, first, ownRows, own, states, degree, width);
                    }
                }
                finally
                {
                    ArrayPool<int>.Shared.Return(ownRows);
                }
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(norms);
            ArrayPool<double>.Shared.Return(sums);
        }
    }

    /// <summary>The sums of E and E s over the whole row of tiles of rows [i0, i0 + m), self-pairs masked, into <paramref name="rowSums"/> and <paramref name="rowDots"/>.</summary>
    private static void BlockRowSums(ReadOnlySpan<float> z, SimilarityWalker walker, int k, int d, float kappa, float shift, int i0, int m, Span<double> rowSums, Span<double> rowDots, KernelWidth width)
    {
        float[] tile = ArrayPool<float>.Shared.Rent(Tile * SimilarityTiles.Stride(Math.Min(Tile, k)));
        using SimilarityWalker.RowBlock rows = walker.Rows(i0, m, pack: true);
        try
        {
            rowSums.Clear();
            rowDots.Clear();
            for (int j0 = 0; j0 < k; j0 += Tile)
            {
                int n = Math.Min(Tile, k - j0);
                var shape = new TileShape(m, n, SimilarityTiles.Stride(n), i0 - j0);
                ForwardTiles.Add(z, d, walker, rows, j0, tile.AsSpan(0, m * shape.Stride), shape, kappa, shift, storeExp: false, rowSums, rowDots, default, default, width);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(tile);
        }
    }

    /// <summary>The states of the listed rows by <see cref="OwnShiftRows"/>, the same code as a single process runs.</summary>
    private static void OwnShiftStates(
        ReadOnlySpan<float> z, SimilarityWalker walker, double[] norms, int k, int d, float kappa, bool leaveOneOut, int first, int[] rows, int count, Span<double> states, int degree, KernelWidth width)
    {
        double[] lse = ArrayPool<double>.Shared.Rent(k);
        double[] expected = ArrayPool<double>.Shared.Rent(k);
        try
        {
            OwnShiftRows.States(z, walker, norms, k, d, kappa, leaveOneOut, rows, count, lse, expected, degree, width);
            for (int t = 0; t < count; t++)
            {
                int i = rows[t];
                states[StateWidth * (i - first)] = lse[i];
                states[(StateWidth * (i - first)) + 1] = expected[i];
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(lse);
            ArrayPool<double>.Shared.Return(expected);
        }
    }

    /// <summary>
    /// The value and dH/dkappa from all k gathered states, given c and dc/dkappa; writes the
    /// backward's per-row weights g into <paramref name="g"/> and the estimator's row weights u
    /// (softmax(LSE) or 1/k) into <paramref name="rowWeights"/>, each when it is not empty.
    /// </summary>
    internal static SphereTermResult Combine(ReadOnlySpan<double> states, int k, double c, double dc, EntropyReduction reduction, Span<double> g, Span<double> rowWeights = default)
    {
        double[] buffer = ArrayPool<double>.Shared.Rent(3 * k);
        try
        {
            Span<double> lse = buffer.AsSpan(0, k), expected = buffer.AsSpan(k, k);
            for (int i = 0; i < k; i++)
            {
                lse[i] = states[StateWidth * i];
                expected[i] = states[(StateWidth * i) + 1];
            }

            if (!rowWeights.IsEmpty)
            {
                SphereReduction.WeightedMean(lse, reduction, rowWeights);
            }

            return SphereReduction.Result(lse, expected, c, dc, reduction, g.IsEmpty ? buffer.AsSpan(2 * k, k) : g[..k]);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(buffer);
        }
    }

    /// <summary>Pass 2: dH/dz for rows [first, first + count) into <paramref name="gradient"/> (count x d), from all k gathered states.</summary>
    internal static unsafe void Gradient(
        ReadOnlySpan<float> z, int k, int d, float kappa, ReadOnlySpan<double> states, EntropyReduction reduction, int first, int count, Span<float> gradient, int degree, KernelWidth width)
    {
        if (count == 0)
        {
            return;
        }

        if (kappa >= ExactRows.FromKappa)
        {
            ExactGradient(z, k, d, kappa, states, reduction, first, count, gradient, degree, width);
            return;
        }

        double[] norms = ArrayPool<double>.Shared.Rent(k);
        double[] g = ArrayPool<double>.Shared.Rent(k);
        try
        {
            float shift = kappa * SimilarityTiles.SquaredNorms(z, k, d, norms);
            Combine(states, k, 0.0, 0.0, reduction, g);
            using var weights = new GradientWeights(k, g, states, StateWidth, kappa, shift);
            int blocks = SimilarityTiles.Blocks(count);
            fixed (float* zp = z)
            fixed (float* gp = gradient)
            {
                var zh = new PinnedFloats(zp, z.Length);
                using var walker = new SimilarityWalker(zh, k, d, width);
                using PackedOperand? zBlocks = GradientProducts.PackZ(z, k, d, width);
                var gh = new PinnedFloats(gp, gradient.Length);
                Parallelism.For(blocks, degree, block =>
                {
                    int i0 = first + (block * Tile), m = Math.Min(Tile, first + count - i0);
                    Span<float> target = gh.Span.Slice((i0 - first) * d, m * d);
                    BlockRowGradient(zh.Span, zBlocks, walker, k, d, kappa, weights, i0, m, target, width);
                });
            }

            if (reduction != EntropyReduction.LeaveOneOut)
            {
                for (int i = first; i < first + count; i++)
                {
                    SelfTerms.AddGradient(kappa, norms[i], states[StateWidth * i], g[i], z.Slice(i * d, d), gradient.Slice((i - first) * d, d));
                }
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(norms);
            ArrayPool<double>.Shared.Return(g);
        }
    }

    /// <summary>Rows [i0, i0 + m) of <c>-kappa W Z</c> from their whole row of tiles, in column-tile order (Z packed once as in a single process).</summary>
    private static void BlockRowGradient(
        ReadOnlySpan<float> z, PackedOperand? zBlocks, SimilarityWalker walker, int k, int d, float kappa, GradientWeights weights, int i0, int m, Span<float> target, KernelWidth width)
    {
        float[] tile = ArrayPool<float>.Shared.Rent(Tile * SimilarityTiles.Stride(Math.Min(Tile, k)));
        using SimilarityWalker.RowBlock rows = walker.Rows(i0, m, pack: true);
        try
        {
            for (int j0 = 0; j0 < k; j0 += Tile)
            {
                int n = Math.Min(Tile, k - j0);
                var shape = new TileShape(m, n, SimilarityTiles.Stride(n), i0 - j0);
                Span<float> w = tile.AsSpan(0, m * shape.Stride);
                weights.Weigh(z, d, walker, rows, j0, w, shape, kappa, width);
                GradientProducts.Add(w, shape.Stride, transposed: false, z, zBlocks, j0 / Tile, d, target, m, n, accumulate: j0 > 0, width);
            }

            System.Numerics.Tensors.TensorPrimitives.Multiply(target, -kappa, target);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(tile);
        }
    }

    /// <summary>Pass 1 by <see cref="ExactRows"/> (kappa from <see cref="ExactRows.FromKappa"/> up): the same rows' code as a single process.</summary>
    private static void ExactStates(ReadOnlySpan<float> z, int k, int d, float kappa, bool leaveOneOut, int first, int count, Span<double> states, int degree, KernelWidth width)
    {
        double[] buffer = ArrayPool<double>.Shared.Rent(2 * count);
        try
        {
            ExactRows.States(z, k, d, kappa, leaveOneOut, first, count, buffer.AsSpan(0, count), buffer.AsSpan(count, count), degree, width);
            for (int r = 0; r < count; r++)
            {
                states[StateWidth * r] = buffer[r];
                states[(StateWidth * r) + 1] = buffer[count + r];
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(buffer);
        }
    }

    /// <summary>Pass 2 by <see cref="ExactRows"/>, from all k gathered states.</summary>
    private static void ExactGradient(ReadOnlySpan<float> z, int k, int d, float kappa, ReadOnlySpan<double> states, EntropyReduction reduction, int first, int count, Span<float> gradient, int degree, KernelWidth width)
    {
        double[] buffer = ArrayPool<double>.Shared.Rent(2 * k);
        try
        {
            Span<double> lse = buffer.AsSpan(0, k), g = buffer.AsSpan(k, k);
            Combine(states, k, 0.0, 0.0, reduction, g);
            for (int i = 0; i < k; i++)
            {
                lse[i] = states[StateWidth * i];
            }

            ExactRows.Gradient(z, k, d, kappa, reduction == EntropyReduction.LeaveOneOut, lse, g, first, count, gradient, degree, width);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(buffer);
        }
    }
}
