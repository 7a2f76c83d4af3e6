using System.Buffers;
using System.Runtime.CompilerServices;
using System.Threading;
using ER.Managed.Kernels;

namespace ER.Managed.Terms;

/// <summary>
/// What a <see cref="SymmetricTileSweep"/> does with its tiles: each tile (I, J), I &lt;= J, once,
/// adding to block rows I and J; then, once block row I has every term, <see cref="BlockRowDone"/>.
/// </summary>
internal interface ISymmetricTileVisitor
{
    /// <summary>
    /// Tile (I, J), I = <paramref name="rows"/>' block, J = <paramref name="blockJ"/> &gt;= I. While it
    /// runs, block rows I and J belong to it alone. <paramref name="tile"/> is the block row's buffer
    /// of <see cref="SimilarityTiles.Tile"/> rows at the widest tile stride.
    /// </summary>
    void Tile(SimilarityWalker.RowBlock rows, int blockJ, float[] tile);

    /// <summary>Block row <paramref name="blockI"/> has received every tile's terms (called on the thread that swept it).</summary>
    void BlockRowDone(int blockI);
}

/// <summary>
/// The walk over the tiles of <c>S = Z Z^T</c> on and above the diagonal that adds each tile's terms
/// to both of its block rows: every product formed once (half the flops of walking whole rows),
/// block rows swept in parallel, and every block row receiving its terms in one fixed order
/// whatever the thread count (so reductions in float or double give the same bits).
/// </summary>
/// <remarks>
/// Every block row X receives its terms in the order of the other block row: tiles (0, X), (1, X),
/// ..., (X - 1, X), then its own sweep (X, X), (X, X + 1), .... A thread takes a whole block row I
/// (handed out in order) and sweeps it; tile (I, J) waits until block row I - 1 has finished its
/// tile (I - 1, J), which (by induction down the rows) means J holds every earlier term, and I's
/// earlier terms are its own sweep's. A wavefront: block row I trails block row I - 1 by a tile or
/// so, and no thread idles for long. No deadlock: block row I - 1 was handed out earlier, to a
/// thread that is running it. Sweeping a block row keeps its rows (packed once as the A operand of
/// its similarity products) in L2 across its tiles; a round-robin tournament (disjoint pairs of
/// block rows per round) brought six cold 128 KiB blocks into every tile at d = 128 and ran the
/// entropy backward 10% slower (Zen 5, AVX2 path, k = 32768).
/// </remarks>
internal static class SymmetricTileSweep
{
    /// <summary>Sweeps every tile of the walker's <c>Z Z^T</c> (k rows) on <paramref name="degree"/> threads.</summary>
    internal static void Run<TVisitor>(SimilarityWalker walker, int k, int degree, TVisitor visitor)
        where TVisitor : class, ISymmetricTileVisitor
    {
        int blocks = SimilarityTiles.Blocks(k);
        int[] finished = ArrayPool<int>.Shared.Rent(blocks);
        try
        {
            Array.Clear(finished, 0, blocks);
            var failure = new StrongBox<bool>();
            Parallelism.For(blocks, degree, blockI =>
            {
                try
                {
                    Sweep(walker, k, blockI, blocks, visitor, finished, failure);
                }
                catch
                {
                    // The block rows below wait on this one: let them stop rather than spin for ever.
                    Volatile.Write(ref failure.Value, true);
                    throw;
                }
            });
        }
        finally
        {
            ArrayPool<int>.Shared.Return(finished);
        }
    }

    /// <summary>Block row I's sweep: tiles (I, I), (I, I + 1), ..., each after block row I - 1's tile of the same column.</summary>
    private static void Sweep<TVisitor>(SimilarityWalker walker, int k, int blockI, int blocks, TVisitor visitor, int[] finished, StrongBox<bool> failure)
        where TVisitor : class, ISymmetricTileVisitor
    {
        const int Tile = SimilarityTiles.Tile;
        int i0 = blockI * Tile, m = Math.Min(Tile, k - i0);
        using SimilarityWalker.RowBlock rows = walker.Rows(i0, m, pack: true);
        float[] tile = ArrayPool<float>.Shared.Rent(m * SimilarityTiles.Stride(Math.Min(Tile, k)));
        try
        {
            for (int blockJ = blockI; blockJ < blocks; blockJ++)
            {
                if (blockI > 0)
                {
                    // Tile (I - 1, J) is block row I - 1's (J - I + 2)-th. If another block row failed,
                    // stop quietly: its exception is the one the caller must see.
                    if (!WaitUntil(finished, blockI - 1, blockJ - blockI + 2, failure))
                    {
                        return;
                    }
                }

                visitor.Tile(rows, blockJ, tile);
                Volatile.Write(ref finished[blockI], blockJ - blockI + 1);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(tile);
        }

        // Block row I has all its terms: those from above came before its diagonal tile.
        visitor.BlockRowDone(blockI);
    }

    /// <summary>Spins until block row <paramref name="block"/> has finished <paramref name="tiles"/> tiles (true) or a block row has failed (false).</summary>
    private static bool WaitUntil(int[] finished, int block, int tiles, StrongBox<bool> failure)
    {
        var spin = default(SpinWait);
        while (Volatile.Read(ref finished[block]) < tiles)
        {
            if (Volatile.Read(ref failure.Value))
            {
                return false;
            }

            // Never Sleep(1): a wait is about one tile (tens of microseconds), and a 1 ms sleep tripled
            // the forward at k = 2048 (Zen 5).
            spin.SpinOnce(sleep1Threshold: -1);
        }

        return true;
    }
}
