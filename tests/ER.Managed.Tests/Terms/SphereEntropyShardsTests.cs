using System.Collections.Generic;
using System.Linq;
using System.Numerics.Tensors;
using ER.Managed.Kernels;
using ER.Managed.Terms;
using ER.Managed.Tests.Gradients;
using ER.Managed.Tests.Kernels;

namespace ER.Managed.Tests.Terms;

/// <summary>
/// The row-sharded sphere entropy: every split of the rows gives the same bits, and the
/// result agrees with the single-process entropy; the split helper and the argument checks.
/// </summary>
public class SphereEntropyShardsTests
{
    /// <summary>Row splits to try for k rows: one shard, 2 to 8 even shards, uneven ones, and shards of one row.</summary>
    private static IEnumerable<int[]> Splits(int k)
    {
        for (int shards = 1; shards <= 8; shards++)
        {
            yield return Enumerable.Range(0, shards).Select(s => SphereEntropyShards.Split(k, shards, s).Count).ToArray();
        }

        if (k >= 3)
        {
            yield return [1, k - 2, 1];
            yield return [k - 1, 1];
            yield return [0, k / 3, 0, k - (k / 3)];
        }

        if (k <= 40)
        {
            yield return Enumerable.Repeat(1, k).ToArray();
        }
    }

    public static IEnumerable<object[]> Shapes()
    {
        // k around the 256-row tile (so that shards start mid-tile), d around the micro-kernels' MR and NR.
        int[][] shapes = [[1, 3], [5, 7], [37, 16], [257, 5], [600, 65]];
        foreach (int[] s in shapes)
        {
            foreach (KernelWidth w in KernelTestSupport.TestedWidths())
            {
                yield return [s[0], s[1], (int)w];
            }
        }
    }

    /// <summary>The three sphere estimators (leave-one-out from 2 rows).</summary>
    private static EntropyReduction[] Reductions(int k) =>
        k >= 2 ? [EntropyReduction.Expectation, EntropyReduction.Average, EntropyReduction.LeaveOneOut] : [EntropyReduction.Expectation, EntropyReduction.Average];

