using ER.Managed.Kernels;

namespace ER.Managed.Tests.Kernels;

/// <summary>
/// The similarity tile's passes at every width against double formulas on one tile: valid columns
/// not a multiple of any register (so padding registers are masked), with and without an excluded
/// self-pair column per row, and with rows and columns that took their own shift. Tolerance 1e-5
/// relative: each entry is one float exponential (a few ulps), or three, and each sum adds at most
/// a few dozen of them in float.
/// </summary>
public class SimilarityTileKernelTests
{
    private const int Rows = 13, Columns = 37, Stride = 64;
    private const float Kappa = 3f, Shift = 3f;

    private static float[] Tile(int seed)
    {
        var random = new Random(seed);
        var s = new float[Rows * Stride];
        for (int r = 0; r < Rows; r++)
        {
            for (int j = 0; j < Columns; j++)
            {
                s[(r * Stride) + j] = (float)((2 * random.NextDouble()) - 1);
            }
        }

        return s;
    }

    private static float[] Vector(int length, int seed)
    {
        var random = new Random(seed);
        var h = new float[length];
        for (int i = 0; i < length; i++)
        {
            h[i] = (float)random.NextDouble();
        }

        return h;
    }

    /// <summary>Row r's excluded column as the tile's contract states it (r + offset inside the tile), computed here, not by the code under test.</summary>
    private static int OwnColumn(int r, int selfOffset)
    {
        long column = (long)r + selfOffset;
        return column >= 0 && column < Columns ? (int)column : -1;
    }

    private static void Close(double want, double got, string what) =>
        Assert.True(Math.Abs(want - got) <= 1e-5 * Math.Max(1, Math.Abs(want)), $"{what}: {got} against {want}");

    [Theory]
    [MemberData(nameof(KernelTestSupport.Widths), MemberType = typeof(KernelTestSupport))]
    public void Forward_stores_the_exponentials_and_sums_rows_and_columns(int widthBits)
    {
        var width = (KernelWidth)widthBits;
        foreach (int selfOffset in new[] { TileShape.NoSelf, 5 })
        {
            var shape = new TileShape(Rows, Columns, Stride, selfOffset);
            float[] s = Tile(widthBits + selfOffset), original = (float[])s.Clone();
            var rowSum = new float[Rows];
            var rowDot = new float[Rows];
            var colSum = new float[Stride];
            var colDot = new float[Stride];
            SimilarityTileKernel.Forward(s, shape, Kappa, Shift, rowSum, rowDot, colSum, colDot, columns: true, storeExp: true, width);
            var wantColSum = new double[Columns];
            var wantColDot = new double[Columns];
            for (int r = 0; r < Rows; r++)
            {
                double sum = 0, dot = 0;
                for (int j = 0; j < Stride; j++)
                {
                    float x = original[(r * Stride) + j];
                    bool counted = j < Columns && j != OwnColumn(r, selfOffset);
                    double e = counted ? Math.Exp((Kappa * x) - Shift) : 0.0;
                    if (j < Columns || s[(r * Stride) + j] != 0)
                    {
                        // Stored: the exponential, zero at the self-pair and in the padding registers it covers.
                        Close(e, s[(r * Stride) + j], $"e[{r},{j}]");
                    }

                    if (j < Columns)
                    {
                        sum += e;
                        dot += e * x;
                        wantColSum[j] += e;
                        wantColDot[j] += e * x;
                    }
                }

                Close(sum, rowSum[r], $"row sum {r}");
                Close(dot, rowDot[r], $"row dot {r}");
            }

            for (int j = 0; j < Columns; j++)
            {
                Close(wantColSum[j], colSum[j], $"column sum {j}");
                Close(wantColDot[j], colDot[j], $"column dot {j}");
            }

            for (int j = Columns; j < Stride; j++)
            {
                Assert.Equal(0f, colSum[j]);
            }
        }
    }

    [Theory]
    [MemberData(nameof(KernelTestSupport.Widths), MemberType = typeof(KernelTestSupport))]
    public void Forward_without_the_dot_sums_gives_the_same_exponentials_and_sums(int widthBits)
    {
        // An empty rowDot asks for the sums of e alone: the same bits for them and for the stored
        // exponentials, and the column dot span left as it was.
        var width = (KernelWidth)widthBits;
        foreach (int selfOffset in new[] { TileShape.NoSelf, 5 })
        {
            var shape = new TileShape(Rows, Columns, Stride, selfOffset);
            float[] s = Tile(widthBits + selfOffset + 1), lone = (float[])s.Clone();
            float[] rowSum = new float[Rows], rowDot = new float[Rows], colSum = new float[Stride], colDot = new float[Stride];
            SimilarityTileKernel.Forward(s, shape, Kappa, Shift, rowSum, rowDot, colSum, colDot, columns: true, storeExp: true, width);
            float[] loneRowSum = new float[Rows], loneColSum = new float[Stride], untouched = new float[Stride];
            Array.Fill(untouched, 7f);
            SimilarityTileKernel.Forward(lone, shape, Kappa, Shift, loneRowSum, default, loneColSum, untouched, columns: true, storeExp: true, width);
            Assert.Equal(s, lone);
            Assert.Equal(rowSum, loneRowSum);
            Assert.Equal(colSum, loneColSum);
            Assert.All(untouched, v => Assert.Equal(7f, v));
        }
    }

