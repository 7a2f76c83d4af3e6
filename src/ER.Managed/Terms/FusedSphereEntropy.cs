using System;
using System.Buffers;
using ER.Managed.Kernels;

namespace ER.Managed.Terms;

/// <summary>
/// The sphere entropy computed tile by tile, never holding the k x k similarity matrix (unless
/// it is small enough to keep for the backward, see <see cref="CacheLimit"/>).
/// </summary>
/// <remarks>
/// <para>
/// Forward. With M = kappa max_i ||z_i||^2, an upper bound of every S_ij = kappa z_i.z_j,
/// one exponential <c>E_ij = exp(S_ij - M)</c> serves both row i and row j, so S is computed for
/// the tiles on and above the diagonal only (half the products). Each tile adds its row sums
/// of E and of E s (s = z_i.z_j) into row i's state and its column sums into row j's;
/// <c>LSE_i = M + log sum_j E_ij</c>. Per-row sums within a tile are float (at most
/// <see cref="SimilarityTiles.Tile"/> terms), across tiles double. The self-pairs never enter the
/// tiles (the diagonal tiles mask them, <see cref="TileShape.SelfOffset"/>): the leave-one-out
/// estimator leaves them out, the others add them in double (<see cref="SelfTerms"/>).
/// </para>
/// <para>
/// Determinism: block rows are dealt to <see cref="Partitions"/> partitions (a number fixed by k
/// alone), each with its own double accumulators, processed in a fixed order by whichever
/// thread takes the partition; the partitions are then summed in index order. Results are the
/// same bit for bit whatever the thread count.
/// </para>
/// <para>
/// Range: a row whose sum under M underflows takes its own shift (<see cref="OwnShiftRows"/>, the
/// one underflow rule of every path).
/// </para>
/// <para>
/// The backward is in FusedSphereEntropy.Backward.cs.
/// </para>
/// </remarks>
internal static partial class FusedSphereEntropy
{
    /// <summary>
    /// Most floats of E kept from the forward for the backward: 16 M floats = 64 MiB, i.e. the
    /// tiles on and above the diagonal up to k = 5376 (21 block rows: 231 tiles of 256 x 272 floats).
    /// Keeping them spares the backward the recomputation of every tile (its products and
    /// exponentials), about 40% of its work.
    /// </summary>
    internal const long CacheLimit = 16L * 1024 * 1024;

    /// <summary>
    /// Number of accumulator partitions: a function of k only, so the summation order never depends
    /// on threads. At most half the block rows, so that zig-zag dealing pairs a long block row with a
    /// short one and partitions get equal work; at most 16, which bounds the accumulators (16 x 2k doubles).
    /// </summary>
    internal static int Partitions(int blockRows) => Math.Clamp(blockRows / 2, 1, 16);

    /// <summary>Runs the forward: the state of every row, and the kept tiles when asked for and small enough.</summary>
    /// <param name="z">The rows, k x d.</param>
    /// <param name="k">Rows.</param>
    /// <param name="d">Columns.</param>
    /// <param name="kappa">The concentration (0 allowed: every exponential is then 1).</param>
    /// <param name="leaveOneOut">Whether the self-pairs are left out of the row sums (else added in double).</param>
    /// <param name="keepCache">Whether to keep the tiles of E for the backward (if they fit in <see cref="CacheLimit"/>).</param>
    /// <param name="degree">Threads.</param>
    /// <param name="width">Kernel width.</param>
    internal static unsafe SphereForwardState Forward(ReadOnlySpan<float> z, int k, int d, float kappa, bool leaveOneOut, bool keepCache, int degree, KernelWidth width)
    {
        int blocks = SimilarityTiles.Blocks(k);
        int partitions = Partitions(blocks);
        long cacheLength = (long)blocks * (blocks + 1) / 2 * SlotLength;
        var state = new SphereForwardState(k, leaveOneOut, keepCache && cacheLength <= CacheLimit ? (int)cacheLength : 0);
        float maxNorm = SimilarityTiles.SquaredNorms(z, k, d, state.Norms);
        float shift = kappa * maxNorm;
        state.Shift = shift;
        state.Kappa = kappa;
        float[]? cache = state.Cache;
        bool complete = false;
        double[] sums = ArrayPool<double>.Shared.Rent(partitions * k);
        double[] dots = ArrayPool<double>.Shared.Rent(partitions * k);
        try
        {
            Array.Clear(sums, 0, partitions * k);
            Array.Clear(dots, 0, partitions * k);
            fixed (float* zp = z)
            {
                var zh = new PinnedFloats(zp, z.Length);
                using var walker = new SimilarityWalker(zh, k, d, degree, width);
                var pass = new TilePass(walker, k, d, kappa, shift, cache, width);
                Parallelism.For(partitions, degree, p => pass.Partition(zh.Span, p, partitions, blocks, sums.AsSpan(p * k, k), dots.AsSpan(p * k, k)));

                Span<double> lse = state.Lse, expected = state.ExpectedSimilarity;
                for (int i = 0; i < k; i++)
                {
                    double sum = 0.0, dot = 0.0;
                    for (int p = 0; p < partitions; p++)
                    {
                        sum += sums[(p * k) + i];
                        dot += dots[(p * k) + i];
                    }

                    if (!leaveOneOut)
                    {
                        double self = SelfTerms.UnderShift(kappa, state.Norms[i], shift);
                        sum += self;
                        dot += self * state.Norms[i];
                    }

                    if (sum >= OwnShiftRows.UnderflowLimit)
                    {
                        lse[i] = shift + Math.Log(sum);
                        expected[i] = dot / sum;
                    }
                    else
                    {
                        state.AddOwnShiftRow(i);
                    }
                }

                if (state.OwnShiftCount > 0)
                {
                    OwnShiftRows.States(zh.Span, walker, state.NormArray, k, d, kappa, leaveOneOut, state.OwnShiftRowArray, state.OwnShiftCount, state.LseArray, state.ExpectedArray, degree, width);
                }
            }

            complete = true;
            return state;
        }
        finally
        {
            if (!complete)
            {
                state.Dispose();
            }

            ArrayPool<double>.Shared.Return(sums);
            ArrayPool<double>.Shared.Return(dots);
        }
    }

