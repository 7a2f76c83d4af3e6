using System.Collections.Generic;
using System.Linq;
using ER.Managed.Kernels;
using ER.Managed.Terms;
using ER.Managed.Tests.Gradients;
using ER.Managed.Tests.Kernels;

namespace ER.Managed.Tests.Terms;

/// <summary>
/// The fused, tiled sphere entropy against the simple strip path (the whole S row by row) on
/// awkward shapes, every width, with and without the kept exponentials, 1 and 2 threads.
/// </summary>
public class FusedSphereEntropyTests
{
    public static IEnumerable<object[]> Shapes()
    {
        // k around the tile (256) and partition boundaries; d around NR and MR.
        // Block counts 1 to 5: the backward's wavefront over fewer and more block rows than threads.
        int[][] shapes = [[1, 1], [1, 7], [2, 2], [5, 3], [255, 4], [256, 65], [257, 1], [513, 6], [1000, 5], [1100, 3]];
        foreach (int[] s in shapes)
        {
            foreach (KernelWidth w in KernelTestSupport.TestedWidths())
            {
                yield return new object[] { s[0], s[1], (int)w };
            }
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Fused_forward_and_backward_match_the_simple_path(int k, int d, int widthBits)
    {
        var width = (KernelWidth)widthBits;
        float[] z = TestData.UnitRows(k, d, seed: k + (7 * d));
        const float kappa = 10f;
        EntropyReduction[] reductions = k >= 2
            ? [EntropyReduction.Expectation, EntropyReduction.Average, EntropyReduction.LeaveOneOut]
            : [EntropyReduction.Expectation, EntropyReduction.Average];
        foreach (EntropyReduction reduction in reductions)
        {
            bool leaveOneOut = reduction == EntropyReduction.LeaveOneOut;
            var simpleLse = new double[k];
            UnfusedSphereEntropy.RowLogSumExp(z, k, d, kappa, simpleLse, KernelWidth.Scalar, leaveOneOut);
            var simpleGradient = new float[k * d];
            (double simpleValue, double simpleKappa) = UnfusedSphereEntropy.Backward(z, k, d, kappa, 0.0, 0.0, reduction, simpleGradient, KernelWidth.Scalar);
            float[]? reference = null;
            foreach (bool keep in new[] { true, false })
            {
                foreach (int threads in new[] { 1, 2, 3 })
                {
                    using SphereForwardState state = FusedSphereEntropy.Forward(z, k, d, kappa, leaveOneOut, keep, threads, width);
                    Assert.Equal(keep, state.Cache is not null); // every k here is far below the cache limit
                    Assert.Equal(0, state.OwnShiftCount);
                    for (int i = 0; i < k; i++)
                    {
                        // Both sum float exponentials of float similarities: a few ulps of kappa.
                        Assert.True(Math.Abs(state.Lse[i] - simpleLse[i]) <= 1e-5 * kappa, $"{reduction} LSE[{i}] {state.Lse[i]} vs {simpleLse[i]}");
                    }

                    var g = new double[k];
                    double mean = SphereReduction.RowWeights(state.Lse, reduction, g);
                    Assert.Equal(simpleValue, SphereReduction.LogCount(k, reduction) - mean, 4);
                    double expected = 0;
                    for (int i = 0; i < k; i++)
                    {
                        expected += g[i] * state.ExpectedSimilarity[i];
                    }

                    Assert.Equal(simpleKappa, -expected, 4);
                    var gradient = new float[k * d];
                    FusedSphereEntropy.Backward(z, k, d, kappa, state, g, gradient, threads, width);
                    GradientAssert.Close(Array.ConvertAll(simpleGradient, v => (double)v), gradient, $"k={k} d={d} {width} {reduction} keep={keep} threads={threads}", tol: 1e-4, floor: 1e-7);

                    // Same bits whatever the thread count, for the kept tiles and for the recomputed ones
                    // (block rows swept in a wavefront, each waiting on the one above it).
                    if (threads == 1)
                    {
                        reference = gradient;
                    }
                    else
                    {
                        Assert.Equal(reference, gradient);
                    }
                }
            }
        }
    }

    /// <summary>
    /// The forward's two schedules, every tile's partial sums buffered and added up afterwards (few
    /// block rows) or the sweep's wavefront (many), add each row's terms in the same order: the same
    /// bits, kept tiles included, for any thread count.
    /// </summary>
    [Theory]
    [InlineData(300, 7, false)]
    [InlineData(1000, 5, false)]
    [InlineData(1100, 3, true)]
    [InlineData(1300, 17, true)]
    public void Buffered_and_swept_forwards_give_the_same_bits(int k, int d, bool leaveOneOut)
    {
        float[] z = TestData.UnitRows(k, d, seed: k + d);
        foreach (KernelWidth width in KernelTestSupport.TestedWidths())
        {
            using SphereForwardState reference = FusedSphereEntropy.Forward(z, k, d, 10f, leaveOneOut, keepCache: true, degree: 1, width, bufferedBlockLimit: 0);
            foreach (int threads in new[] { 1, 2, 3 })
            {
                foreach (int limit in new[] { 0, int.MaxValue })
                {
                    using SphereForwardState state = FusedSphereEntropy.Forward(z, k, d, 10f, leaveOneOut, keepCache: true, threads, width, limit);
                    string label = $"{width} threads={threads} limit={limit}";
                    Assert.True(reference.Lse.SequenceEqual(state.Lse), label);
                    Assert.True(reference.ExpectedSimilarity.SequenceEqual(state.ExpectedSimilarity), label);
                    AssertSameKeptTiles(reference.Cache!, state.Cache!, k, label);
                }
            }
        }
    }

    [Theory]
    [InlineData(300, 7, false)]
    [InlineData(1100, 3, true)]
    [InlineData(1300, 17, false)]
    public void Without_the_expected_similarities_the_forward_gives_the_same_lse_bits(int k, int d, bool leaveOneOut)
    {
        // A value needs only the LSEs: the tiles then skip their sums of E s, which must not move a bit
        // of the sums of E, in either schedule, at any thread count and width.
        float[] z = TestData.UnitRows(k, d, seed: (3 * k) + d);
        foreach (KernelWidth width in KernelTestSupport.TestedWidths())
        {
            using SphereForwardState reference = FusedSphereEntropy.Forward(z, k, d, 10f, leaveOneOut, keepCache: false, degree: 1, width);
            foreach (int threads in new[] { 1, 2 })
            {
                foreach (int limit in new[] { 0, int.MaxValue })
                {
                    using SphereForwardState state = FusedSphereEntropy.Forward(z, k, d, 10f, leaveOneOut, keepCache: false, threads, width, limit, expectedSimilarity: false);
                    string label = $"{width} threads={threads} limit={limit}";
                    Assert.True(reference.Lse.SequenceEqual(state.Lse), label);
                    Assert.Equal(0, state.OwnShiftCount);
                    Assert.True(state.ExpectedSimilarity.ToArray().All(double.IsNaN), label);
                }
            }
        }
    }

    /// <summary>Each kept tile's m x stride floats (the rest of a slot is whatever the pooled array held).</summary>
    private static void AssertSameKeptTiles(float[] expected, float[] actual, int k, string label)
    {
        int blocks = SimilarityTiles.Blocks(k);
        for (int bi = 0; bi < blocks; bi++)
        {
            for (int bj = bi; bj < blocks; bj++)
            {
                int m = Math.Min(SimilarityTiles.Tile, k - (bi * SimilarityTiles.Tile)), n = Math.Min(SimilarityTiles.Tile, k - (bj * SimilarityTiles.Tile));
                int slot = FusedSphereEntropy.Slot(bi, bj, blocks), length = m * SimilarityTiles.Stride(n);
                Assert.True(expected.AsSpan(slot, length).SequenceEqual(actual.AsSpan(slot, length)), $"{label} tile ({bi}, {bj})");
            }
        }
    }

    /// <summary>The tiles are kept up to k = 5376 (21 block rows of 256, 231 tiles of 256 x 272 floats = 64 MiB), recomputed above.</summary>
    [Theory]
    [InlineData(5376, true)]
    [InlineData(5377, false)]
    public void Tiles_are_kept_for_the_backward_up_to_the_cache_limit(int k, bool kept)
    {
        float[] z = TestData.UnitRows(k, 2, seed: 5);
        using SphereForwardState state = FusedSphereEntropy.Forward(z, k, 2, 10f, leaveOneOut: false, keepCache: true, degree: 2, KernelIsa.Best);
        Assert.Equal(kept, state.Cache is not null);
    }

    [Fact]
    public void Values_and_gradients_are_bitwise_equal_across_thread_counts()
    {
        const int k = 700, d = 33;
        float[] z = TestData.UnitRows(k, d, seed: 4);
        var one = new float[k * d];
        var two = new float[k * d];
        SphereTermResult a = Entropy.SphereWithGradient(z, k, d, one, options: new ErOptions { MaxDegreeOfParallelism = 1 });
        SphereTermResult b = Entropy.SphereWithGradient(z, k, d, two, options: new ErOptions { MaxDegreeOfParallelism = 2 });
        Assert.Equal(a, b);
        Assert.Equal(one, two);
        Assert.Equal(Entropy.Sphere(z, k, d, options: new ErOptions { MaxDegreeOfParallelism = 1 }), Entropy.Sphere(z, k, d, options: new ErOptions { MaxDegreeOfParallelism = 3 }));
    }

    public static IEnumerable<object[]> OwnShiftCases()
    {
        foreach (KernelWidth w in KernelTestSupport.TestedWidths())
        {
            foreach (int k in new[] { 3, 300, 600 })
            {
                yield return new object[] { k, (int)w };
            }
        }
    }

    /// <summary>
    /// Rows whose sums underflow under the common shift take their own (the leave-one-out estimator at
    /// a large kappa: every row's other terms are exp(-kappa (1 - s)) below the self-pair's shift).
    /// The result must match the oracle, which shifts every row by its own maximum, and stay the same
    /// bits for any thread count, with and without kept tiles (rows with their own shift make the
    /// backward recompute).
    /// </summary>
    [Theory]
    [MemberData(nameof(OwnShiftCases))]
    public void Rows_whose_sums_underflow_take_their_own_shift(int k, int widthBits)
    {
        var width = (KernelWidth)widthBits;
        const int d = 5;
        const float kappa = 400f;
        float[] z = TestData.UnitRows(k, d, seed: 90 + k);
        var simpleLse = new double[k];
        UnfusedSphereEntropy.RowLogSumExp(z, k, d, kappa, simpleLse, KernelWidth.Scalar, leaveOneOut: true);
        var simpleGradient = new float[k * d];
        (double simpleValue, double simpleKappa) = UnfusedSphereEntropy.Backward(z, k, d, kappa, 0.0, 0.0, EntropyReduction.LeaveOneOut, simpleGradient, KernelWidth.Scalar);
        float[]? reference = null;
        foreach (bool keep in new[] { true, false })
        {
            foreach (int threads in new[] { 1, 2, 3 })
            {
                using SphereForwardState state = FusedSphereEntropy.Forward(z, k, d, kappa, leaveOneOut: true, keep, threads, width);
                Assert.True(state.OwnShiftCount > 0, "no row took its own shift");
                for (int i = 0; i < k; i++)
                {
                    // kappa = 400 times a float similarity's rounding (~6e-8) is ~2e-5 in every exponent.
                    Assert.True(Math.Abs(state.Lse[i] - simpleLse[i]) <= 1e-4, $"LSE[{i}] {state.Lse[i]:R} vs {simpleLse[i]:R}");
                }

                var g = new double[k];
                double mean = SphereReduction.RowWeights(state.Lse, EntropyReduction.LeaveOneOut, g);
                double value = SphereReduction.LogCount(k, EntropyReduction.LeaveOneOut) - mean;
                Assert.True(Math.Abs(simpleValue - value) <= 1e-4, $"H {value:R} vs {simpleValue:R}");
                double expected = 0;
                for (int i = 0; i < k; i++)
                {
                    expected += g[i] * state.ExpectedSimilarity[i];
                }

                // sum_j P_ij s_ij: P's entries carry the ~2e-5 of their exponents.
                Assert.True(Math.Abs(simpleKappa + expected) <= 1e-4, $"dH/dkappa {-expected:R} vs {simpleKappa:R}");
                var gradient = new float[k * d];
                FusedSphereEntropy.Backward(z, k, d, kappa, state, g, gradient, threads, width);
                Assert.All(gradient, v => Assert.True(float.IsFinite(v)));
                GradientAssert.Close(Array.ConvertAll(simpleGradient, v => (double)v), gradient, $"k={k} {width} keep={keep} threads={threads}", tol: 1e-3, floor: 1e-7);
                if (reference is null)
                {
                    reference = gradient;
                }
                else
                {
                    Assert.Equal(reference, gradient);
                }
            }
        }
    }

    /// <summary>
    /// Leave-one-out rows with their own shift whose tiles matter one by one, against a double oracle.
    /// Case 0 (kappa = 60, d = 16): three rows along basis vectors (one in each of the first three tiles),
    /// each with only two partners, at similarities 0.08-0.1 in other tiles and exactly 0 elsewhere, so
    /// every similarity is exact in float and each row's sum underflows the common shift (about e^-54).
    /// A row's largest partner comes in a tile after its second, so the sums must be carried to the new
    /// maximum (a factor e^-1.2), and its self-pair, at a tile offset other than 0 for two of them, must
    /// stay out of the sum: kappa times its largest similarity is only 6, so an unmasked self entry
    /// (a zero similarity) would add e^-6 of the largest term to a sum of about 2.8.
    /// Case 1 (kappa = 1e5, d = 256): a row with two near-duplicates at kappa (1 - s) = 51 and 50, the
    /// closer one two tiles later; its similarities sum 254 small products onto 0.98, a few float ulps
    /// of rounding in the GEMM (kappa times one ulp is 6e-3 nats), so only the refined (double)
    /// similarities meet the oracle.
    /// </summary>
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Own_shift_rows_carry_their_sums_mask_their_self_pair_and_refine_across_tiles(int scenario)
    {
        const int k = 600;
        // Case 1: at kappa = 1e5 every row's sum underflows (random rows' nearest are at s ~ 0.25).
        (int d, float kappa, int[] rows, int ownShifts, double tolerance) = scenario == 0
            ? (16, 60f, new[] { 10, 300, 550 }, 3, 1e-5) // float exp and float tile sums: ~1e-6 relative
            : (256, 1e5f, new[] { 40, 300, 520 }, k, 5e-3); // the refined s rounded to float: kappa ulp(1) / 2 = 3e-3
        float[] z = scenario == 0 ? SparsePartners(k, d) : NearDuplicates(k, d);
        double[] oracle = DoubleReference.RowLogSumExp(DoubleReference.ToDouble(z), k, d, kappa, leaveOneOut: true);
        foreach (KernelWidth width in KernelTestSupport.TestedWidths())
        {
            foreach (int threads in new[] { 1, 2 })
            {
                using SphereForwardState state = FusedSphereEntropy.Forward(z, k, d, kappa, leaveOneOut: true, keepCache: false, threads, width);
                Assert.Equal(ownShifts, state.OwnShiftCount);
                foreach (int i in rows)
                {
                    Assert.True(Math.Abs(state.Lse[i] - oracle[i]) <= tolerance, $"{width} threads={threads} LSE[{i}] {state.Lse[i]:R} vs {oracle[i]:R}");
                }
            }
        }
    }

    /// <summary>Rows 10, 300, 550 are e_0, e_1, e_2; each has two partners (component 0.08-0.1 along it), all else in dimensions 3 and up.</summary>
    private static float[] SparsePartners(int k, int d)
    {
        float[] z = TestData.UnitRows(k, d, seed: 606);
        // (row, axis, partner, similarity): the largest partner after the second, in a later tile.
        (int Row, int Axis, int Partner, float S)[] partners =
            [(10, 0, 200, 0.08f), (10, 0, 400, 0.1f), (300, 1, 100, 0.08f), (300, 1, 520, 0.1f), (550, 2, 260, 0.08f), (550, 2, 590, 0.1f)];
        for (int i = 0; i < k; i++)
        {
            z[i * d] = z[(i * d) + 1] = z[(i * d) + 2] = 0f;
        }

        RowOps.L2Normalize(z, k, d, z);

        foreach ((int row, int axis, int partner, float similarity) in partners)
        {
            Span<float> p = z.AsSpan(partner * d, d);
            float rest = MathF.Sqrt(1f - (similarity * similarity));
            for (int c = 3; c < d; c++)
            {
                p[c] *= rest;
            }

            p[axis] = similarity;
            z.AsSpan(row * d, d).Clear();
            z[(row * d) + axis] = 1f;
        }

        return z;
    }

    /// <summary>Row 300 is v = (0.7, 0.7, small noise); rows 40 and 520 are near-duplicates of it at kappa (1 - s) = 51 and 50 for kappa = 1e5.</summary>
    private static float[] NearDuplicates(int k, int d)
    {
        float[] z = TestData.UnitRows(k, d, seed: 607);
        Span<float> v = z.AsSpan(300 * d, d);
        for (int c = 0; c < d; c++)
        {
            v[c] = c < 2 ? 0.7f : v[c] * 0.02f;
        }

        RowOps.L2Normalize(v, 1, d, v);
        foreach ((int row, double gap) in new[] { (40, 51e-5), (520, 50e-5) })
        {
            // s v + sqrt(1 - s^2) w, w the row's own random direction made orthogonal to v.
            Span<float> w = z.AsSpan(row * d, d);
            double along = 0;
            for (int c = 0; c < d; c++)
            {
                along += (double)w[c] * v[c];
            }

            double norm = 0;
            var orthogonal = new double[d];
            for (int c = 0; c < d; c++)
            {
                orthogonal[c] = w[c] - (along * v[c]);
                norm += orthogonal[c] * orthogonal[c];
            }

            double s = 1 - gap, rest = Math.Sqrt(1 - (s * s)) / Math.Sqrt(norm);
            for (int c = 0; c < d; c++)
            {
                w[c] = (float)((s * v[c]) + (rest * orthogonal[c]));
            }
        }

        return z;
    }

    [Fact]
    public void Rows_far_from_unit_norm_at_huge_kappa_take_their_own_shift()
    {
        // Norms 1 and 0.999 at kappa = 1e6: one shared shift would underflow the second row's sum.
        const int k = 3, d = 2;
        float[] z = [1f, 0f, 0f, 0.999f, 0.6f, 0.8f];
        var simpleLse = new double[k];
        UnfusedSphereEntropy.RowLogSumExp(z, k, d, 1e6f, simpleLse, KernelWidth.Scalar);
        foreach (KernelWidth width in KernelTestSupport.TestedWidths())
        {
            using SphereForwardState state = FusedSphereEntropy.Forward(z, k, d, 1e6f, leaveOneOut: false, keepCache: false, 1, width);
            Assert.True(state.OwnShiftCount > 0);
            for (int i = 0; i < k; i++)
            {
                // The second row's own term, exp(kappa 0.998), dominates its sum: without it its LSE
                // would fall by kappa (0.998 - 0.7992), about 2e5. Tolerance as below.
                Assert.True(Math.Abs(state.Lse[i] - simpleLse[i]) <= 0.1, $"{width} LSE[{i}] {state.Lse[i]:R} vs {simpleLse[i]:R}");
            }
        }

        var options = new ErOptions { UnitNormTolerance = 0.01 };
        double h = Entropy.Sphere(z, k, d, 1e6, options: options);
        double want = DoubleReference.SphereEntropy(Array.ConvertAll(z, v => (double)v), k, d, 1e6, EntropyReduction.Expectation);
        // kappa = 1e6 magnifies the float32 rounding of each similarity (u ~ 6e-8) to ~0.06 nats.
        Assert.Equal(want, h, 0.1);
        TermGradients t = Entropy.SphereWithGradient(z, k, d, 1e6, options: options);
        Assert.All(t.Gradient, v => Assert.True(float.IsFinite(v)));
    }
}
