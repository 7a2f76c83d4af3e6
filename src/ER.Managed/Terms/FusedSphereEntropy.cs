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
/// Determinism: the tiles are swept by <see cref="SymmetricTileSweep"/>, the schedule the backward
/// and the kNN estimator share, so every row receives its tiles' sums in one fixed order into one
/// double accumulator: the same bits whatever the thread count.
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
    /// Up to this many block rows (k &lt;= 8192) the forward keeps every tile's float partial sums
    /// (<see cref="ForwardTiles.PartialLength"/> floats a tile: 2.1 MiB at 32 block rows) and adds
    /// them up afterwards in the sweep's order, so the result is the same bits either way. With few
    /// block rows the sweep's wavefront leaves a thread waiting (4 block rows on 2 threads: 6 tiles
    /// against 4), while independent block rows handed out longest first balance (5 and 5): the
    /// forward at 1000 x 1000 took 5.2 ms swept against 4.2 (Zen 5, 2 threads).
    /// </summary>
    internal const int BufferedBlockLimit = 32;

    /// <summary>Runs the forward: the state of every row, and the kept tiles when asked for and small enough.</summary>
    /// <param name="z">The rows, k x d.</param>
    /// <param name="k">Rows.</param>
    /// <param name="d">Columns.</param>
    /// <param name="kappa">The concentration (0 allowed: every exponential is then 1).</param>
    /// <param name="leaveOneOut">Whether the self-pairs are left out of the row sums (else added in double).</param>
    /// <param name="keepCache">Whether to keep the tiles of E for the backward (if they fit in <see cref="CacheLimit"/>).</param>
    /// <param name="degree">Threads.</param>
    /// <param name="width">Kernel width.</param>
    /// <param name="bufferedBlockLimit">Most block rows for buffered partial sums (tests set it to drive either schedule).</param>
    /// <param name="expectedSimilarity">
    /// Whether the state's <see cref="SphereForwardState.ExpectedSimilarity"/> is wanted (the gradients
    /// need it, a value does not). Without it the tiles skip their sums of E s, and the expected
    /// similarities are NaN but for rows that took their own shift; the LSEs are the same bits.
    /// </param>
    internal static unsafe SphereForwardState Forward(
        ReadOnlySpan<float> z, int k, int d, float kappa, bool leaveOneOut, bool keepCache, int degree, KernelWidth width, int bufferedBlockLimit = BufferedBlockLimit,
        bool expectedSimilarity = true)
    {
        int blocks = SimilarityTiles.Blocks(k);
        long cacheLength = (long)blocks * (blocks + 1) / 2 * SlotLength;
        var state = new SphereForwardState(k, leaveOneOut, keepCache && cacheLength <= CacheLimit ? (int)cacheLength : 0);
        float maxNorm = SimilarityTiles.SquaredNorms(z, k, d, state.Norms);
        float shift = kappa * maxNorm;
        state.Shift = shift;
        bool complete = false;
        double[] sums = ArrayPool<double>.Shared.Rent(k);
        double[]? dots = expectedSimilarity ? ArrayPool<double>.Shared.Rent(k) : null;
        try
        {
            Array.Clear(sums, 0, k);
            if (dots is not null)
            {
                Array.Clear(dots, 0, k);
            }

            fixed (float* zp = z)
            {
                var zh = new PinnedFloats(zp, z.Length);
                using var walker = new SimilarityWalker(zh, k, d, width);
                if (blocks <= bufferedBlockLimit)
                {
                    BufferedTiles(zh, walker, k, d, kappa, shift, state.Cache, sums, dots, degree, width);
                }
                else
                {
                    SymmetricTileSweep.Run(walker, k, degree, new SweptTiles(zh, walker, k, d, kappa, shift, state.Cache, sums, dots, width));
                }

                Span<double> lse = state.Lse, expected = state.ExpectedSimilarity;
                for (int i = 0; i < k; i++)
                {
                    if (!ForwardTiles.TryState(sums[i], dots is null ? double.NaN : dots[i], state.Norms[i], kappa, shift, leaveOneOut, out lse[i], out expected[i]))
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
            PooledArrays.ReturnIfRented(dots);
        }
    }

    /// <summary>Offset of tile (I, J), I &lt;= J, in the cache (slots in <see cref="TileIndex"/> order).</summary>
    internal static int Slot(int blockI, int blockJ, int blocks) => TileIndex(blockI, blockJ, blocks) * SlotLength;

    /// <summary>Tile (I, J), I &lt;= J, numbered row by row over the upper triangle: (0, 0), (0, 1), ..., (1, 1), ....</summary>
    private static int TileIndex(int blockI, int blockJ, int blocks) => (blockI * blocks) - (blockI * (blockI - 1) / 2) + (blockJ - blockI);

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

    /// <summary>
    /// The forward's tiles with their partial sums kept: block rows computed independently (longest
    /// first), then every row's sums added in double in the order <see cref="SymmetricTileSweep"/>
    /// gives them: the column sums of tiles (0, X), ..., (X - 1, X), then the row sums of (X, X), (X, X + 1), ....
    /// </summary>
    private static void BufferedTiles(PinnedFloats z, SimilarityWalker walker, int k, int d, float kappa, float shift, float[]? cache, double[] sums, double[]? dots, int degree, KernelWidth width)
    {
        const int Tile = SimilarityTiles.Tile;
        int blocks = SimilarityTiles.Blocks(k);
        int tiles = blocks * (blocks + 1) / 2;
        float[] partials = ArrayPool<float>.Shared.Rent(tiles * ForwardTiles.PartialLength);
        try
        {
            Parallelism.For(blocks, degree, blockI =>
            {
                int i0 = blockI * Tile, m = Math.Min(Tile, k - i0);
                using SimilarityWalker.RowBlock rows = walker.Rows(i0, m, pack: true);
                float[]? tile = cache is null ? ArrayPool<float>.Shared.Rent(m * SimilarityTiles.Stride(Math.Min(Tile, k))) : null;
                try
                {
                    for (int blockJ = blockI; blockJ < blocks; blockJ++)
                    {
                        int j0 = blockJ * Tile, n = Math.Min(Tile, k - j0);
                        bool onDiagonal = blockI == blockJ;
                        var shape = new TileShape(m, n, SimilarityTiles.Stride(n), onDiagonal ? 0 : TileShape.NoSelf);
                        Span<float> s = tile is null ? cache.AsSpan(Slot(blockI, blockJ, blocks), m * shape.Stride) : tile.AsSpan(0, m * shape.Stride);
                        Span<float> partial = partials.AsSpan(PartialOffset(blockI, blockJ, blocks), ForwardTiles.PartialLength);
                        ForwardTiles.TileSums(z.Span, d, walker, rows, j0, s, shape, kappa, shift, storeExp: cache is not null, columns: !onDiagonal, dots: dots is not null, partial, width);
                    }
                }
                finally
                {
                    if (tile is not null)
                    {
                        ArrayPool<float>.Shared.Return(tile);
                    }
                }
            });

            for (int blockX = 0; blockX < blocks; blockX++)
            {
                int x0 = blockX * Tile, count = Math.Min(Tile, k - x0);
                Span<double> rowSums = sums.AsSpan(x0, count), rowDots = dots is null ? default : dots.AsSpan(x0, count);
                for (int blockI = 0; blockI < blockX; blockI++)
                {
                    ForwardTiles.Accumulate(rowSums, rowDots, partials.AsSpan(PartialOffset(blockI, blockX, blocks), ForwardTiles.PartialLength), 2 * Tile, count);
                }

                for (int blockJ = blockX; blockJ < blocks; blockJ++)
                {
                    ForwardTiles.Accumulate(rowSums, rowDots, partials.AsSpan(PartialOffset(blockX, blockJ, blocks), ForwardTiles.PartialLength), 0, count);
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(partials);
        }
    }

    /// <summary>Offset of tile (I, J)'s partial sums.</summary>
    private static int PartialOffset(int blockI, int blockJ, int blocks) => TileIndex(blockI, blockJ, blocks) * ForwardTiles.PartialLength;

    /// <summary>
    /// The forward's tiles on and above the diagonal (<see cref="SymmetricTileSweep"/>): tile (I, J) adds
    /// its row sums to block row I and, off the diagonal, its column sums to block row J, kept in
    /// <paramref name="cache"/>'s slot when there is one.
    /// </summary>
    private sealed class SweptTiles(PinnedFloats z, SimilarityWalker walker, int k, int d, float kappa, float shift, float[]? cache, double[] sums, double[]? dots, KernelWidth width) : ISymmetricTileVisitor
    {
        public void Tile(SimilarityWalker.RowBlock rows, int blockJ, float[] tile)
        {
            int i0 = rows.First, m = rows.Count;
            int j0 = blockJ * SimilarityTiles.Tile, n = Math.Min(SimilarityTiles.Tile, k - j0);
            bool onDiagonal = i0 == j0;
            var shape = new TileShape(m, n, SimilarityTiles.Stride(n), onDiagonal ? 0 : TileShape.NoSelf);
            Span<float> s = cache is null
                ? tile.AsSpan(0, m * shape.Stride)
                : cache.AsSpan(Slot(i0 / SimilarityTiles.Tile, blockJ, SimilarityTiles.Blocks(k)), m * shape.Stride);
            ForwardTiles.Add(
                z.Span, d, walker, rows, j0, s, shape, kappa, shift, storeExp: cache is not null,
                sums.AsSpan(i0, m), dots is null ? default : dots.AsSpan(i0, m), onDiagonal ? default : sums.AsSpan(j0, n), onDiagonal || dots is null ? default : dots.AsSpan(j0, n), width);
        }

        public void BlockRowDone(int blockI)
        {
        }
    }
}