    /// <summary>Offset of tile (I, J), I &lt;= J, in the cache: tiles numbered row by row over the upper triangle.</summary>
    internal static int Slot(int blockI, int blockJ, int blocks) =>
        ((blockI * blocks) - (blockI * (blockI - 1) / 2) + (blockJ - blockI)) * SlotLength;

    /// <summary>Floats of one kept tile's slot: Tile rows at the widest stride.</summary>
    private static int SlotLength => SimilarityTiles.Tile * SimilarityTiles.Stride(SimilarityTiles.Tile);

    /// <summary>The inverse of the numbering in <see cref="Slot"/>.</summary>
    internal static (int BlockI, int BlockJ) TileOf(int index, int blocks)
    {
        int bi = 0;
        while (index >= blocks - bi)
        {
            index -= blocks - bi;
            bi++;
        }

        return (bi, bi + index);
    }

    /// <summary>The forward's tiles on and above the diagonal, a partition of block rows at a time.</summary>
    private sealed class TilePass(SimilarityWalker walker, int k, int d, float kappa, float shift, float[]? cache, KernelWidth width)
    {
        /// <summary>The block rows of partition p, dealt zig-zag (p, 2P-1-p, 2P+p, ...) so partitions get similar numbers of tiles.</summary>
        internal void Partition(ReadOnlySpan<float> z, int p, int partitions, int blocks, Span<double> sums, Span<double> dots)
        {
            const int Tile = SimilarityTiles.Tile;
            int ld = SimilarityTiles.Stride(Math.Min(Tile, k));
            float[] tile = ArrayPool<float>.Shared.Rent(Tile * ld);
            float[] vectors = ArrayPool<float>.Shared.Rent(4 * ld);
            float cut = (shift - SimilarityTiles.RefineRange) / kappa;
            try
            {
                for (int round = 0; round * partitions < blocks; round++)
                {
                    int block = (round % 2 == 0) ? (round * partitions) + p : ((round + 1) * partitions) - 1 - p;
                    if (block >= blocks)
                    {
                        continue;
                    }

                    int i0 = block * Tile, m = Math.Min(Tile, k - i0);

                    // The block row's rows of Z, packed once as the A operand of all its tiles.
                    using SimilarityWalker.RowBlock rows = walker.Rows(i0, m, pack: true);
                    for (int jb = block; jb < blocks; jb++)
                    {
                        int j0 = jb * Tile, n = Math.Min(Tile, k - j0);
                        bool onDiagonal = jb == block;
                        var shape = new TileShape(m, n, SimilarityTiles.Stride(n), onDiagonal ? 0 : TileShape.NoSelf);
                        Span<float> s = cache is null ? tile.AsSpan(0, m * shape.Stride) : cache.AsSpan(Slot(block, jb, blocks), m * shape.Stride);
                        Span<float> rowSum = vectors.AsSpan(0, ld), rowDot = vectors.AsSpan(ld, ld);
                        Span<float> colSum = vectors.AsSpan(2 * ld, ld), colDot = vectors.AsSpan(3 * ld, ld);
                        vectors.AsSpan(0, 4 * ld).Clear();
                        SimilarityTiles.Similarities(walker, rows, j0, n, s, shape.Stride);
                        SimilarityTiles.Refine(z, d, i0, j0, s, shape, kappa, cut, default);
                        SimilarityTileKernel.Forward(s, shape, kappa, shift, rowSum, rowDot, colSum, colDot, columns: !onDiagonal, storeExp: cache is not null, width);
                        for (int r = 0; r < m; r++)
                        {
                            sums[i0 + r] += rowSum[r];
                            dots[i0 + r] += rowDot[r];
                        }

                        if (!onDiagonal)
                        {
                            for (int j = 0; j < n; j++)
                            {
                                sums[j0 + j] += colSum[j];
                                dots[j0 + j] += colDot[j];
                            }
                        }
                    }
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(tile);
                ArrayPool<float>.Shared.Return(vectors);
            }
        }
    }
}
