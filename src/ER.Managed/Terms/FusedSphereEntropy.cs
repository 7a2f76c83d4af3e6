using System;
using System.Numerics;
using System.Buffers;
using System.Threading;
using ER.Managed.Kernels;
using ER.Managed.Kernels.Gemm;
using System.Numerics.Tensors;

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
/// <see cref="Tile"/> terms), across tiles double.
/// </para>
/// <para>
/// Determinism: block rows are dealt to <see cref="Partitions"/> partitions (a number fixed by k
/// alone), each with its own double accumulators, processed in a fixed order by whichever
/// thread takes the partition; the partitions are then summed in index order. Results are the
/// same bit for bit whatever the thread count.
/// </para>
/// <para>
/// Backward. <c>(G + G^T)_ij = g_i P_ij + g_j P_ji = E_ij (h_i + h_j)</c> with
/// <c>h_i = g_i exp(M - LSE_i)</c>, so <c>dH/dZ = -kappa W Z</c>, <c>W = E o (h 1^T + 1 h^T)</c>. When the
/// forward kept its tiles of E (on and above the diagonal, each contiguous), they are turned into W
/// in place and each block row sums <c>W_IJ Z_J</c> over all J in order, the tiles below the
/// diagonal used transposed (the GEMM reads them that way at no extra cost). Otherwise each tile
/// on and above the diagonal is recomputed once and adds <c>W_IJ Z_J</c> to block row I and
/// <c>W_IJ^T Z_I</c> to block row J, block rows swept in a wavefront so that no two tiles add into a
/// block row at once and every block row receives its terms in one fixed order (see
/// <see cref="BackwardRecomputed"/>). The kappa
/// derivative needs only the forward's row sums of E s:
/// <c>sum_j P_ij s_ij = (sum_j E_ij s_ij) / (sum_j E_ij)</c>.
/// </para>
/// <para>
/// Range. E_ij &lt;= 1 cannot overflow; a row whose sum would lose precision to underflow
/// (sum below 1e-20, which needs rows far from unit norm at a very large kappa) makes the
/// caller fall back to the unfused path, which shifts every row by its own maximum.
/// </para>
/// </remarks>
internal static class FusedSphereEntropy
{
    /// <summary>Tile edge (rows and columns of S per tile): a 256 x 256 float tile is 256 KiB, a quarter of L2.</summary>
    internal const int Tile = 256;

    /// <summary>
    /// Most floats of E kept from the forward for the backward: 16 M floats = 64 MiB, i.e. the
    /// tiles on and above the diagonal up to k of about 5600. Keeping them spares the backward
    /// the recomputation of every tile (its products and exponentials), about 40% of its work.
    /// </summary>
    internal const long CacheLimit = 16L * 1024 * 1024;

    /// <summary>Row sums below this make the fused path decline (see remarks).</summary>
    internal const double UnderflowLimit = 1e-20;

    /// <summary>
    /// From this kappa up, similarities that matter are recomputed in double (see
    /// <see cref="RefineLargeSimilarities"/>). Below it the float32 GEMM's rounding, about
    /// sqrt(d)/2 ulps of s, times kappa, stays under 4e-5 relative in every exponential up to d = 1000;
    /// above it, pairs with s near 1 are few for any data that is not collapsed (s &gt; 1 - 12/32).
    /// </summary>
    internal const float RefineFromKappa = 32f;

    /// <summary>Pairs with <c>kappa s_ij - M</c> above minus this are refined: the rest weigh under e^-12 of a row's largest term.</summary>
    internal const float RefineRange = 12f;

    /// <summary>Most partners refined per tile row; a row with more is left to average its errors (see <see cref="RefineLargeSimilarities"/>).</summary>
    internal const int RefineBudget = 8;

    /// <summary>Tile row strides are multiples of this, the widest register (16 floats).</summary>
    internal const int Alignment = 16;

    /// <summary>
    /// Row stride of a tile of n columns: n rounded up to <see cref="Alignment"/>, one register more
    /// where that is a multiple of 256 floats. The backward's products read a tile down its columns
    /// (the transposed weights, read in place), one row a step; at a stride of a multiple of 1 KiB
    /// those rows fall into 4 of L1D's 64 sets and evict one another (the transposed product measured
    /// 14% slower at stride 256 than at 272, AVX2 on Zen 5).
    /// </summary>
    internal static int TileStride(int n)
    {
        int stride = RoundUp(n, Alignment);
        return stride % 256 == 0 ? stride + Alignment : stride;
    }

