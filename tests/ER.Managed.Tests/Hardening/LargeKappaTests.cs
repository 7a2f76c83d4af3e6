using System.Collections.Generic;
using System.Linq;
using ER.Managed.Kernels;
using ER.Managed.Terms;
using ER.Managed.Tests.Gradients;
using ER.Managed.Tests.Kernels;

namespace ER.Managed.Tests.Hardening;

/// <summary>
/// The sphere entropy at concentrations where kappa times the rows' float32 rounding is many nats: the
/// answer is then what the float32 rows determine in double (the float64 computation from the same
/// rows), not what their rounding makes of it. At kappa = 1e8 the rows' own norms (1 +- 1e-7 after a
/// float32 normalization) move H by about 10 nats, so that even the float64 answer lies outside the
/// bounds that assume exactly unit rows; that is the right answer for those rows.
/// </summary>
public class LargeKappaTests
{
    private static float[] Rows(int k, int d, int seed) => TestData.UnitRows(k, d, seed);

    /// <summary>H's value and gradient in double from float32 rows, every row shifted by its own maximum.</summary>
    private static (double Value, double[] Gradient) Reference(float[] z, int k, int d, double kappa, EntropyReduction reduction)
    {
        double c = VonMisesFisher.Constant(d, kappa);
        bool leaveOneOut = reduction == EntropyReduction.LeaveOneOut;
        var p = new double[k, k];
        var lse = new double[k];
        for (int i = 0; i < k; i++)
        {
            double[] s = [.. Enumerable.Range(0, k).Select(j => leaveOneOut && i == j ? double.NegativeInfinity : kappa * Enumerable.Range(0, d).Sum(t => (double)z[(i * d) + t] * z[(j * d) + t]))];
            double max = s.Max();
            lse[i] = max + Math.Log(s.Sum(v => Math.Exp(v - max)));
            for (int j = 0; j < k; j++)
            {
                p[i, j] = Math.Exp(s[j] - lse[i]);
            }
        }

        double logCount = Math.Log(leaveOneOut ? k - 1 : k);
        double[] l = [.. lse.Select(v => c + logCount - v)];
        var g = new double[k];
        double value;
        if (reduction == EntropyReduction.Expectation)
        {
            double top = l.Select(v => -v).Max();
            double[] w = [.. l.Select(v => Math.Exp(-v - top))];
            double total = w.Sum();
            value = l.Select((v, i) => w[i] / total * v).Sum();
            for (int i = 0; i < k; i++)
            {
                g[i] = w[i] / total * (1 - l[i] + value);
            }
        }
        else
        {
            value = l.Average();
            Array.Fill(g, 1.0 / k);
        }

        var gradient = new double[k * d];
        for (int i = 0; i < k; i++)
        {
            for (int j = 0; j < k; j++)
            {
                double wij = (g[i] * p[i, j]) + (g[j] * p[j, i]);
                for (int t = 0; t < d; t++)
                {
                    gradient[(i * d) + t] -= kappa * wij * z[(j * d) + t];
                }
            }
        }

        return (value, gradient);
    }

    [Theory]
    [InlineData(1e4)]
    [InlineData(1e8)]
    [InlineData(Entropy.MaxKappa)]
    public void Up_to_the_largest_kappa_taken_the_value_and_gradient_keep_float32_accuracy_against_the_closed_form(double kappa)
    {
        // Exact unit rows e1, e1, e2, -e1, e2 (d = 2): every pair is 1, 0 or -1, so P is 1/2 within
        // {0, 1} and {2, 4}, 1 on row 3 alone, and Joe's gradient -(kappa/k)(P + P^T) Z is -(2 kappa / 5) z_i.
        // H = (c - kappa) + log 5 - (1/5) sum_i log |group of i|, with c - kappa = log(2 pi I_0(kappa) e^-kappa)
        // from I_0's asymptotic series (its truncation below 1e-25 here). A double reference built
        // the library's way, c and the log-sum-exps of size kappa, would share their cancellation.
        // Tolerance 1e-6, relative in the gradient and in nats in the value: float32's accuracy, what
        // 16 - log10(kappa) digits leave at the limit (measured 4.5e-7 at 1e10, 3e-5 and 1e-4 at 1e12).
        float[] z = [1, 0, 1, 0, 0, 1, -1, 0, 0, 1];
        const int k = 5, d = 2;
        double scaledBessel = (1 + (1 / (8 * kappa)) + (9 / (128 * kappa * kappa)) + (225 / (3072 * kappa * kappa * kappa))) / Math.Sqrt(2 * Math.PI * kappa);
        double want = Math.Log(2 * Math.PI * scaledBessel) + Math.Log(k) - (4 * Math.Log(2) / k);
        var gradient = new float[k * d];
        SphereTermResult got = Entropy.SphereWithGradient(z, k, d, gradient, kappa, EntropyReduction.Average);
        Assert.True(Math.Abs(got.Value - want) <= 1e-6, $"kappa={kappa}: {got.Value:R} vs {want:R}");
        for (int i = 0; i < k * d; i++)
        {
            double expected = -2 * kappa / k * z[i];
            Assert.True(Math.Abs(gradient[i] - expected) <= 1e-6 * (2 * kappa / k), $"kappa={kappa}, [{i}]: {gradient[i]} vs {expected}");
        }
    }

