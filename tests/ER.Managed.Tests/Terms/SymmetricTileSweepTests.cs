using System.Collections.Generic;
using System.Threading;
using ER.Managed.Kernels;
using ER.Managed.Terms;

namespace ER.Managed.Tests.Terms;

/// <summary>
/// The symmetric tile sweep's promises: every tile on and above the diagonal once, no two tiles in
/// one block row at once, each block row's terms in the one fixed order for any thread count, the
/// block row finished after its last term, and a failing tile stopping the sweep instead of leaving
/// the other threads waiting.
/// </summary>
public class SymmetricTileSweepTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(256, 2)]
    [InlineData(257, 2)]
    [InlineData(1300, 1)]
    [InlineData(1300, 2)]
    [InlineData(1300, 4)]
    public unsafe void Each_block_row_receives_its_tiles_in_the_fixed_order_one_at_a_time(int k, int degree)
    {
        const int d = 3;
        float[] z = new float[k * d];
        int blocks = SimilarityTiles.Blocks(k);
        var visitor = new Recorder(blocks);
        fixed (float* zp = z)
        {
            using var walker = new SimilarityWalker(new PinnedFloats(zp, z.Length), k, d, KernelIsa.Best);
            SymmetricTileSweep.Run(walker, k, degree, visitor);
        }

        Assert.Equal(0, visitor.Overlaps);
        for (int x = 0; x < blocks; x++)
        {
            // (0, X), ..., (X - 1, X), then (X, X), (X, X + 1), ...; then done.
            var want = new List<string>();
            for (int i = 0; i < x; i++)
            {
                want.Add($"{i},{x}");
            }

            for (int j = x; j < blocks; j++)
            {
                want.Add($"{x},{j}");
            }

            want.Add("done");
            Assert.Equal(want, visitor.Events[x]);
        }
    }

    [Fact]
    public unsafe void A_failing_tile_stops_the_sweep_with_its_exception()
    {
        const int k = 2000, d = 2;
        float[] z = new float[k * d];
        fixed (float* zp = z)
        {
            using var walker = new SimilarityWalker(new PinnedFloats(zp, z.Length), k, d, KernelIsa.Best);
            var thrown = Assert.ThrowsAny<Exception>(() => SymmetricTileSweep.Run(walker, k, 2, new Failing()));
            Assert.Contains("tile (0, 3)", thrown.ToString(), StringComparison.Ordinal);
        }
    }

    private sealed class Recorder(int blocks) : ISymmetricTileVisitor
    {
        private readonly int[] _inUse = new int[blocks];

        internal List<string>[] Events { get; } = CreateLists(blocks);

        internal int Overlaps;

        public void Tile(SimilarityWalker.RowBlock rows, int blockJ, float[] tile)
        {
            int blockI = rows.First / SimilarityTiles.Tile;
            Enter(blockI);
            if (blockJ != blockI)
            {
                Enter(blockJ);
            }

            Thread.SpinWait(200);
            Events[blockI].Add($"{blockI},{blockJ}");
            if (blockJ != blockI)
            {
                Events[blockJ].Add($"{blockI},{blockJ}");
                Leave(blockJ);
            }

            Leave(blockI);
        }

        public void BlockRowDone(int blockI) => Events[blockI].Add("done");

        private void Enter(int block)
        {
            if (Interlocked.Exchange(ref _inUse[block], 1) != 0)
            {
                Interlocked.Increment(ref Overlaps);
            }
        }

        private void Leave(int block) => Volatile.Write(ref _inUse[block], 0);

        private static List<string>[] CreateLists(int blocks)
        {
            var lists = new List<string>[blocks];
            for (int i = 0; i < blocks; i++)
            {
                lists[i] = [];
            }

            return lists;
        }
    }

    private sealed class Failing : ISymmetricTileVisitor
    {
        public void Tile(SimilarityWalker.RowBlock rows, int blockJ, float[] tile)
        {
            // Block row 0 fails late, while block row 1 (the other thread) waits on its tile (0, 3).
            if (rows.First == 0 && blockJ == 3)
            {
                Thread.Sleep(100);
                throw new InvalidOperationException("tile (0, 3)");
            }
        }

        public void BlockRowDone(int blockI)
        {
        }
    }
}
