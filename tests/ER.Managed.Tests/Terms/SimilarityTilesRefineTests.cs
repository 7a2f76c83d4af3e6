using System.Linq;
using ER.Managed.Kernels;
using ER.Managed.Terms;

namespace ER.Managed.Tests.Terms;

/// <summary>
/// The near-duplicate refinement of a tile's similarities (<see cref="SimilarityTiles.Refine"/>),
/// driven directly: the tile holds sentinel values instead of products, so every element the
/// refinement rewrites shows as the double dot product of its two rows rounded once, and every
/// other element keeps its sentinel bits. Assertions are exact: the refinement writes
/// <c>(float)DoubleDot</c> or nothing.
/// </summary>
public class SimilarityTilesRefineTests
{
    private const int D = 5;
    private const float Below = -5f;
    private const float Above = 3f;
    private const float Cut = 1f;
    private const float Kappa = SimilarityTiles.RefineFromKappa;

    [Theory]
    [InlineData(1, false)]
    [InlineData(SimilarityTiles.RefineBudget, false)]
    [InlineData(SimilarityTiles.RefineBudget, true)]
    public void A_row_with_at_most_the_budget_of_partners_above_its_cut_has_exactly_those_recomputed(int partners, bool onDiagonal)
    {
        // On a diagonal tile the self-pair is above every cut too: it is neither recomputed nor
        // counted against the budget.
        var tile = onDiagonal ? new Tile(i0: 16, j0: 16, m: 20, n: 20) : new Tile(i0: 0, j0: 32, m: 3, n: 20);
        int[] columns = EveryOther(partners, from: 1);
        tile.Set(row: 2, columns, Above);
        tile.Set(row: 2, [2], onDiagonal ? Above : Below);

        tile.Refine(Kappa, Cut);

        tile.AssertOnlyRefined(row: 2, columns);
    }

    [Fact]
    public void A_row_with_one_partner_over_the_budget_is_left_as_it_is()
    {
        // A collapsed or clustered batch: its many comparable terms' errors average out, and refining
        // them all would cost several forwards.
        var tile = new Tile(i0: 0, j0: 32, m: 3, n: 20);
        tile.Set(row: 0, EveryOther(SimilarityTiles.RefineBudget + 1, from: 0), Above);
        tile.Set(row: 2, [4, 7], Above);

        tile.Refine(Kappa, Cut);

        tile.AssertOnlyRefined(row: 2, [4, 7]);
    }

    [Fact]
    public void Only_similarities_strictly_above_a_cut_are_recomputed()
    {
        var tile = new Tile(i0: 0, j0: 32, m: 2, n: 16);
        tile.Set(row: 0, [3], Cut);
        tile.Set(row: 0, [5], MathF.BitIncrement(Cut));

        tile.Refine(Kappa, Cut);

        tile.AssertOnlyRefined(row: 0, [5]);
    }

    [Fact]
    public void With_a_cut_per_row_a_pair_above_either_of_its_rows_cuts_is_recomputed()
    {
        // Row 1's own cut is high; column 6's row has a low cut, column 9's a cut equal to its value.
        // Row 0's cut equals its element at column 12, whose row's cut is higher still. The tile's
        // lowest cut (column 6's) lets the scan visit all of them.
        var tile = new Tile(i0: 0, j0: 32, m: 2, n: 16);
        float[] cuts = Enumerable.Repeat(2f, Tile.Batch).ToArray();
        cuts[0] = 1.5f;
        cuts[1] = 10f;
        cuts[32 + 6] = 1f;
        cuts[32 + 9] = 1.5f;
        tile.Set(row: 0, [12], 1.5f);
        tile.Set(row: 1, [6], 1.25f);
        tile.Set(row: 1, [9], 1.5f);
        tile.Set(row: 1, [12], 1.75f);

        tile.Refine(Kappa, uniformCut: float.NaN, cuts);

        tile.AssertOnlyRefined(row: 1, [6]);
    }

    [Fact]
    public void Below_the_refinement_kappa_nothing_is_recomputed()
    {
        // There the float32 GEMM's rounding, times kappa, stays under 4e-5 relative in every exponential.
        foreach (float kappa in new[] { 0f, 1f, MathF.BitDecrement(SimilarityTiles.RefineFromKappa), float.NaN })
        {
            var tile = new Tile(i0: 0, j0: 32, m: 3, n: 20);
            tile.Set(row: 1, [2, 5], Above);

            tile.Refine(kappa, Cut);

            tile.AssertOnlyRefined(row: -1, []);
        }
    }

    private static int[] EveryOther(int count, int from) => Enumerable.Range(0, count).Select(p => from + (2 * p)).ToArray();

    /// <summary>An m x n tile of a 64-row batch at (i0, j0), every element <see cref="Below"/> until set.</summary>
    private sealed class Tile
    {
        private readonly int _i0;
        private readonly int _j0;
        private readonly float[] _z;
        private readonly float[] _s;
        private float[] _before = [];
        private readonly TileShape _shape;

        public Tile(int i0, int j0, int m, int n)
        {
            _i0 = i0;
            _j0 = j0;
            _shape = new TileShape(m, n, SimilarityTiles.Stride(n), i0 == j0 ? 0 : TileShape.NoSelf);
            var random = new Random(29);
            _z = Enumerable.Range(0, Batch * D).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
            _s = Enumerable.Repeat(Below, m * _shape.Stride).ToArray();
        }

        public const int Batch = 64;

        public void Set(int row, int[] columns, float value)
        {
            foreach (int t in columns)
            {
                _s[(row * _shape.Stride) + t] = value;
            }
        }

        public void Refine(float kappa, float uniformCut, float[]? cuts = null)
        {
            _before = (float[])_s.Clone();
            SimilarityTiles.Refine(_z, D, _i0, _j0, _s, _shape, kappa, uniformCut, cuts);
        }

        /// <summary>The elements of <paramref name="columns"/> in <paramref name="row"/> hold their double dot products; every other keeps its bits.</summary>
        public void AssertOnlyRefined(int row, int[] columns)
        {
            AssertRefined(row, columns);
            AssertUntouchedBut(row, columns);
        }

        private void AssertRefined(int row, int[] columns)
        {
            foreach (int t in columns)
            {
                float want = (float)DoubleDot.Compute(_z.AsSpan((_i0 + row) * D, D), _z.AsSpan((_j0 + t) * D, D));
                Assert.True(BitConverter.SingleToInt32Bits(want) == BitConverter.SingleToInt32Bits(_s[(row * _shape.Stride) + t]), $"({row}, {t}): {_s[(row * _shape.Stride) + t]:R}, want the double dot {want:R}");
            }
        }

        /// <summary>Every element but those of <paramref name="columns"/> in <paramref name="row"/> keeps its bits.</summary>
        private void AssertUntouchedBut(int row, int[] columns)
        {
            for (int r = 0; r < _shape.Rows; r++)
            {
                for (int t = 0; t < _shape.Stride; t++)
                {
                    if (r == row && columns.Contains(t))
                    {
                        continue;
                    }

                    int at = (r * _shape.Stride) + t;
                    Assert.True(BitConverter.SingleToInt32Bits(_before[at]) == BitConverter.SingleToInt32Bits(_s[at]), $"({r}, {t}) changed: {_before[at]:R} -> {_s[at]:R}");
                }
            }
        }
    }
}