    [Theory]
    [InlineData(EntropyReduction.Expectation, 1e6)]
    [InlineData(EntropyReduction.Expectation, 1e8)]
    [InlineData(EntropyReduction.Expectation, 1e10)]
    [InlineData(EntropyReduction.Average, 1e8)]
    [InlineData(EntropyReduction.Average, 1e10)]
    [InlineData(EntropyReduction.LeaveOneOut, 1e8)]
    [InlineData(EntropyReduction.LeaveOneOut, 1e10)]
    public void The_value_and_gradient_are_what_the_float32_rows_determine_in_double(EntropyReduction reduction, double kappa)
    {
        // kappa is a float32 value here (1e6, 1e8 and 1e10 are), so the reference's c is the library's c.
        const int k = 100, d = 3;
        float[] z = Rows(k, d, 7);
        (double want, double[] wantGradient) = Reference(z, k, d, kappa, reduction);
        var gradient = new float[k * d];
        SphereTermResult got = Entropy.SphereWithGradient(z, k, d, gradient, kappa, reduction);

        // What is left is float32 arithmetic on O(1) quantities and the double sums' order: 1e-9 relative to
        // the kappa-sized parts that cancel in H, i.e. kappa x 1e-15, plus 1e-6 nats.
        Assert.True(Math.Abs(got.Value - want) <= 1e-6 + (1e-15 * kappa) + (1e-9 * Math.Abs(want)), $"{reduction} kappa={kappa}: {got.Value:R} vs {want:R}");
        Assert.Equal(got.Value, Entropy.Sphere(z, k, d, kappa, reduction));
        Assert.All(gradient, v => Assert.True(float.IsFinite(v)));
        GradientAssert.Close(wantGradient, gradient, $"{reduction} kappa={kappa}", tol: 1e-5, floor: 0);
    }

    [Fact]
    public void Sharded_states_agree_with_the_single_process_value_at_a_huge_kappa()
    {
        const int k = 60, d = 4;
        const double kappa = 1e10;
        float[] z = Rows(k, d, 8);
        foreach (EntropyReduction reduction in new[] { EntropyReduction.Expectation, EntropyReduction.Average, EntropyReduction.LeaveOneOut })
        {
            var states = new double[k * SphereEntropyShards.StateWidth];
            SphereEntropyShards.RowStates(z, k, d, 0, k, states, kappa, reduction);
            SphereTermResult sharded = SphereEntropyShards.Combine(states, k, d, kappa, reduction);
            double single = Entropy.Sphere(z, k, d, kappa, reduction);
            Assert.True(Math.Abs(sharded.Value - single) <= 1e-6 + (1e-9 * Math.Abs(single)), $"{reduction}: {sharded.Value:R} vs {single:R}");
        }
    }

    [Fact]
    public void A_positive_kappa_that_rounds_to_zero_in_float32_is_refused_and_kappa_is_used_as_the_similarities_use_it()
    {
        float[] z = Rows(10, 3, 9);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Entropy.Sphere(z, 10, 3, 1e-50));
        Assert.Contains("rounds to 0 in float32", e.Message, StringComparison.Ordinal);