    /// <summary>
    /// Number of accumulator partitions: a function of k only, so the summation order never depends
    /// on threads. At most half the block rows, so that zig-zag dealing pairs a long block row with a
    /// short one and partitions get equal work; at most 16, which bounds the accumulators (16 x 2k doubles).
    /// </summary>
    internal static int Partitions(int blockRows) => Math.Clamp(blockRows / 2, 1, 16);

    /// <summary>The forward's results that the backward reuses; its arrays come from the shared pool and go back on <see cref="Dispose"/>.</summary>
    internal sealed class ForwardState : IDisposable
    {
        private readonly double[] _lse;
        private readonly double[] _expected;

        internal ForwardState(int k, int cacheLength)
        {
            Rows = k;
            _lse = ArrayPool<double>.Shared.Rent(k);
            _expected = ArrayPool<double>.Shared.Rent(k);
            DiagonalArray = ArrayPool<float>.Shared.Rent(k);
            Cache = cacheLength > 0 ? ArrayPool<float>.Shared.Rent(cacheLength) : null;
        }

        internal int Rows { get; }

        /// <summary>LSE_i = log sum_j exp(kappa z_i.z_j).</summary>
        internal Span<double> Lse => _lse.AsSpan(0, Rows);

        /// <summary>sum_j P_ij z_i.z_j.</summary>
        internal Span<double> ExpectedSimilarity => _expected.AsSpan(0, Rows);

        /// <summary>||z_i||^2, summed in double, rounded to float: the exact diagonal of the similarity tiles.</summary>
        internal Span<float> Diagonal => DiagonalArray.AsSpan(0, Rows);

        /// <summary>The pooled array behind <see cref="Diagonal"/> (k entries used).</summary>
        internal float[] DiagonalArray { get; }

        /// <summary>M, the shift of every exponential.</summary>
        internal float Shift { get; set; }

        /// <summary>The tiles of E on and above the diagonal, each in its own Tile x Tile slot (see <see cref="Slot"/>), when kept for the backward; else null.</summary>
        internal float[]? Cache { get; }

        public void Dispose()
        {
            ArrayPool<double>.Shared.Return(_lse);
            ArrayPool<double>.Shared.Return(_expected);
            ArrayPool<float>.Shared.Return(DiagonalArray);
            if (Cache is not null)
            {
                ArrayPool<float>.Shared.Return(Cache);
            }
        }
    }

    /// <summary>
    /// Runs the forward; returns null when some row sum underflows (the caller then uses the unfused path).
    /// </summary>
    internal static unsafe ForwardState? Forward(ReadOnlySpan<float> z, int k, int d, float kappa, bool keepCache, int degree, KernelWidth width)
    {
        int blocks = (k + Tile - 1) / Tile;
        int partitions = Partitions(blocks);
        long cacheLength = (long)blocks * (blocks + 1) / 2 * SlotLength;
        var state = new ForwardState(k, keepCache && cacheLength <= CacheLimit ? (int)cacheLength : 0);
        float maxNorm = SquaredNorms(z, k, d, state.Diagonal);
        float shift = kappa * maxNorm;
        state.Shift = shift;
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
                float[] diagonal = state.DiagonalArray;
                Parallelism.For(partitions, degree, p =>
                    ForwardPartition(zh.Span, walker, diagonal, k, d, kappa, shift, p, partitions, blocks, sums.AsSpan(p * k, k), dots.AsSpan(p * k, k), cache, width));
            }