    /// <summary>States and gradient assembled from shards of the given sizes, as workers would.</summary>
    private static (double[] States, float[] Gradient) RunShards(float[] z, int k, int d, float kappa, EntropyReduction reduction, int[] sizes, int threads, KernelWidth width)
    {
        var states = new double[k * SphereEntropyShards.StateWidth];
        int first = 0;
        foreach (int count in sizes)
        {
            var own = new double[count * SphereEntropyShards.StateWidth];
            ShardedSphereEntropy.RowStates(z, k, d, kappa, reduction == EntropyReduction.LeaveOneOut, first, count, own, threads, width);
            own.CopyTo(states, first * SphereEntropyShards.StateWidth);
            first += count;
        }

        Assert.Equal(k, first);
        var gradient = new float[k * d];
        first = 0;
        foreach (int count in sizes)
        {
            var own = new float[count * d];
            ShardedSphereEntropy.Gradient(z, k, d, kappa, states, reduction, first, count, own, threads, width);
            own.CopyTo(gradient, first * d);
            first += count;
        }

        return (states, gradient);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Every_split_gives_the_same_bits_and_agrees_with_the_single_process_entropy(int k, int d, int widthBits)
    {
        var width = (KernelWidth)widthBits;
        float[] z = TestData.UnitRows(k, d, seed: (3 * k) + d);
        const float kappa = 10f;
        foreach (EntropyReduction reduction in Reductions(k))
        {
            (double[] states, float[] gradient) = RunShards(z, k, d, kappa, reduction, [k], threads: 1, width);
            foreach (int[] sizes in Splits(k))
            {
                foreach (int threads in new[] { 1, 2 })
                {
                    (double[] otherStates, float[] otherGradient) = RunShards(z, k, d, kappa, reduction, sizes, threads, width);
                    Assert.Equal(states, otherStates);
                    Assert.Equal(gradient, otherGradient);
                }
            }

            // Against the single-process fused path at the same width: only the float32 summation
            // order of each row sum differs (here a row is summed tile by tile along its own row; there
            // partly as column sums of the tiles above the diagonal), a few ulps of each sum, so
            // LSE agrees to 1e-6 absolute, H and dH/dkappa to 1e-6, the gradient to 1e-5 of its largest entry.
            using SphereForwardState single = FusedSphereEntropy.Forward(z, k, d, kappa, reduction == EntropyReduction.LeaveOneOut, keepCache: false, 1, width);
            for (int i = 0; i < k; i++)
            {
                Assert.True(Math.Abs(states[2 * i] - single.Lse[i]) <= 1e-6, $"LSE[{i}]: {states[2 * i]:R} vs {single.Lse[i]:R}");
                Assert.True(Math.Abs(states[(2 * i) + 1] - single.ExpectedSimilarity[i]) <= 1e-6, $"E[{i}]");
            }

            var g = new double[k];
            double mean = SphereReduction.RowWeights(single.Lse, reduction, g);
            var singleGradient = new float[k * d];
            FusedSphereEntropy.Backward(z, k, d, kappa, single, g, singleGradient, 1, width);
            GradientAssert.Close(Array.ConvertAll(singleGradient, v => (double)v), gradient, $"k={k} d={d} {width} {reduction}", tol: 1e-5, floor: 1e-9);
            SphereTermResult combined = ShardedSphereEntropy.Combine(states, k, 0.0, 0.0, reduction, default);
            double logCount = SphereReduction.LogCount(k, reduction);
            Assert.True(Math.Abs(combined.Value - (logCount - mean)) <= 1e-6, $"H: {combined.Value:R} vs {logCount - mean:R}");
        }
    }

    [Theory]
    [InlineData(EntropyReduction.Expectation, 10.0, 100)]
    [InlineData(EntropyReduction.Average, 10.0, 100)]
    [InlineData(EntropyReduction.Expectation, 200.0, 1000)]
    [InlineData(EntropyReduction.Average, 200.0, 1000)]
    [InlineData(EntropyReduction.LeaveOneOut, 10.0, 100)]
    [InlineData(EntropyReduction.LeaveOneOut, 200.0, 1000)]
    public void The_public_protocol_agrees_with_Entropy_SphereWithGradient(EntropyReduction reduction, double kappa, int d)
    {
        // k = 300: two row blocks; at kappa = 200, d = 1000 the refined similarities and the exact diagonal matter.
        const int k = 300;
        float[] z = TestData.UnitRows(k, d, seed: 1500 + d);
        var want = new float[k * d];
        SphereTermResult single = Entropy.SphereWithGradient(z, k, d, want, kappa, reduction);

        const int workers = 3;
        var states = new double[k * SphereEntropyShards.StateWidth];
        for (int w = 0; w < workers; w++)
        {
            (int first, int count) = SphereEntropyShards.Split(k, workers, w);
            SphereEntropyShards.RowStates(z, k, d, first, count, states.AsSpan(first * SphereEntropyShards.StateWidth, count * SphereEntropyShards.StateWidth), kappa, reduction);
        }

        SphereTermResult sharded = SphereEntropyShards.Combine(states, k, d, kappa, reduction);
        var gradient = new float[k * d];
        for (int w = 0; w < workers; w++)
        {
            (int first, int count) = SphereEntropyShards.Split(k, workers, w);
            SphereEntropyShards.Gradient(z, k, d, states, first, count, gradient.AsSpan(first * d, count * d), kappa, reduction);
        }

        // H is c + log k' - (a weighted mean of LSE): the LSEs agree to float32 summation order (1e-6
        // absolute at LSE ~ kappa), so H to 1e-6 relative; the gradient to 1e-5 of its largest entry.
        Assert.True(Math.Abs(sharded.Value - single.Value) <= 1e-6 * Math.Abs(single.Value), $"H {sharded.Value:R} vs {single.Value:R}");
        Assert.True(Math.Abs(sharded.KappaGradient - single.KappaGradient) <= 1e-6 * Math.Max(1, Math.Abs(single.KappaGradient)), $"dH/dkappa {sharded.KappaGradient:R} vs {single.KappaGradient:R}");
        // Leaving one out at kappa = 200, d = 1000, every row's terms are off-diagonal similarities s ~ 0.1
        // whose float32 rounding (about sqrt(d)/2 ulps, 1e-7) kappa turns into 2e-5 in each weight; the two
        // paths may round s_ij and s_ji differently (the micro-kernel's accumulation order), hence 5e-5 there.
        double tolerance = reduction == EntropyReduction.LeaveOneOut && kappa > 100 ? 5e-5 : 1e-5;
        GradientAssert.Close(Array.ConvertAll(want, v => (double)v), gradient, $"{reduction} kappa={kappa} d={d}", tol: tolerance, floor: 0);
    }

    [Theory]
    [InlineData(40, 0)]
    [InlineData(300, 256)]
    public void Rows_far_from_unit_norm_at_a_huge_kappa_take_their_own_shift_and_still_agree(int k, int firstShort)
    {
        // Unvalidated rows of norm 1 and 0.5 at kappa = 1000: under the common shift M = kappa the short
        // rows' sums underflow (exp(-750)), so those rows take their own shift, in both paths, and
        // pass 2 forms their terms from their LSE. With k = 300 they are in the second block row only,
        // whose tiles must then take the own-shift path although the first block row has none.
        const int d = 6;
        const double kappa = 1000;
        float[] z = TestData.UnitRows(k, d, seed: 77);
        for (int i = firstShort; i < k; i += 3)
        {
            for (int c = 0; c < d; c++)
            {
                z[(i * d) + c] *= 0.5f;
            }
        }

        var options = new ErOptions { ValidateInputs = false };
        foreach (EntropyReduction reduction in Reductions(k))
        {
            var want = new float[k * d];
            SphereTermResult single = Entropy.SphereWithGradient(z, k, d, want, kappa, reduction, options: options);
            var states = new double[k * 2];
            SphereEntropyShards.RowStates(z, k, d, 0, k, states, kappa, reduction, options);
            SphereTermResult sharded = SphereEntropyShards.Combine(states, k, d, kappa, reduction);
            var gradient = new float[k * d];
            SphereEntropyShards.Gradient(z, k, d, states, 0, k, gradient, kappa, reduction, options);

            // Both take the same own-shift rows (the same code, the same bits); the other rows differ
            // by float32 summation order only: H to 1e-6 relative, the gradient to 1e-5 of its largest entry.
            Assert.True(Math.Abs(sharded.Value - single.Value) <= 1e-6 * Math.Abs(single.Value), $"H {sharded.Value:R} vs {single.Value:R}");
            GradientAssert.Close(Array.ConvertAll(want, v => (double)v), gradient, $"{reduction}", tol: 1e-5, floor: 0);
            Assert.All(gradient, v => Assert.True(float.IsFinite(v)));

            (double[] evenStates, float[] evenGradient) = RunShards(z, k, d, (float)kappa, reduction, [.. Enumerable.Range(0, 3).Select(w => SphereEntropyShards.Split(k, 3, w).Count)], 2, KernelIsa.Best);
            Assert.Equal(states, evenStates);
            Assert.Equal(gradient, evenGradient);
        }
    }

    /// <summary>
    /// At a kappa where every off-diagonal term underflows float32 (kappa (1 - s_ij) above 104 for
    /// every pair), each row's sum is its self-pair alone (or, leaving one out, its largest term under
    /// its own shift): the single process and the shards then compute the same numbers, to the bit.
    /// </summary>
    [Fact]
    public void Where_every_off_diagonal_term_underflows_single_process_and_shards_agree_bit_for_bit()
    {
        const int k = 24, d = 8;
        const double kappa = 20000;
        float[] z = TestData.UnitRows(k, d, seed: 91);
        double closest = 0;
        for (int i = 0; i < k; i++)
        {
            for (int j = 0; j < k; j++)
            {
                closest = i == j ? closest : Math.Max(closest, System.Numerics.Tensors.TensorPrimitives.Dot(z.AsSpan(i * d, d), z.AsSpan(j * d, d)));
            }
        }

        Assert.True(kappa * (1 - closest) > 104, $"the closest pair ({closest}) does not underflow at this kappa");
        foreach (EntropyReduction reduction in Reductions(k))
        {
            var want = new float[k * d];
            SphereTermResult single = Entropy.SphereWithGradient(z, k, d, want, kappa, reduction);
            var states = new double[k * 2];
            SphereEntropyShards.RowStates(z, k, d, 0, k, states, kappa, reduction);
            SphereTermResult sharded = SphereEntropyShards.Combine(states, k, d, kappa, reduction);
            var gradient = new float[k * d];
            SphereEntropyShards.Gradient(z, k, d, states, 0, k, gradient, kappa, reduction);
            Assert.Equal(single.Value, sharded.Value);
            Assert.Equal(single.KappaGradient, sharded.KappaGradient);
            Assert.Equal(want, gradient);
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(10, 3)]
    [InlineData(3, 8)]
    [InlineData(65536, 7)]
    public void Split_covers_every_row_once_in_order_with_sizes_differing_by_at_most_one(int rows, int shards)
    {
        int next = 0;
        var sizes = new List<int>();
        for (int s = 0; s < shards; s++)
        {
            (int first, int count) = SphereEntropyShards.Split(rows, shards, s);
            Assert.Equal(next, first);
            sizes.Add(count);
            next += count;
        }

        Assert.Equal(rows, next);
        Assert.True(sizes.Max() - sizes.Min() <= 1);
    }

    [Fact]
    public void Bad_arguments_name_the_argument()
    {
        const int k = 4, d = 3;
        float[] z = TestData.UnitRows(k, d, seed: 5);
        var states = new double[k * 2];
        SphereEntropyShards.RowStates(z, k, d, 0, k, states);

        Assert.Equal("shard", Assert.Throws<ArgumentOutOfRangeException>(() => SphereEntropyShards.Split(4, 2, 2)).ParamName);
        Assert.Equal("shards", Assert.Throws<ArgumentOutOfRangeException>(() => SphereEntropyShards.Split(4, 0, 0)).ParamName);
        Assert.Equal("firstRow", Assert.Throws<ArgumentOutOfRangeException>(() => SphereEntropyShards.RowStates(z, k, d, 5, 0, Array.Empty<double>())).ParamName);
        ArgumentOutOfRangeException tooMany = Assert.Throws<ArgumentOutOfRangeException>(() => SphereEntropyShards.RowStates(z, k, d, 2, 3, new double[6]));
        Assert.Equal("rowCount", tooMany.ParamName);
        Assert.Contains("[0, 2] (rows 2 to 3 remain)", tooMany.Message, StringComparison.Ordinal);
        Assert.Equal("states", Assert.Throws<ArgumentException>(() => SphereEntropyShards.RowStates(z, k, d, 0, 2, new double[3])).ParamName);
        Assert.Equal("states", Assert.Throws<ArgumentException>(() => SphereEntropyShards.Combine(states.AsSpan(0, 6), k, d)).ParamName);
        var broken = (double[])states.Clone();
        broken[5] = double.NaN;
        ArgumentException nan = Assert.Throws<ArgumentException>(() => SphereEntropyShards.Combine(broken, k, d));
        Assert.Equal("states", nan.ParamName);
        Assert.Contains("row 2", nan.Message, StringComparison.Ordinal);
        Assert.Equal("gradient", Assert.Throws<ArgumentException>(() => SphereEntropyShards.Gradient(z, k, d, states, 1, 2, new float[5])).ParamName);
        Assert.Equal("gradient", Assert.Throws<ArgumentException>(() => SphereEntropyShards.Gradient(z, k, d, states, 0, 2, z.AsSpan(0, 6))).ParamName);
        float[] raw = TestData.Normal(k * d, seed: 6, scale: 3);
        Assert.Equal("z", Assert.Throws<ArgumentException>(() => SphereEntropyShards.RowStates(raw, k, d, 0, k, states)).ParamName);
        Assert.Equal("kappa", Assert.Throws<ArgumentOutOfRangeException>(() => SphereEntropyShards.Combine(states, k, d, kappa: -1)).ParamName);

        // A worker with no rows is legal and writes nothing.
        SphereEntropyShards.RowStates(z, k, d, k, 0, Span<double>.Empty);
        SphereEntropyShards.Gradient(z, k, d, states, 0, 0, Span<float>.Empty);
    }

    [Theory]
    [InlineData(20.0, 10.0, EntropyReduction.Expectation, EntropyReduction.Expectation)]
    [InlineData(10.0, 20.0, EntropyReduction.Average, EntropyReduction.Average)]
    [InlineData(10.0, 1e9, EntropyReduction.Expectation, EntropyReduction.Expectation)]
    [InlineData(1e4, 10.0, EntropyReduction.LeaveOneOut, EntropyReduction.LeaveOneOut)]
    [InlineData(10.0, 10.0, EntropyReduction.LeaveOneOut, EntropyReduction.Expectation)]
    public void Gradient_refuses_states_of_another_kappa_or_reduction(double statesKappa, double gradientKappa, EntropyReduction statesReduction, EntropyReduction gradientReduction)
    {
        // States at kappa 20 and a Gradient call that forgot to pass it (the default 10) gave a
        // finite, wrong gradient; at 1e9 it was NaN and -inf.
        const int k = 64, d = 16;
        float[] z = TestData.UnitRows(k, d, seed: 31);
        var states = new double[k * 2];
        SphereEntropyShards.RowStates(z, k, d, 0, k, states, statesKappa, statesReduction);
        var gradient = new float[k * d];
        ArgumentException refused = Assert.Throws<ArgumentException>(() => SphereEntropyShards.Gradient(z, k, d, states, 0, k, gradient, gradientKappa, gradientReduction));
        Assert.Equal("states", refused.ParamName);
        Assert.Contains("Pass Gradient the z, kappa and reduction that RowStates computed the states with", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(EntropyReduction.Expectation)]
    [InlineData(EntropyReduction.Average)]
    [InlineData(EntropyReduction.LeaveOneOut)]
    public void Gradient_checks_states_against_tight_bounds(EntropyReduction reduction)
    {
        // Identical unit rows put every LSE at its upper end: kappa + log k, or kappa + log(k - 1)
        // without the self-pair. With a tolerance of 1e-5 the bounds leave kappa (2t + 1e-3) + 1e-6
        // of room (0.0102 here): the exact states pass, states 0.25 above the end (still below
        // log((k + 1) / (k - 1)) = 0.51 above it) or below kappa (1 - t) with the self-pair do not.
        const int k = 4, d = 5;
        const double kappa = 10;
        float[] row = TestData.UnitRows(1, d, seed: 8);
        float[] z = [.. Enumerable.Range(0, k).SelectMany(_ => row)];
        var options = new ErOptions { UnitNormTolerance = 1e-5 };
        var states = new double[k * 2];
        SphereEntropyShards.RowStates(z, k, d, 0, k, states, kappa, reduction, options);
        var gradient = new float[k * d];
        SphereEntropyShards.Gradient(z, k, d, states, 0, k, gradient, kappa, reduction, options);
        Assert.All(gradient, v => Assert.True(float.IsFinite(v)));

        var high = (double[])states.Clone();
        high[2 * SphereEntropyShards.StateWidth] += 0.25;
        ArgumentException above = Assert.Throws<ArgumentException>(() => SphereEntropyShards.Gradient(z, k, d, high, 0, k, gradient, kappa, reduction, options));
        Assert.Equal("states", above.ParamName);
        Assert.Contains("Row 2's state", above.Message, StringComparison.Ordinal);

        var low = (double[])states.Clone();
        low[SphereEntropyShards.StateWidth] = kappa - 0.25;
        if (reduction == EntropyReduction.LeaveOneOut)
        {
            // Without the self-pair an LSE has no lower bound (all partners may lie opposite).
            SphereEntropyShards.Gradient(z, k, d, low, 0, k, gradient, kappa, reduction, options);
        }
        else
        {
            Assert.Equal("states", Assert.Throws<ArgumentException>(() => SphereEntropyShards.Gradient(z, k, d, low, 0, k, gradient, kappa, reduction, options)).ParamName);
        }
    }

    [Fact]
    public void Without_validation_states_that_overflow_the_gradient_are_still_refused()
    {
        // The bounds are checked only when validating; a gradient that comes out infinite is
        // refused either way rather than returned.
        const int k = 16, d = 4;
        float[] z = TestData.UnitRows(k, d, seed: 9);
        var options = new ErOptions { ValidateInputs = false };
        var states = new double[k * 2];
        // Joe's average weighs every row 1/k, so the terms exp(kappa s - LSE) of rows whose LSE is
        // -1e4 overflow (the plug-in's softmax weights would cancel the LSEs).
        SphereEntropyShards.RowStates(z, k, d, 0, k, states, 10, EntropyReduction.Average, options);
        for (int i = 0; i < k; i++)
        {
            states[i * SphereEntropyShards.StateWidth] = -1e4;
        }

        var gradient = new float[k * d];
        ArgumentException refused = Assert.Throws<ArgumentException>(() => SphereEntropyShards.Gradient(z, k, d, states, 0, k, gradient, 10, EntropyReduction.Average, options));
        Assert.Equal("states", refused.ParamName);
        Assert.Contains("not finite", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(EntropyReduction.Expectation, 1e4)]
    [InlineData(EntropyReduction.LeaveOneOut, 1e4)]
    [InlineData(EntropyReduction.Expectation, 0.0)]
    [InlineData(EntropyReduction.Average, 1e10)]
    public void Gradient_takes_states_at_the_ends_of_their_range(EntropyReduction reduction, double kappa)
    {
        // A collapsed batch puts every LSE at its upper end, kappa + log k (or log(k - 1)); rows at
        // the unit-norm tolerance move it by kappa t.
        const int k = 32, d = 8;
        float[] row = TestData.UnitRows(1, d, seed: 2);
        float[] z = [.. Enumerable.Range(0, k).SelectMany(i => row.Select(v => i % 2 == 0 ? v * (float)Math.Sqrt(1.0009) : v * (float)Math.Sqrt(0.9991)))];
        var states = new double[k * 2];
        SphereEntropyShards.RowStates(z, k, d, 0, k, states, kappa, reduction);
        var gradient = new float[k * d];
        SphereEntropyShards.Gradient(z, k, d, states, 0, k, gradient, kappa, reduction);
        Assert.All(gradient, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void The_tensor_overloads_give_the_span_overloads_bits()
    {
        const int k = 70, d = 6;
        float[] z = TestData.UnitRows(k, d, seed: 12);
        Tensor<float> tensor = Tensor.Create(z, [k, d]);
        var spanStates = new double[k * 2];
        var tensorStates = new double[k * 2];
        SphereEntropyShards.RowStates(z, k, d, 0, k, spanStates);
        SphereEntropyShards.RowStates(tensor.AsReadOnlyTensorSpan(), 0, 30, tensorStates.AsSpan(0, 60));
        SphereEntropyShards.RowStates(tensor.AsReadOnlyTensorSpan(), 30, 40, tensorStates.AsSpan(60));
        Assert.Equal(spanStates, tensorStates);

        var spanGradient = new float[40 * d];
        SphereEntropyShards.Gradient(z, k, d, spanStates, 30, 40, spanGradient);
        Tensor<float> own = Tensor.Create(new float[40 * d], [40, d]);
        SphereEntropyShards.Gradient(tensor.AsReadOnlyTensorSpan(), spanStates, 30, 40, own.AsTensorSpan());
        Assert.Equal(spanGradient, own.ToArray());

        // A worker without rows passes an empty tensor; a gradient of the wrong shape is refused by name.
        SphereEntropyShards.Gradient(tensor.AsReadOnlyTensorSpan(), spanStates, k, 0, default);
        Tensor<float> wrong = Tensor.Create(new float[41 * d], [41, d]);
        Assert.Equal("gradient", Assert.Throws<ArgumentException>(() => SphereEntropyShards.Gradient(tensor.AsReadOnlyTensorSpan(), spanStates, 30, 40, wrong.AsTensorSpan())).ParamName);

        // Without rows the gradient must be empty: rows given anyway are a shape error, not ignored.
        Assert.Equal("gradient", Assert.Throws<ArgumentException>(() => SphereEntropyShards.Gradient(tensor.AsReadOnlyTensorSpan(), spanStates, k, 0, own.AsTensorSpan())).ParamName);
    }

    [Fact]
    public void Combine_writes_the_rows_weights_of_each_estimator()
    {
        const int k = 50, d = 4;
        const double kappa = 15;
        float[] z = TestData.UnitRows(k, d, seed: 21);
        var states = new double[k * 2];
        SphereEntropyShards.RowStates(z, k, d, 0, k, states, kappa);
        foreach (EntropyReduction reduction in new[] { EntropyReduction.Expectation, EntropyReduction.Average })
        {
            var weights = new double[k];
            SphereTermResult withWeights = SphereEntropyShards.Combine(states, k, d, weights, kappa, reduction);
            Assert.Equal(SphereEntropyShards.Combine(states, k, d, kappa, reduction), withWeights);

            // They sum to 1, and H = sum_i w_i l_i with l_i = c + log k - LSE_i (to double rounding).
            Assert.Equal(1.0, weights.Sum(), 12);
            double c = VonMisesFisher.Constant(d, kappa);
            double h = Enumerable.Range(0, k).Sum(i => weights[i] * (c + Math.Log(k) - states[2 * i]));
            Assert.Equal(withWeights.Value, h, 9);
            if (reduction == EntropyReduction.Average)
            {
                Assert.All(weights, w => Assert.Equal(1.0 / k, w, 15));
            }
            else
            {
                // The plug-in weighs rows by softmax(LSE): the densest row most.
                int densest = Enumerable.Range(0, k).MaxBy(i => states[2 * i]);
                Assert.Equal(weights.Max(), weights[densest]);
            }
        }

        Assert.Equal("weights", Assert.Throws<ArgumentException>(() => SphereEntropyShards.Combine(states, k, d, new double[k - 1], kappa)).ParamName);
    }
}