        // kappa = 10.1 is not a float32: the entropy is the one at (float)10.1, the constant included.
        double atFloat = Entropy.Sphere(z, 10, 3, (float)10.1);
        Assert.Equal(atFloat, Entropy.Sphere(z, 10, 3, 10.1));
    }

    /// <summary>Unit rows in a few tight clusters (jitter ~1e-4): at kappa 1e6 every row has dozens of terms within 40 nats of its top.</summary>
    private static float[] ClusteredRows(int k, int d, int clusters, int seed)
    {
        float[] centers = Rows(clusters, d, seed);
        var random = new Random(seed + 1);
        var z = new float[k * d];
        for (int i = 0; i < k; i++)
        {
            double norm = 0;
            var row = new double[d];
            for (int t = 0; t < d; t++)
            {
                row[t] = centers[((i % clusters) * d) + t] + (1e-4 * ((2 * random.NextDouble()) - 1));
                norm += row[t] * row[t];
            }

            for (int t = 0; t < d; t++)
            {
                z[(i * d) + t] = (float)(row[t] / Math.Sqrt(norm));
            }
        }

        return z;
    }

    [Theory]
    [InlineData(EntropyReduction.Expectation)]
    [InlineData(EntropyReduction.Average)]
    [InlineData(EntropyReduction.LeaveOneOut)]
    public void A_collapsing_batch_with_many_terms_near_each_top_matches_float64(EntropyReduction reduction)
    {
        // 200 rows in 3 clusters of radius 1e-4 at kappa 1e6: kappa |s_ij - s_ik| within a cluster is up to
        // ~20 nats, so each row sums ~67 terms in double, and the gradient pairs each row with its cluster.
        const int k = 200, d = 6;
        const double kappa = 1e6;
        float[] z = ClusteredRows(k, d, 3, seed: 11);
        (double want, double[] wantGradient) = Reference(z, k, d, kappa, reduction);
        var gradient = new float[k * d];
        SphereTermResult got = Entropy.SphereWithGradient(z, k, d, gradient, kappa, reduction);
        Assert.True(Math.Abs(got.Value - want) <= 1e-6 + (1e-15 * kappa) + (1e-9 * Math.Abs(want)), $"{reduction}: {got.Value:R} vs {want:R}");
        GradientAssert.Close(wantGradient, gradient, $"{reduction} clustered", tol: 1e-5, floor: 0);
    }

    [Theory]
    [MemberData(nameof(KernelTestSupport.Widths), MemberType = typeof(KernelTestSupport))]
    public void Above_the_exact_threshold_every_split_thread_count_and_the_single_process_give_the_same_bits(int widthBits)
    {
        // 300 rows: several 64-row strips and more than one GEMM block; the per-row code is shared, so
        // the shards' states and gradient rows are the single process's bits, whatever the split.
        var width = (KernelWidth)widthBits;
        const int k = 300, d = 5;
        const float kappa = 1e6f;
        float[] z = ClusteredRows(k, d, 7, seed: 12);
        foreach (EntropyReduction reduction in new[] { EntropyReduction.Expectation, EntropyReduction.Average, EntropyReduction.LeaveOneOut })
        {
            double[]? firstStates = null;
            float[]? firstGradient = null;
            foreach (int[] sizes in new[] { new[] { k }, new[] { 1, k - 2, 1 }, new[] { 100, 100, 100 }, new[] { 0, 64, 236 } })
            {
                foreach (int threads in new[] { 1, 2 })
                {
                    var states = new double[k * SphereEntropyShards.StateWidth];
                    var gradient = new float[k * d];
                    int first = 0;
                    foreach (int count in sizes)
                    {
                        var own = new double[count * SphereEntropyShards.StateWidth];
                        ShardedSphereEntropy.RowStates(z, k, d, kappa, reduction == EntropyReduction.LeaveOneOut, first, count, own, threads, width);
                        own.CopyTo(states, first * SphereEntropyShards.StateWidth);
                        first += count;
                    }

                    first = 0;
                    foreach (int count in sizes)
                    {
                        var own = new float[count * d];
                        ShardedSphereEntropy.Gradient(z, k, d, kappa, states, reduction, first, count, own, threads, width);
                        own.CopyTo(gradient, first * d);
                        first += count;
                    }

                    firstStates ??= states;
                    firstGradient ??= gradient;
                    Assert.Equal(firstStates, states);
                    Assert.Equal(firstGradient, gradient);
                }
            }

            if (width == KernelIsa.Best)
            {
                var gradient = new float[k * d];
                SphereTermResult single = Entropy.SphereWithGradient(z, k, d, gradient, kappa, reduction);
                SphereTermResult sharded = SphereEntropyShards.Combine(firstStates!, k, d, kappa, reduction);
                Assert.Equal(single.Value, sharded.Value);
                Assert.Equal(single.KappaGradient, sharded.KappaGradient);
                Assert.Equal(gradient, firstGradient!);
            }
        }
    }

    [Theory]
    [InlineData(EntropyReduction.Expectation)]
    [InlineData(EntropyReduction.Average)]
    [InlineData(EntropyReduction.LeaveOneOut)]
    public void Both_sides_of_the_exact_threshold_agree_with_float64(EntropyReduction reduction)
    {
        // Just below the threshold the float32 tiles run: kappa s - M rounded in float is half an ulp of
        // 65536 (0.004 nats) per exponent, and s itself carries ~1e-7 (0.007 nats at this kappa); H moves
        // by about that much (2e-2 nats allowed). From the threshold up the rows are summed in double (1e-6).
        const int k = 120, d = 4;
        float[] z = ClusteredRows(k, d, 5, seed: 13);
        float belowFloat = MathF.BitDecrement((float)ExactRows.FromKappa);
        foreach ((double kappa, double tolerance) in new[] { ((double)belowFloat, 2e-2), (ExactRows.FromKappa, 1e-6) })
        {
            (double want, double[] wantGradient) = Reference(z, k, d, kappa, reduction);
            var gradient = new float[k * d];
            SphereTermResult got = Entropy.SphereWithGradient(z, k, d, gradient, kappa, reduction);
            Assert.True(Math.Abs(got.Value - want) <= tolerance, $"{reduction} kappa={kappa:R}: {got.Value:R} vs {want:R}");
            GradientAssert.Close(wantGradient, gradient, $"{reduction} kappa={kappa:R}", tol: kappa < ExactRows.FromKappa ? 5e-2 : 1e-5, floor: 0);

            // The value alone chooses its path at the same threshold (it takes the LSEs only).
            double value = Entropy.Sphere(z, k, d, kappa, reduction);
            Assert.True(Math.Abs(value - want) <= tolerance, $"{reduction} kappa={kappa:R}, value alone: {value:R} vs {want:R}");
        }
    }

    [Theory]
    [InlineData(EntropyReduction.Expectation)]
    [InlineData(EntropyReduction.Average)]
    [InlineData(EntropyReduction.LeaveOneOut)]
    public void Rows_off_unit_norm_within_the_accepted_tolerance_get_the_float64_answer_and_kappa_derivative(EntropyReduction reduction)
    {
        // Squared norms 1 - 9e-4, 1, 1 + 9e-4 (inside the default 1e-3 that validation accepts): at these
        // kappas a row's own similarity kappa ||z_i||^2 lies up to 900 nats from a unit row's, so the
        // norms enter the exact rows' sums (self-pair and expected similarity) in full. Value against the
        // float64 computation (1e-9 relative: both sum the same terms in double), gradient as above
        // (1e-5), dH/dkappa against a central difference of the float64 value (step 1e-6 kappa:
        // truncation ~1e-12, rounding of values ~1e6 over the step ~1e-10; 1e-7 allowed).
        const int k = 60, d = 4;
        float[] unit = ClusteredRows(k, d, 5, seed: 13);
        float[] z = [.. unit.Select((v, at) => v * (float)Math.Sqrt(1 + (9e-4 * (((at / d) % 3) - 1))))];
        foreach (double kappa in new[] { 70000.0, 1e6 })
        {
            (double want, double[] wantGradient) = Reference(z, k, d, kappa, reduction);
            double step = kappa * 1e-6;
            double wantKappa = (Reference(z, k, d, kappa + step, reduction).Value - Reference(z, k, d, kappa - step, reduction).Value) / (2 * step);
            var gradient = new float[k * d];
            SphereTermResult got = Entropy.SphereWithGradient(z, k, d, gradient, kappa, reduction);
            Assert.True(Math.Abs(got.Value - want) <= 1e-9 * Math.Abs(want), $"{reduction} kappa={kappa:R}: {got.Value:R} vs {want:R}");
            Assert.True(Math.Abs(got.KappaGradient - wantKappa) <= 1e-7, $"{reduction} kappa={kappa:R}: dH/dkappa {got.KappaGradient:R} vs {wantKappa:R}");
            GradientAssert.Close(wantGradient, gradient, $"{reduction} kappa={kappa:R}", tol: 1e-5, floor: 0);
        }
    }

    [Fact]
    public void The_leave_one_out_likelihood_at_a_huge_kappa_is_minus_the_leave_one_out_entropy()
    {
        // Kappa selection evaluates L(kappa) up to its ceiling on collapsing data: the same rows' states.
        const int k = 80, d = 5;
        float[] z = ClusteredRows(k, d, 4, seed: 14);
        foreach (double kappa in new[] { 1e5, 1e7, 1e9 })
        {
            (double value, double derivative) = LeaveOneOutLikelihood.Evaluate(z, k, d, kappa, degree: 1);
            SphereTermResult h = Entropy.SphereWithGradient(z, k, d, new float[k * d], kappa, EntropyReduction.LeaveOneOut);
            Assert.True(double.IsFinite(value) && double.IsFinite(derivative), $"kappa={kappa}");
            Assert.Equal(-h.Value, value, 1e-9 * Math.Max(1, Math.Abs(value)));
            Assert.Equal(-h.KappaGradient, derivative, 1e-9 * Math.Max(1, Math.Abs(derivative)));
        }
    }
}
