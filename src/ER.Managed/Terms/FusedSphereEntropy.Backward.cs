using System.Buffers;
using System.Numerics.Tensors;
using System.Threading;
using ER.Managed.Kernels;
using ER.Managed.Kernels.Gemm;

namespace ER.Managed.Terms;

/// <content>
/// The backward. <c>(G + G^T)_ij = g_i P_ij + g_j P_ji = E_ij (h_i + h_j)</c> with
/// <c>h_i = g_i exp(M - LSE_i)</c>, so <c>dH/dZ = -kappa W Z</c>, <c>W = E o (h 1^T + 1 h^T)</c> (zero on
/// the diagonal when leaving one out). When the forward kept its tiles of E (on and above the
/// diagonal, each contiguous), they are turned into W in place and each block row sums
/// <c>W_IJ Z_J</c> over all J in order, the tiles below the diagonal used transposed (the GEMM reads
/// them that way at no extra cost). Otherwise each tile on and above the diagonal is recomputed once
/// and adds <c>W_IJ Z_J</c> to block row I and <c>W_IJ^T Z_I</c> to block row J, block rows swept in a
/// wavefront so that no two tiles add into a block row at once and every block row receives its
/// terms in one fixed order (see <see cref="BackwardRecomputed"/>). Rows that took their own shift
/// have h_i = 0 and their terms <c>g_i P_ij</c> formed from LSE_i in the tiles that hold them
/// (<see cref="SimilarityTileKernel.MixedWeights"/>); those tiles are always recomputed. The kappa
/// derivative needs only the forward's row sums of E s: <c>sum_j P_ij s_ij</c>.
/// </content>
internal static partial class FusedSphereEntropy
{
    /// <summary>
    /// Writes <c>dH/dZ = -kappa W Z</c> into <paramref name="gradient"/> given the per-row weights g
    /// (Joe's 1/k, or the plug-in's <c>w_i (1 + LSE_i - sum_j w_j LSE_j)</c>). Turns the kept tiles
    /// of E, if any, into W.
    /// </summary>
    internal static unsafe void Backward(ReadOnlySpan<float> z, int k, int d, float kappa, SphereForwardState state, ReadOnlySpan<double> g, Span<float> gradient, int degree, KernelWidth width)
    {
        int blocks = SimilarityTiles.Blocks(k);
        using var weights = new GradientWeights(k, g, state.Lse, 1, kappa, state.Shift);
        float[]? cache = state.Cache;
        fixed (float* zp = z)
        fixed (float* gp = gradient)
        {
            var zh = new PinnedFloats(zp, z.Length);
            var gh = new PinnedFloats(gp, gradient.Length);
            if (cache is null || weights.HasOwnShiftRows)
            {
                BackwardRecomputed(zh, k, d, kappa, weights, gh, degree, width);
            }
            else
            {
                // The kept tiles become W in place, then each block row sums W_IJ Z_J over J in order
                // (Z packed once for those products, as with recomputed tiles): every tile is used
                // twice either way, and block rows need no schedule between them.
                float[] h = weights.H;
                int tiles = blocks * (blocks + 1) / 2;
                Parallelism.For(tiles, degree, t =>
                {
                    (int bi, int bj) = TileOf(t, blocks);
                    int m = Math.Min(SimilarityTiles.Tile, k - (bi * SimilarityTiles.Tile)), n = Math.Min(SimilarityTiles.Tile, k - (bj * SimilarityTiles.Tile));
                    var shape = new TileShape(m, n, SimilarityTiles.Stride(n));
                    SimilarityTileKernel.Weights(cache.AsSpan(Slot(bi, bj, blocks), m * shape.Stride), shape, h.AsSpan(bi * SimilarityTiles.Tile, m), h.AsSpan(bj * SimilarityTiles.Tile, SimilarityTiles.RoundUp(n, SimilarityTiles.Alignment)), width);
                });
                using PackedOperand? zBlocks = GradientProducts.PackZ(z, k, d, width);
                Parallelism.For(blocks, degree, block => KeptBlockRow(zh.Span, zBlocks, k, d, kappa, cache, gh.Span, block, blocks, width));
            }
        }

        if (!state.LeaveOneOut)
        {
            for (int i = 0; i < k; i++)
            {
                SelfTerms.AddGradient(kappa, state.Norms[i], state.Lse[i], g[i], z.Slice(i * d, d), gradient.Slice(i * d, d));
            }
        }
    }

