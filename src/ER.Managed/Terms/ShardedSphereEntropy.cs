using System;
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
/// <c>S = kappa Z Z^T</c>: unlike the single-process forward (<see cref="FusedSphereEntropy"/>),
/// which computes each tile above the diagonal once for both of its rows, a row here is summed
/// from its own row of tiles only, so that no shard needs another's partial sums. Every
/// quantity a row's state depends on is computed the same way wherever that row lies in a shard:
/// the shift <c>M = kappa max_j ||z_j||^2</c> from all rows; the column tiling (Tile columns from
/// column 0); each similarity by the GEMM's fixed per-element order; a row's tile sums in float,
/// then in double in column-tile order. So any split of the rows into shards gives the same states
/// bit for bit, and so the same H and gradient.
/// </para>
/// <para>
/// Pass 2 needs only the gathered states: <c>dH/dz_i = -kappa sum_j W_ij z_j</c> with
/// <c>W_ij = g_i P_ij + g_j P_ji = E_ij (h_i + h_j)</c>, <c>E_ij = exp(S_ij - M)</c>,
/// <c>h_i = g_i exp(M - LSE_i)</c>, all from row i's own row of tiles and the states: no worker needs
/// another's gradient rows.
/// </para>
/// <para>
/// Range: as in the fused path, a row whose shifted sum falls below <see cref="FusedSphereEntropy.UnderflowLimit"/>
/// (rows far from unit norm at a huge kappa, which only unvalidated input can reach) takes its own
/// maximum as the shift in pass 1; pass 2 then, for every row (the decision is taken from the
/// gathered states, so all workers agree), forms <c>W_ij = g_i exp(S_ij - LSE_i) + g_j exp(S_ij - LSE_j)</c>
/// in double, each exponential at most 1.
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

    /// <summary>Pass 1: the states of rows [first, first + count) into <paramref name="states"/> (count x <see cref="StateWidth"/>).</summary>
    internal static unsafe void RowStates(ReadOnlySpan<float> z, int k, int d, float kappa, int first, int count, Span<double> states, int degree, KernelWidth width)
    {
        if (count == 0)
        {
            return;
        }

        float[] norms = ArrayPool<float>.Shared.Rent(k);
        try
        {
            float shift = kappa * FusedSphereEntropy.SquaredNorms(z, k, d, norms);
            int blocks = (count + FusedSphereEntropy.Tile - 1) / FusedSphereEntropy.Tile;
            fixed (float* zp = z)
            fixed (double* sp = states)
            {
                var zh = new PinnedFloats(zp, z.Length);
                using var walker = new SimilarityWalker(zh, k, d, degree, width);
                double* statePointer = sp;
                Parallelism.For(blocks, degree, block =>
                {
                    int i0 = first + (block * FusedSphereEntropy.Tile), m = Math.Min(FusedSphereEntropy.Tile, first + count - i0);
                    var blockStates = new Span<double>(statePointer + ((long)(i0 - first) * StateWidth), m * StateWidth);
                    BlockRowStates(zh.Span, walker, norms, k, d, kappa, shift, i0, m, blockStates, width);
                });
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(norms);
        }
    }

    private static void BlockRowStates(ReadOnlySpan<float> z, SimilarityWalker walker, float[] norms, int k, int d, float kappa, float shift, int i0, int m, Span<double> states, KernelWidth width)
    {
        const int Tile = FusedSphereEntropy.Tile;
        int ld = FusedSphereEntropy.TileStride(Math.Min(Tile, k));
        float[] tile = ArrayPool<float>.Shared.Rent(Tile * ld);
        float[] vectors = ArrayPool<float>.Shared.Rent(2 * ld);
        double[] sums = ArrayPool<double>.Shared.Rent(2 * Tile);
        using SimilarityWalker.RowBlock rows = walker.Rows(i0, m, pack: true);
        try
        {
            Array.Clear(sums, 0, 2 * Tile);
            for (int j0 = 0; j0 < k; j0 += Tile)
            {
                int n = Math.Min(Tile, k - j0), stride = FusedSphereEntropy.TileStride(n);
                Span<float> s = tile.AsSpan(0, m * stride);
                Span<float> rowSum = vectors.AsSpan(0, ld), rowDot = vectors.AsSpan(ld, ld);
                vectors.AsSpan(0, 2 * ld).Clear();
                FusedSphereEntropy.Similarities(walker, rows, j0, n, s, stride, norms);
                FusedSphereEntropy.RefineLargeSimilarities(z, d, i0, m, j0, n, s, stride, kappa, shift);
                SimilarityTileKernel.Forward(s, m, n, stride, kappa, shift, rowSum, rowDot, default, default, columns: false, storeExp: false, width);
                for (int r = 0; r < m; r++)
                {
                    sums[2 * r] += rowSum[r];
                    sums[(2 * r) + 1] += rowDot[r];
                }
            }

            for (int r = 0; r < m; r++)
            {
                double sum = sums[2 * r], dot = sums[(2 * r) + 1];
                if (sum >= FusedSphereEntropy.UnderflowLimit)
                {
                    states[StateWidth * r] = shift + Math.Log(sum);
                    states[(StateWidth * r) + 1] = dot / sum;
                }
                else
                {
                    OwnShiftState(z, k, d, kappa, i0 + r, states.Slice(StateWidth * r, StateWidth));
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(tile);
            ArrayPool<float>.Shared.Return(vectors);
            ArrayPool<double>.Shared.Return(sums);
        }
    }

    /// <summary>Row i's state with its own largest similarity as the shift, all in double: for rows whose sum under the common shift underflows.</summary>
    private static void OwnShiftState(ReadOnlySpan<float> z, int k, int d, float kappa, int i, Span<double> state)
    {
        double[] row = ArrayPool<double>.Shared.Rent(k);
        try
        {
            ReadOnlySpan<float> zi = z.Slice(i * d, d);
            double max = double.NegativeInfinity;
            for (int j = 0; j < k; j++)
            {
                row[j] = FusedSphereEntropy.DotDouble(zi, z.Slice(j * d, d));
                max = Math.Max(max, kappa * row[j]);
            }

            double sum = 0.0, dot = 0.0;
            for (int j = 0; j < k; j++)
            {
                double e = Math.Exp((kappa * row[j]) - max);
                sum += e;
                dot += e * row[j];
            }

            state[0] = max + Math.Log(sum);
            state[1] = dot / sum;
        }
        finally
        {
            ArrayPool<double>.Shared.Return(row);
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
                SphereEntropyTerm.WeightedMean(lse, reduction, rowWeights);
            }

            return SphereEntropyTerm.Result(lse, expected, c, dc, reduction, g.IsEmpty ? buffer.AsSpan(2 * k, k) : g[..k]);
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

        const int Tile = FusedSphereEntropy.Tile;
        int padded = ((k + Tile - 1) / Tile * Tile) + FusedSphereEntropy.Alignment;
        float[] norms = ArrayPool<float>.Shared.Rent(k);
        double[] g = ArrayPool<double>.Shared.Rent(k);
        float[] h = ArrayPool<float>.Shared.Rent(padded);
        try
        {
            float shift = kappa * FusedSphereEntropy.SquaredNorms(z, k, d, norms);
            Combine(states, k, 0.0, 0.0, reduction, g);

            // h_i = g_i exp(M - LSE_i) when every M - LSE_i stays under -log(1e-20) = 46 (always, for unit rows); else exact weights.
            bool common = true;
            for (int i = 0; i < k; i++)
            {
                common &= shift - states[StateWidth * i] <= -Math.Log(FusedSphereEntropy.UnderflowLimit);
            }

            for (int i = 0; i < k && common; i++)
            {
                h[i] = (float)(g[i] * Math.Exp(shift - states[StateWidth * i]));
            }

            Array.Clear(h, k, padded - k);
            ExactWeights? exact = common ? null : new ExactWeights(states, g, kappa);
            int blocks = (count + Tile - 1) / Tile;
            fixed (float* zp = z)
            fixed (float* gp = gradient)
            {
                var zh = new PinnedFloats(zp, z.Length);
                using var walker = new SimilarityWalker(zh, k, d, degree, width);
                var gh = new PinnedFloats(gp, gradient.Length);
                Parallelism.For(blocks, degree, block =>
                {
                    int i0 = first + (block * Tile), m = Math.Min(Tile, first + count - i0);
                    Span<float> target = gh.Span.Slice((i0 - first) * d, m * d);
                    BlockRowGradient(zh.Span, walker, norms, k, d, kappa, shift, h, exact, i0, m, target, width);
                });
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(norms);
            ArrayPool<double>.Shared.Return(g);
            ArrayPool<float>.Shared.Return(h);
        }
    }

    private static void BlockRowGradient(
        ReadOnlySpan<float> z, SimilarityWalker walker, float[] norms, int k, int d, float kappa, float shift, float[] h, ExactWeights? exact, int i0, int m, Span<float> target, KernelWidth width)
    {
        const int Tile = FusedSphereEntropy.Tile;
        int ld = FusedSphereEntropy.TileStride(Math.Min(Tile, k));
        float[] tile = ArrayPool<float>.Shared.Rent(Tile * ld);
        using SimilarityWalker.RowBlock rows = walker.Rows(i0, m, pack: true);
        try
        {
            for (int j0 = 0; j0 < k; j0 += Tile)
            {
                int n = Math.Min(Tile, k - j0), stride = FusedSphereEntropy.TileStride(n);
                Span<float> w = tile.AsSpan(0, m * stride);
                FusedSphereEntropy.Similarities(walker, rows, j0, n, w, stride, norms);
                FusedSphereEntropy.RefineLargeSimilarities(z, d, i0, m, j0, n, w, stride, kappa, shift);
                if (exact is null)
                {
                    SimilarityTileKernel.ExpWeights(w, m, n, stride, kappa, shift, h.AsSpan(i0, m), h.AsSpan(j0, FusedSphereEntropy.RoundUp(n, FusedSphereEntropy.Alignment)), width);
                }
                else
                {
                    exact.Apply(w, m, n, stride, i0, j0);
                }

                GemmKernel.Multiply(w, stride, false, z.Slice(j0 * d, n * d), d, false, target, d, m, d, n, accumulate: j0 > 0, width);
            }

            System.Numerics.Tensors.TensorPrimitives.Multiply(target, -kappa, target);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(tile);
        }
    }

    /// <summary><c>W_ij = g_i exp(S_ij - LSE_i) + g_j exp(S_ij - LSE_j)</c> in double, for batches whose rows are too far from unit norm for the common shift.</summary>
    private sealed class ExactWeights
    {
        private readonly double[] _lse;
        private readonly double[] _g;
        private readonly double _kappa;

        internal ExactWeights(ReadOnlySpan<double> states, double[] g, float kappa)
        {
            int k = states.Length / StateWidth;
            _lse = new double[k];
            for (int i = 0; i < k; i++)
            {
                _lse[i] = states[StateWidth * i];
            }

            _g = g;
            _kappa = kappa;
        }

        /// <summary>Overwrites an m x stride tile of similarities (rows from i0, n valid columns from j0) with W; padding columns get zero.</summary>
        internal void Apply(Span<float> s, int m, int n, int stride, int i0, int j0)
        {
            for (int r = 0; r < m; r++)
            {
                Span<float> row = s.Slice(r * stride, stride);
                double gi = _g[i0 + r], lsei = _lse[i0 + r];
                for (int t = 0; t < n; t++)
                {
                    double sij = _kappa * row[t];
                    row[t] = (float)((gi * Math.Exp(sij - lsei)) + (_g[j0 + t] * Math.Exp(sij - _lse[j0 + t])));
                }

                row[n..].Clear();
            }
        }
    }
}
