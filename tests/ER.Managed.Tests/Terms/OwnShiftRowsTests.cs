using System.Collections.Generic;
using System.Linq;
using ER.Managed.Kernels;
using ER.Managed.Terms;
using ER.Managed.Tests.Kernels;

namespace ER.Managed.Tests.Terms;

/// <summary>
/// <see cref="OwnShiftRows.States"/> driven directly: more rows than one block of
/// <see cref="SimilarityTiles.Tile"/>, so a full block and a partial one, against a double oracle.
/// </summary>
public class OwnShiftRowsTests
{
    public static IEnumerable<object[]> Cases()
    {
        foreach (KernelWidth width in KernelTestSupport.TestedWidths())
        {
            yield return new object[] { (int)width, true };
            yield return new object[] { (int)width, false };
        }
    }

    /// <summary>
    /// 300 of 600 rows (the even ones: 256 in the first block, 44 in the second) get the state of
    /// their whole row, and nothing else is written: the index array holds the odd rows after its
    /// <c>count</c> entries, and every output of a row not asked for must keep its NaN sentinel. The
    /// states are the same bits for one, two and three threads (a row's state depends only on its own
    /// similarities and the fixed column order).
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public unsafe void States_of_more_rows_than_one_block_match_the_double_oracle_and_touch_no_other_row(int widthBits, bool leaveOneOut)
    {
        var width = (KernelWidth)widthBits;
        const int k = 600, d = 5, count = 300;
        const float kappa = 40f; // above SimilarityTiles.RefineFromKappa: near pairs are refined in double
        float[] z = TestData.UnitRows(k, d, seed: 2601);
        var norms = new double[k];
        SimilarityTiles.SquaredNorms(z, k, d, norms);
        var rows = new int[k];
        for (int r = 0; r < rows.Length; r++)
        {
            // The even rows ascending, then the odd ones, which States must not take for part of the set.
            rows[r] = r < count ? 2 * r : (2 * (r - count)) + 1;
        }

        (double[] oracleLse, double[] oracleExpected, double leastPartnerWeight) = Oracle(z, k, d, kappa, leaveOneOut);

        // The data must make the other rows matter: in every row the largest partner other than the row
        // itself holds at least 0.5% of P_i (the self term included where it counts), so losing or
        // doubling it moves LSE_i by over 5e-3, fifty times the tolerance below.
        Assert.True(leastPartnerWeight >= 5e-3, $"largest partner weight {leastPartnerWeight:R}");
        double[]? firstLse = null, firstExpected = null;
        foreach (int threads in new[] { 1, 2, 3 })
        {
            double[] lse = Enumerable.Repeat(double.NaN, k).ToArray();
            double[] expected = Enumerable.Repeat(double.NaN, k).ToArray();
            fixed (float* zp = z)
            {
                using var walker = new SimilarityWalker(new PinnedFloats(zp, z.Length), k, d, width);
                OwnShiftRows.States(z, walker, norms, k, d, kappa, leaveOneOut, rows, count, lse, expected, threads, width);
            }

            for (int i = 0; i < k; i++)
            {
                if (i % 2 == 1)
                {
                    Assert.True(double.IsNaN(lse[i]) && double.IsNaN(expected[i]), $"row {i} is not in the set but was written");
                    continue;
                }

                // kappa = 40 times a float similarity's rounding (a few 6e-8 at d = 5) is under 1e-5 in
                // every exponent, and the tile kernel's float exponentials add ~1e-7 relative: 1e-4
                // leaves a margin of ten.
                Assert.True(Math.Abs(lse[i] - oracleLse[i]) <= 1e-4, $"{width} threads={threads} LSE[{i}] {lse[i]:R} vs {oracleLse[i]:R}");
                Assert.True(Math.Abs(expected[i] - oracleExpected[i]) <= 1e-4, $"{width} threads={threads} E[s][{i}] {expected[i]:R} vs {oracleExpected[i]:R}");
            }

            if (firstLse is null)
            {
                (firstLse, firstExpected) = (lse, expected);
            }
            else
            {
                Assert.Equal(firstLse, lse);
                Assert.Equal(firstExpected, expected);
            }
        }
    }

    /// <summary>
    /// Per row, in double: LSE_i of kappa s_ij and sum_j P_ij s_ij, over j != i for the leave-one-out;
    /// and over the rows, the least of each row's largest P_ij with j != i.
    /// </summary>
    private static (double[] Lse, double[] Expected, double LeastPartnerWeight) Oracle(float[] z, int k, int d, double kappa, bool leaveOneOut)
    {
        var lse = new double[k];
        var expected = new double[k];
        var s = new double[k];
        double least = double.PositiveInfinity;
        for (int i = 0; i < k; i++)
        {
            double max = double.NegativeInfinity;
            for (int j = 0; j < k; j++)
            {
                double dot = 0;
                for (int t = 0; t < d; t++)
                {
                    dot += (double)z[(i * d) + t] * z[(j * d) + t];
                }

                s[j] = dot;
                if (!(leaveOneOut && j == i))
                {
                    max = Math.Max(max, kappa * dot);
                }
            }

            double sum = 0, weighted = 0, partner = double.NegativeInfinity;
            for (int j = 0; j < k; j++)
            {
                if (leaveOneOut && j == i)
                {
                    continue;
                }

                double e = Math.Exp((kappa * s[j]) - max);
                partner = j == i ? partner : Math.Max(partner, e);
                sum += e;
                weighted += e * s[j];
            }

            lse[i] = max + Math.Log(sum);
            expected[i] = weighted / sum;
            least = Math.Min(least, partner / sum);
        }

        return (lse, expected, least);
    }
}