    [Theory]
    [MemberData(nameof(KernelTestSupport.Widths), MemberType = typeof(KernelTestSupport))]
    public void Backward_weights_from_recomputed_and_from_kept_exponentials_agree_with_the_formula(int widthBits)
    {
        var width = (KernelWidth)widthBits;
        foreach (int selfOffset in new[] { TileShape.NoSelf, -3 })
        {
            var shape = new TileShape(Rows, Columns, Stride, selfOffset);
            float[] hRows = Vector(Rows, 1), hColumns = Vector(Stride, 2);
            float[] s = Tile(7), original = (float[])s.Clone();
            SimilarityTileKernel.ExpWeights(s, shape, Kappa, Shift, hRows, hColumns, width);

            float[] kept = Tile(7);
            SimilarityTileKernel.Forward(kept, shape, Kappa, Shift, new float[Rows], new float[Rows], new float[Stride], new float[Stride], columns: false, storeExp: true, width);
            SimilarityTileKernel.Weights(kept, shape, hRows, hColumns, width);
            for (int r = 0; r < Rows; r++)
            {
                for (int j = 0; j < Columns; j++)
                {
                    double e = j == OwnColumn(r, selfOffset) ? 0.0 : Math.Exp((Kappa * original[(r * Stride) + j]) - Shift);
                    double w = e * (hRows[r] + hColumns[j]);
                    Close(w, s[(r * Stride) + j], $"recomputed w[{r},{j}]");
                    Close(w, kept[(r * Stride) + j], $"kept w[{r},{j}]");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(KernelTestSupport.Widths), MemberType = typeof(KernelTestSupport))]
    public void Mixed_weights_of_own_shift_rows_agree_with_the_formula(int widthBits)
    {
        // Rows 2 and 9 and columns 4 and 30 took their own shift (h = 0, weight b, offset o); every
        // other row and column has b = 0. w_ij = e_ij (h_i + h_j) + b_i exp(x_ij - o_i) + b_j exp(x_ij - o_j),
        // x = kappa s - shift, zero at the excluded self-pair; the padding is not compared.
        var width = (KernelWidth)widthBits;
        int[] ownRows = [2, 9], ownColumns = [4, 30];
        foreach (int selfOffset in new[] { TileShape.NoSelf, 5 })
        {
            var shape = new TileShape(Rows, Columns, Stride, selfOffset);
            float[] hRows = Vector(Rows, 3), hColumns = Vector(Stride, 4);
            float[] bRows = new float[Rows], oRows = new float[Rows], bColumns = new float[Stride], oColumns = new float[Stride];
            foreach (int r in ownRows)
            {
                (hRows[r], bRows[r], oRows[r]) = (0f, 0.25f + r, -40f - r);
            }

            foreach (int j in ownColumns)
            {
                (hColumns[j], bColumns[j], oColumns[j]) = (0f, 0.5f + j, -35f - j);
            }

            float[] s = Tile(11 + widthBits), original = (float[])s.Clone();
            SimilarityTileKernel.MixedWeights(s, shape, Kappa, Shift, new TileWeights(hRows, bRows, oRows), new TileWeights(hColumns, bColumns, oColumns), width);
            for (int r = 0; r < Rows; r++)
            {
                for (int j = 0; j < Columns; j++)
                {
                    double x = (Kappa * (double)original[(r * Stride) + j]) - Shift;
                    double w = j == OwnColumn(r, selfOffset) ? 0.0
                        : (Math.Exp(x) * (hRows[r] + hColumns[j])) + (bRows[r] * Math.Exp(x - oRows[r])) + (bColumns[j] * Math.Exp(x - oColumns[j]));
                    Close(w, s[(r * Stride) + j], $"w[{r},{j}] (self offset {selfOffset})");
                }
            }
        }
    }

    [Fact]
    public void An_unknown_width_is_refused()
    {
        var shape = new TileShape(1, 1, 16);
        Assert.Throws<ArgumentOutOfRangeException>(() => SimilarityTileKernel.Weights(new float[16], shape, new float[1], new float[16], (KernelWidth)3));
    }
}