    /// <summary>Block row I of <c>-kappa W Z</c> from the kept tiles of W: <c>sum_J W_IJ Z_J</c> in J order.</summary>
    private static void KeptBlockRow(ReadOnlySpan<float> z, PackedOperand? zBlocks, int k, int d, float kappa, float[] cache, Span<float> gradient, int block, int blocks, KernelWidth width)
    {
        const int Tile = SimilarityTiles.Tile;
        int i0 = block * Tile, m = Math.Min(Tile, k - i0);
        int strideI = SimilarityTiles.Stride(m);
        Span<float> target = gradient.Slice(i0 * d, m * d);
        for (int jb = 0; jb < blocks; jb++)
        {
            int j0 = jb * Tile, n = Math.Min(Tile, k - j0);
            int stride = SimilarityTiles.Stride(n);
            bool accumulate = jb > 0;
            if (jb >= block)
            {
                // W_IJ is kept as tile (I, J): m x n, stride `stride`.
                GradientProducts.Add(cache.AsSpan(Slot(block, jb, blocks), m * stride), stride, transposed: false, z, zBlocks, jb, d, target, m, n, accumulate, width);
            }
            else
            {
                // W_IJ = W_JI^T, and tile (J, I) is n x m with stride strideI: multiply by its transpose.
                GradientProducts.Add(cache.AsSpan(Slot(jb, block, blocks), n * strideI), strideI, transposed: true, z, zBlocks, jb, d, target, m, n, accumulate, width);
            }
        }

        TensorPrimitives.Multiply(target, -kappa, target);
    }

    /// <summary>
    /// <c>-kappa W Z</c> recomputing W, each tile on and above the diagonal once for both of its block
    /// rows (<see cref="SymmetricTileSweep"/>): tile (I, J) adds <c>W_IJ Z_J</c> to block row I and
    /// <c>W_IJ^T Z_I</c> to block row J (W is symmetric), which halves the similarity products and the
    /// exponentials against recomputing every tile of each block row (the backward's products fall
    /// from 4 k^2 d to 3 k^2 d flops); the sweep's fixed order of additions keeps the bits
    /// independent of threads.
    /// </summary>
    private static void BackwardRecomputed(PinnedFloats z, int k, int d, float kappa, GradientWeights weights, PinnedFloats gradient, int degree, KernelWidth width)
    {
        gradient.Span.Clear();

        // Every tile is recomputed: Z^T packed once for all of them, and Z once for their products.
        using var walker = new SimilarityWalker(z, k, d, width);
        using PackedOperand? zBlocks = GradientProducts.PackZ(z.Span, k, d, width);
        SymmetricTileSweep.Run(walker, k, degree, new RecomputedTiles(z, zBlocks, walker, k, d, kappa, weights, gradient, width));
    }

    /// <summary>
    /// The backward's tiles recomputed by the sweep: tile (I, J) of W, I &lt;= J, in the block row's
    /// buffer, applied to block row I and, off the diagonal, transposed to block row J.
    /// </summary>
    private sealed class RecomputedTiles(PinnedFloats z, PackedOperand? zBlocks, SimilarityWalker walker, int k, int d, float kappa, GradientWeights weights, PinnedFloats gradient, KernelWidth width) : ISymmetricTileVisitor
    {
        public void Tile(SimilarityWalker.RowBlock rows, int blockJ, float[] tile)
        {
            int i0 = rows.First, m = rows.Count;
            int j0 = blockJ * SimilarityTiles.Tile, n = Math.Min(SimilarityTiles.Tile, k - j0);
            bool diagonal = i0 == j0;
            var shape = new TileShape(m, n, SimilarityTiles.Stride(n), diagonal ? 0 : TileShape.NoSelf);
            Span<float> w = tile.AsSpan(0, m * shape.Stride);
            ReadOnlySpan<float> zs = z.Span;
            Span<float> gradientRows = gradient.Span;
            weights.Weigh(zs, d, walker, rows, j0, w, shape, kappa, width);
            GradientProducts.Add(w, shape.Stride, transposed: false, zs, zBlocks, blockJ, d, gradientRows.Slice(i0 * d, m * d), m, n, accumulate: true, width);
            if (!diagonal)
            {
                GradientProducts.Add(w, shape.Stride, transposed: true, zs, zBlocks, i0 / SimilarityTiles.Tile, d, gradientRows.Slice(j0 * d, n * d), n, m, accumulate: true, width);
            }
        }

        public void BlockRowDone(int blockI)
        {
            int i0 = blockI * SimilarityTiles.Tile, m = Math.Min(SimilarityTiles.Tile, k - i0);
            Span<float> own = gradient.Span.Slice(i0 * d, m * d);
            TensorPrimitives.Multiply(own, -kappa, own);
        }
    }
}