            Span<double> lse = state.Lse, expected = state.ExpectedSimilarity;
            for (int i = 0; i < k; i++)
            {
                double sum = 0.0, dot = 0.0;
                for (int p = 0; p < partitions; p++)
                {
                    sum += sums[(p * k) + i];
                    dot += dots[(p * k) + i];
                }

                if (!(sum >= UnderflowLimit))
                {
                    return null;
                }

                lse[i] = shift + Math.Log(sum);
                expected[i] = dot / sum;
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

    /// <summary>The block rows of partition p, dealt zig-zag (p, 2P-1-p, 2P+p, ...) so partitions get similar numbers of tiles.</summary>
    private static void ForwardPartition(
        ReadOnlySpan<float> z, SimilarityWalker walker, float[] diagonal, int k, int d, float kappa, float shift, int p, int partitions, int blocks,
        Span<double> sums, Span<double> dots, float[]? cache, KernelWidth width)
    {
        int ld = TileStride(Math.Min(Tile, k));
        float[] tile = ArrayPool<float>.Shared.Rent(Tile * ld);
        float[] vectors = ArrayPool<float>.Shared.Rent(4 * ld);
        try
        {
            for (int round = 0; ; round++)
            {
                int block = (round % 2 == 0) ? (round * partitions) + p : ((round + 1) * partitions) - 1 - p;
                if (round * partitions >= blocks)
                {
                    break;
                }

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
                    int stride = TileStride(n);
                    Span<float> s = cache is null ? tile.AsSpan(0, m * stride) : cache.AsSpan(Slot(block, jb, blocks), m * stride);
                    Span<float> rowSum = vectors.AsSpan(0, ld), rowDot = vectors.AsSpan(ld, ld);
                    Span<float> colSum = vectors.AsSpan(2 * ld, ld), colDot = vectors.AsSpan(3 * ld, ld);
                    vectors.AsSpan(0, 4 * ld).Clear();
                    bool onDiagonal = jb == block;
                    Similarities(walker, rows, j0, n, s, stride, onDiagonal ? diagonal : null);
                    RefineLargeSimilarities(z, d, i0, m, j0, n, s, stride, kappa, shift);
                    SimilarityTileKernel.Forward(s, m, n, stride, kappa, shift, rowSum, rowDot, colSum, colDot, columns: !onDiagonal, storeExp: cache is not null, width);
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

    /// <summary>
    /// Writes <c>dH/dZ = -kappa W Z</c> into <paramref name="gradient"/> given the per-row weights g
    /// (Joe's 1/k, or the plug-in's <c>w_i (1 + LSE_i - sum_j w_j LSE_j)</c>). Turns the kept tiles
    /// of E, if any, into W.
    /// </summary>
    internal static unsafe void Backward(ReadOnlySpan<float> z, int k, int d, float kappa, ForwardState state, ReadOnlySpan<double> g, Span<float> gradient, int degree, KernelWidth width)
    {
        int blocks = (k + Tile - 1) / Tile;
        float[] h = ArrayPool<float>.Shared.Rent((blocks * Tile) + Alignment);
        try
        {
            // h_i = g_i exp(M - LSE_i); M - LSE_i = -log(row sum) <= 46 since row sums are >= 1e-20.
            for (int i = 0; i < k; i++)
            {
                h[i] = (float)(g[i] * Math.Exp(state.Shift - state.Lse[i]));
            }

            Array.Clear(h, k, h.Length - k);
            float[]? cache = state.Cache;
            fixed (float* zp = z)
            fixed (float* gp = gradient)
            {
                var zh = new PinnedFloats(zp, z.Length);
                var gh = new PinnedFloats(gp, gradient.Length);
                if (cache is null)
                {
                    BackwardRecomputed(zh, k, d, kappa, state, h, gh, degree, width);
                }
                else
                {
                    // The kept tiles become W in place, then each block row sums W_IJ Z_J over J in order:
                    // every tile is used twice either way, and block rows need no schedule between them.
                    int tiles = blocks * (blocks + 1) / 2;
                    Parallelism.For(tiles, degree, t =>
                    {
                        (int bi, int bj) = TileOf(t, blocks);
                        int m = Math.Min(Tile, k - (bi * Tile)), n = Math.Min(Tile, k - (bj * Tile)), stride = TileStride(n);
                        SimilarityTileKernel.Weights(cache.AsSpan(Slot(bi, bj, blocks), m * stride), m, n, stride, h.AsSpan(bi * Tile, m), h.AsSpan(bj * Tile, RoundUp(n, Alignment)), width);
                    });
                    Parallelism.For(blocks, degree, block => KeptBlockRow(zh.Span, k, d, kappa, cache, gh.Span, block, blocks, width));
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(h);
        }
    }

    /// <summary>Block row I of <c>-kappa W Z</c> from the kept tiles of W: <c>sum_J W_IJ Z_J</c> in J order.</summary>
    private static void KeptBlockRow(ReadOnlySpan<float> z, int k, int d, float kappa, float[] cache, Span<float> gradient, int block, int blocks, KernelWidth width)
    {
        int i0 = block * Tile, m = Math.Min(Tile, k - i0);
        int strideI = TileStride(m);
        Span<float> target = gradient.Slice(i0 * d, m * d);
        for (int jb = 0; jb < blocks; jb++)
        {
            int j0 = jb * Tile, n = Math.Min(Tile, k - j0);
            int stride = TileStride(n);
            ReadOnlySpan<float> zJ = z.Slice(j0 * d, n * d);
            bool accumulate = jb > 0;
            if (jb >= block)
            {
                // W_IJ is kept as tile (I, J): m x n, stride `stride`.
                GemmKernel.Multiply(cache.AsSpan(Slot(block, jb, blocks), m * stride), stride, false, zJ, d, false, target, d, m, d, n, accumulate, width);
            }
            else
            {
                // W_IJ = W_JI^T, and tile (J, I) is n x m with stride strideI: multiply by its transpose.
                GemmKernel.Multiply(cache.AsSpan(Slot(jb, block, blocks), n * strideI), strideI, true, zJ, d, false, target, d, m, d, n, accumulate, width);
            }
        }

        TensorPrimitives.Multiply(target, -kappa, target);
    }

    /// <summary>
    /// <c>-kappa W Z</c> recomputing W, each tile on and above the diagonal once for both of its block
    /// rows: tile (I, J) adds <c>W_IJ Z_J</c> to block row I and <c>W_IJ^T Z_I</c> to block row J (W is
    /// symmetric), which halves the similarity products and the exponentials against recomputing
    /// every tile of each block row (the backward's products fall from 4 k^2 d to 3 k^2 d flops).
    /// </summary>
    /// <remarks>
    /// Two tiles that share a block row must not add into it at once, and the order of the additions
    /// must not depend on threads. Every block row X receives its terms in the order of the other
    /// block row: tiles (0, X), (1, X), ..., (X - 1, X), then its own sweep (X, X), (X, X + 1), ....
    /// A thread takes a whole block row I (handed out in order) and sweeps it; tile (I, J) waits
    /// until block row I - 1 has finished its tile (I - 1, J), which (by induction down the rows)
    /// means J holds every earlier term, and I's earlier terms are its own sweep's. A wavefront:
    /// block row I trails block row I - 1 by a tile or so, and no thread idles for long. No deadlock:
    /// block row I - 1 was handed out earlier, to a thread that is running it.
    /// Sweeping a block row keeps its rows (packed once as the A operand of its similarity products),
    /// its gradient rows and its rows of Z in L2 across its tiles; the round-robin tournament used
    /// before (disjoint pairs of block rows per round) brought six cold 128 KiB blocks into every tile
    /// at d = 128 and ran the backward 10% slower (Zen 5, AVX2 path, k = 32768).
    /// </remarks>
    private static void BackwardRecomputed(PinnedFloats z, int k, int d, float kappa, ForwardState state, float[] h, PinnedFloats gradient, int degree, KernelWidth width)
    {
        int blocks = (k + Tile - 1) / Tile;
        int[] finished = ArrayPool<int>.Shared.Rent(blocks);
        try
        {
            Array.Clear(finished, 0, blocks);
            gradient.Span.Clear();

            // Every tile is recomputed: Z^T packed once for all of them.
            using var walker = new SimilarityWalker(z, k, d, degree, width);
            Parallelism.For(blocks, degree, blockI =>
            {
                int i0 = blockI * Tile, m = Math.Min(Tile, k - i0);
                using SimilarityWalker.RowBlock rows = walker.Rows(i0, m, pack: true);
                float[] tile = ArrayPool<float>.Shared.Rent(m * TileStride(Math.Min(Tile, k)));
                try
                {
                    for (int blockJ = blockI; blockJ < blocks; blockJ++)
                    {
                        if (blockI > 0)
                        {
                            // Tile (I - 1, J) is block row I - 1's (J - I + 2)-th.
                            WaitUntil(finished, blockI - 1, blockJ - blockI + 2);
                        }

                        RecomputedTile(z.Span, walker, rows, k, d, kappa, state, h, gradient.Span, blockJ, tile, width);
                        Volatile.Write(ref finished[blockI], blockJ - blockI + 1);
                    }
                }
                finally
                {
                    ArrayPool<float>.Shared.Return(tile);
                }

                // Block row I has all its terms: those from above came before its diagonal tile.
                Span<float> own = gradient.Span.Slice(i0 * d, m * d);
                TensorPrimitives.Multiply(own, -kappa, own);
            });
        }
        finally
        {
            ArrayPool<int>.Shared.Return(finished);
        }
    }

    private static void WaitUntil(int[] finished, int block, int tiles)
    {
        var spin = default(SpinWait);
        while (Volatile.Read(ref finished[block]) < tiles)
        {
            spin.SpinOnce();
        }
    }

    /// <summary>
    /// Tile (I, J), I &lt;= J, of W recomputed in <paramref name="tile"/> (the block row's buffer) and
    /// applied to block row I (<paramref name="rows"/>) and, off the diagonal, to block row J.
    /// </summary>
    private static void RecomputedTile(ReadOnlySpan<float> z, SimilarityWalker walker, SimilarityWalker.RowBlock rows, int k, int d, float kappa, ForwardState state, float[] h, Span<float> gradient, int blockJ, float[] tile, KernelWidth width)
    {
        int i0 = rows.First, m = rows.Count;
        int j0 = blockJ * Tile, n = Math.Min(Tile, k - j0), stride = TileStride(n);
        bool diagonal = i0 == j0;
        Span<float> w = tile.AsSpan(0, m * stride);
        Similarities(walker, rows, j0, n, w, stride, diagonal ? state.DiagonalArray : null);
        RefineLargeSimilarities(z, d, i0, m, j0, n, w, stride, kappa, state.Shift);
        SimilarityTileKernel.ExpWeights(w, m, n, stride, kappa, state.Shift, h.AsSpan(i0, m), h.AsSpan(j0, RoundUp(n, Alignment)), width);

        GemmKernel.Multiply(w, stride, false, z.Slice(j0 * d, n * d), d, false, gradient.Slice(i0 * d, m * d), d, m, d, n, accumulate: true, width);
        if (!diagonal)
        {
            GemmKernel.Multiply(w, stride, true, z.Slice(i0 * d, m * d), d, false, gradient.Slice(j0 * d, n * d), d, n, d, m, accumulate: true, width);
        }
    }

    /// <summary>Offset of tile (I, J), I &lt;= J, in the cache: tiles numbered row by row over the upper triangle.</summary>
    private static int Slot(int blockI, int blockJ, int blocks) =>
        ((blockI * blocks) - (blockI * (blockI - 1) / 2) + (blockJ - blockI)) * SlotLength;

    /// <summary>Floats of one kept tile's slot: Tile rows at the widest stride.</summary>
    private static int SlotLength => Tile * TileStride(Tile);

    /// <summary>The inverse of the numbering in <see cref="Slot"/>.</summary>
    private static (int BlockI, int BlockJ) TileOf(int index, int blocks)
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
    /// s = Z[i0..i0+m) Z[j0..j0+n)^T (the block row <paramref name="rows"/>) into an m x stride buffer,
    /// padding columns zeroed (the tile kernel masks them), by the walker's packed product
    /// (<see cref="Tile"/> is a multiple of every NR, as the packed layout needs). Where the tile holds
    /// some s_ii and <paramref name="diagonal"/> is given, those entries are overwritten with it, the squared norms
    /// summed in double: when P is nearly the identity (large kappa and d) the plug-in weights hinge
    /// on kappa S_ii, and the float32 GEMM's rounding of S_ii (about sqrt(d) ulps), times kappa,
    /// was the largest error of the gradient (issue 12: 6e-4 of its maximum at d = 1000, kappa = 200).
    /// </summary>
    internal static void Similarities(SimilarityWalker walker, SimilarityWalker.RowBlock rows, int j0, int n, Span<float> s, int stride, float[]? diagonal)
    {
        int i0 = rows.First, m = rows.Count;
        walker.Product(rows, j0, n, s, stride, accumulate: false);

        if (stride > n)
        {
            for (int r = 0; r < m; r++)
            {
                s.Slice((r * stride) + n, stride - n).Clear();
            }
        }

        if (diagonal is not null)
        {
            // The rows i whose own column j = i falls inside this tile.
            for (int r = Math.Max(0, j0 - i0); r < m && i0 + r < j0 + n; r++)
            {
                s[(r * stride) + (i0 + r - j0)] = diagonal[i0 + r];
            }
        }
    }

    /// <summary>
    /// At large kappa (<see cref="RefineFromKappa"/>), recomputes in double, rounded once, the
    /// off-diagonal similarities of a tile row with <c>kappa s_ij - M &gt; -</c><see cref="RefineRange"/>
    /// when that row has at most <see cref="RefineBudget"/> of them: near-duplicate rows, whose
    /// exponentials rival the diagonal's and carry the same sensitivity to the GEMM's rounding
    /// (issue 12). A row with more such partners (a collapsed or tightly clustered batch) is left
    /// as it is: the rounding errors of its many comparable terms average out (tested on collapsed
    /// batches at kappa = 200), and refining every pair there cost 10-15x the forward (measured at
    /// 4096 x 256 on Zen 5). The budget bounds the extra work to 8 double dot products per row and
    /// tile, about 3% of the tile's products.
    /// </summary>
    internal static void RefineLargeSimilarities(ReadOnlySpan<float> z, int d, int i0, int m, int j0, int n, Span<float> s, int stride, float kappa, float shift)
    {
        if (!(kappa >= RefineFromKappa))
        {
            return;
        }

        float cut = (shift - RefineRange) / kappa;
        int lanes = Vector<float>.Count;
        var cutVector = new Vector<float>(cut);
        Span<int> partners = stackalloc int[RefineBudget];
        for (int r = 0; r < m; r++)
        {
            Span<float> row = s.Slice(r * stride, n);
            int found = 0;
            for (int c = 0; c < n && found <= RefineBudget; c += lanes)
            {
                if (c + lanes <= n && !Vector.GreaterThanAny(new Vector<float>(row.Slice(c)), cutVector))
                {
                    continue;
                }

                for (int t = c; t < Math.Min(c + lanes, n) && found <= RefineBudget; t++)
                {
                    if (row[t] > cut && i0 + r != j0 + t)
                    {
                        if (found < RefineBudget)
                        {
                            partners[found] = t;
                        }

                        found++;
                    }
                }
            }

            if (found > RefineBudget)
            {
                continue;
            }

            for (int p = 0; p < found; p++)
            {
                int t = partners[p];
                row[t] = (float)DotDouble(z.Slice((i0 + r) * d, d), z.Slice((j0 + t) * d, d));
            }
        }
    }

    /// <summary>a . b summed in double (float products are exact in double).</summary>
    internal static double DotDouble(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var sum0 = Vector<double>.Zero;
        var sum1 = Vector<double>.Zero;
        int t = 0;
        for (; t <= a.Length - Vector<float>.Count; t += Vector<float>.Count)
        {
            Vector.Widen(new Vector<float>(a.Slice(t)), out Vector<double> aLow, out Vector<double> aHigh);
            Vector.Widen(new Vector<float>(b.Slice(t)), out Vector<double> bLow, out Vector<double> bHigh);
            sum0 += aLow * bLow;
            sum1 += aHigh * bHigh;
        }

        double sum = Vector.Sum(sum0 + sum1);
        for (; t < a.Length; t++)
        {
            sum += (double)a[t] * b[t];
        }

        return sum;
    }

    /// <summary>
    /// <c>||z_i||^2</c> summed in double (float products are exact in double) and rounded once to
    /// float, into <paramref name="norms"/>; returns the largest.
    /// </summary>
    internal static float SquaredNorms(ReadOnlySpan<float> z, int k, int d, Span<float> norms)
    {
        float max = 0f;
        for (int i = 0; i < k; i++)
        {
            ReadOnlySpan<float> row = z.Slice(i * d, d);
            norms[i] = (float)DotDouble(row, row);
            max = MathF.Max(max, norms[i]);
        }

        return max;
    }

    internal static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;
}
