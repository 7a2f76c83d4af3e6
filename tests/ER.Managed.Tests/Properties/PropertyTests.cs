using System.IO;
using System.Linq;
using CsCheck;
using ER.Managed.Npy;
using ER.Managed.Tests.Gradients;

namespace ER.Managed.Tests.Properties;

/// <summary>
/// Invariants checked on random shapes, concentrations and data (CsCheck: generated, and on failure
/// shrunk to a small counterexample whose seed the message prints; such cases are then kept as
/// regression tests beside the defect they found). The data come from a generated seed, so a shrunk
/// case is a shape, a kappa and a seed.
/// </summary>
public sealed class PropertyTests
{
    /// <summary>Iterations per property: enough to cover shapes from 2 x 1 to 40 x 12 in a few seconds.</summary>
    private const int Iterations = 150;

    private static readonly EntropyReduction[] SphereReductions = [EntropyReduction.Expectation, EntropyReduction.Average, EntropyReduction.LeaveOneOut];

    /// <summary>A batch: k rows of dimension d, a kappa in [0.05, 50] (log-uniform), a reduction and a data seed.</summary>
    private static readonly Gen<(int K, int D, double Kappa, EntropyReduction Reduction, int Seed)> Batches =
        Gen.Select(Gen.Int[2, 40], Gen.Int[1, 12], Gen.Double[Math.Log(0.05), Math.Log(50)], Gen.Int[0, 2], Gen.Int[0, 1_000_000])
            .Select(t => (t.Item1, t.Item2, Math.Exp(t.Item3), SphereReductions[t.Item4], t.Item5));

    private static string Show((int K, int D, double Kappa, EntropyReduction Reduction, int Seed) b) =>
        $"k={b.K} d={b.D} kappa={b.Kappa:R} {b.Reduction} seed={b.Seed}";

    /// <summary>
    /// The float32 work of one entropy: similarities carry ~1e-7 relative error, so each exponent
    /// kappa s_ij moves by ~1e-7 kappa and H by as much; summation order adds ~1e-7 |H|.
    /// </summary>
    private static double FloatTolerance(double kappa, double value) => 2e-6 * (1 + kappa) + (1e-6 * Math.Abs(value));

    [Fact]
    public void Sphere_entropy_does_not_depend_on_the_order_of_the_rows()
    {
        Batches.Sample(
            b =>
            {
                float[] z = TestData.UnitRows(b.K, b.D, b.Seed);
                int[] order = [.. Enumerable.Range(0, b.K).OrderBy(i => (i * 7919 + b.Seed) % b.K).ThenBy(i => i)];
                float[] permuted = [.. order.SelectMany(i => z.Skip(i * b.D).Take(b.D))];
                double h = Entropy.Sphere(z, b.K, b.D, b.Kappa, b.Reduction);
                double hp = Entropy.Sphere(permuted, b.K, b.D, b.Kappa, b.Reduction);
                return Math.Abs(h - hp) <= FloatTolerance(b.Kappa, h);
            },
            iter: Iterations,
            print: Show);
    }

    [Fact]
    public void Sphere_entropy_does_not_depend_on_a_rotation_of_the_sphere()
    {
        Batches.Where(b => b.D >= 2).Sample(
            b =>
            {
                float[] z = TestData.UnitRows(b.K, b.D, b.Seed);
                double[,] q = RandomOrthogonal(b.D, b.Seed + 1);
                var rotated = new float[z.Length];
                for (int i = 0; i < b.K; i++)
                {
                    var row = new double[b.D];
                    for (int t = 0; t < b.D; t++)
                    {
                        for (int u = 0; u < b.D; u++)
                        {
                            row[t] += q[t, u] * z[(i * b.D) + u];
                        }
                    }

                    double norm = Math.Sqrt(row.Sum(v => v * v));
                    for (int t = 0; t < b.D; t++)
                    {
                        rotated[(i * b.D) + t] = (float)(row[t] / norm);
                    }
                }

                // Rotated rows are rounded to float again: twice the float tolerance.
                double h = Entropy.Sphere(z, b.K, b.D, b.Kappa, b.Reduction);
                double hr = Entropy.Sphere(rotated, b.K, b.D, b.Kappa, b.Reduction);
                return Math.Abs(h - hr) <= 2 * FloatTolerance(b.Kappa, h);
            },
            iter: Iterations,
            print: Show);
    }

    [Fact]
    public void Plugin_and_Joe_lie_between_the_floor_and_the_log_k_ceiling_and_plugin_is_below_Joe()
    {
        Batches.Sample(
            b =>
            {
                float[] z = TestData.UnitRows(b.K, b.D, b.Seed);
                double c = VonMisesFisher.Constant(b.D, b.Kappa);
                double plugin = Entropy.Sphere(z, b.K, b.D, b.Kappa, EntropyReduction.Expectation);
                double joe = Entropy.Sphere(z, b.K, b.D, b.Kappa, EntropyReduction.Average);
                double loo = Entropy.Sphere(z, b.K, b.D, b.Kappa, EntropyReduction.LeaveOneOut);

                // float32 rows are unit to ~1e-7, so kappa ||z_i||^2 sits within ~2e-7 kappa of kappa.
                double slack = FloatTolerance(b.Kappa, c);
                double floor = c - b.Kappa, ceiling = c - b.Kappa + Math.Log(b.K);
                return plugin >= floor - slack && joe <= ceiling + slack && plugin <= joe + slack && loo >= floor - slack;
            },
            iter: Iterations,
            print: Show);
    }

    [Fact]
    public void Sphere_gradients_are_the_double_formulas_and_those_are_finite_differences()
    {
        Batches.Where(b => b.K <= 16 && b.D >= 2).Sample(
            b =>
            {
                float[] z = TestData.UnitRows(b.K, b.D, b.Seed);
                var gradient = new float[z.Length];
                SphereTermResult got = Entropy.SphereWithGradient(z, b.K, b.D, gradient, b.Kappa, b.Reduction);
                (double value, double[] want, double kappaGradient) = SphereEntropyReference.Compute(z, b.K, b.D, b.Kappa, b.Reduction);
                GradientAssert.Close(want, gradient, Show(b));
                GradientAssert.Close(kappaGradient, got.KappaGradient, Show(b) + " dH/dkappa");
                GradientAssert.Close(value, got.Value, Show(b) + " value", tol: 1e-5);

                if (b.Reduction != EntropyReduction.LeaveOneOut)
                {
                    // Along a random direction, central differences of the float64 value (~1e-9).
                    var random = new Random(b.Seed);
                    double[] direction = [.. Enumerable.Range(0, z.Length).Select(_ => random.NextDouble() - 0.5)];
                    double[] x = DoubleReference.ToDouble(z);
                    double F(double h) => DoubleReference.SphereEntropy([.. x.Select((v, i) => v + (h * direction[i]))], b.K, b.D, b.Kappa, b.Reduction);
                    double numeric = DoubleReference.Derivative(F, 0.0);
                    double analytic = want.Select((g, i) => g * direction[i]).Sum();
                    double scale = want.Select((g, i) => Math.Abs(g * direction[i])).Sum();
                    Assert.True(Math.Abs(numeric - analytic) <= (1e-6 * Math.Max(1, scale)), $"{Show(b)}: {numeric:R} vs {analytic:R}");
                }
            },
            iter: 60,
            print: Show);
    }

    [Fact]
    public void Sharded_states_for_any_split_give_the_single_process_value()
    {
        Gen.Select(Batches, Gen.Int[1, 5], Gen.Int[0, 1000]).Sample(
            t =>
            {
                var (b, shards, splitSeed) = t;
                float[] z = TestData.UnitRows(b.K, b.D, b.Seed);
                var random = new Random(splitSeed);
                int[] cuts = [0, .. Enumerable.Range(0, shards - 1).Select(_ => random.Next(0, b.K + 1)).Order(), b.K];
                var states = new double[b.K * SphereEntropyShards.StateWidth];
                var gradient = new float[z.Length];
                for (int s = 0; s + 1 < cuts.Length; s++)
                {
                    int first = cuts[s], count = cuts[s + 1] - cuts[s];
                    SphereEntropyShards.RowStates(z, b.K, b.D, first, count, states.AsSpan(first * SphereEntropyShards.StateWidth, count * SphereEntropyShards.StateWidth), b.Kappa, b.Reduction);
                }

                for (int s = 0; s + 1 < cuts.Length; s++)
                {
                    int first = cuts[s], count = cuts[s + 1] - cuts[s];
                    SphereEntropyShards.Gradient(z, b.K, b.D, states, first, count, gradient.AsSpan(first * b.D, count * b.D), b.Kappa, b.Reduction);
                }

                SphereTermResult sharded = SphereEntropyShards.Combine(states, b.K, b.D, b.Kappa, b.Reduction);
                var single = new float[z.Length];
                SphereTermResult whole = Entropy.SphereWithGradient(z, b.K, b.D, single, b.Kappa, b.Reduction);

                // One algorithm, one row at a time: equal up to the order of the final sums (1e-12).
                Assert.True(Math.Abs(sharded.Value - whole.Value) <= 1e-12 * Math.Max(1, Math.Abs(whole.Value)), $"{Show(b)} cuts {string.Join(",", cuts)}: {sharded.Value:R} vs {whole.Value:R}");
                GradientAssert.Close(DoubleReference.ToDouble(single), gradient, $"{Show(b)} cuts {string.Join(",", cuts)}", tol: 1e-6, floor: 0);
            },
            iter: Iterations,
            print: t => $"{Show(t.Item1)} shards={t.Item2} split={t.Item3}");
    }

    /// <summary>Any finite float32, all exponents equally likely (the bits drawn uniformly, NaN and infinities left out).</summary>
    private static readonly Gen<float> FiniteFloats = Gen.Int.Select(BitConverter.Int32BitsToSingle).Where(float.IsFinite);

    [Fact]
    public void L2Normalize_of_any_finite_row_is_unit_or_the_floored_row()
    {
        Gen.Select(Gen.Int[1, 9], FiniteFloats.Array[9]).Sample(
            t =>
            {
                (int d, float[] values) = t;
                float[] x = values[..d];
                var z = new float[d];
                RowOps.L2Normalize(x, 1, d, z);
                double norm = Math.Sqrt(x.Sum(v => (double)v * v));
                if (norm < RowOps.DefaultNormEpsilon)
                {
                    // Floored: x / epsilon, as PyTorch's F.normalize.
                    return z.Select((v, i) => Math.Abs(v - (x[i] / (double)RowOps.DefaultNormEpsilon)) <= 1e-6 * Math.Abs(x[i] / (double)RowOps.DefaultNormEpsilon) + 1e-38).All(ok => ok);
                }

                double unit = Math.Sqrt(z.Sum(v => (double)v * v));
                return z.All(float.IsFinite) && Math.Abs(unit - 1) <= 1e-6;
            },
            iter: 2000,
            print: t => string.Join(", ", t.Item2[..t.Item1].Select(v => v.ToString("R"))));
    }

    [Fact]
    public void Softmax_of_any_finite_row_at_any_temperature_is_a_distribution()
    {
        Gen.Select(Gen.Int[1, 9], FiniteFloats.Array[9], Gen.Double[-69, 69]).Sample(
            t =>
            {
                (int d, float[] values, double logTemperature) = t;
                float[] x = values[..d];
                var p = new float[d];
                RowOps.Softmax(x, 1, d, p, Math.Exp(logTemperature));
                return p.All(v => float.IsFinite(v) && v >= 0 && v <= 1) && Math.Abs(p.Sum(v => (double)v) - 1) <= 1e-6
                    && p[Array.IndexOf(x, x.Max())] == p.Max();
            },
            iter: 2000,
            print: t => $"t=e^{t.Item3:R}: " + string.Join(", ", t.Item2[..t.Item1].Select(v => v.ToString("R"))));
    }

    [Fact]
    public void Npy_files_of_any_shape_and_bits_read_back_as_written()
    {
        Gen.Select(Gen.Int[0, 4].SelectMany(rank => Gen.Int[0, 4].Array[rank]), Gen.Int.Array[0, 300], Gen.Long.Array[0, 300]).Sample(
            t =>
            {
                (int[] shape, int[] singleBits, long[] doubleBits) = t;
                int count = shape.Aggregate(1, (a, b) => a * b);
                float[] singles = [.. Enumerable.Range(0, count).Select(i => BitConverter.Int32BitsToSingle(singleBits.Length == 0 ? i : singleBits[i % singleBits.Length]))];
                double[] doubles = [.. Enumerable.Range(0, count).Select(i => BitConverter.Int64BitsToDouble(doubleBits.Length == 0 ? i : doubleBits[i % doubleBits.Length]))];

                using var s = new MemoryStream();
                NpyFile.Write(s, singles, shape);
                s.Position = 0;
                NpyArray a = NpyFile.Read(s);
                Assert.Equal(s.Length, s.Position);
                Assert.Equal(shape, a.Shape);
                Assert.Equal(singles.Select(BitConverter.SingleToInt32Bits), a.ToSingleArray().Select(BitConverter.SingleToInt32Bits));

                using var s2 = new MemoryStream();
                NpyFile.Write(s2, doubles, shape);
                s2.Position = 0;
                NpyArray b = NpyFile.Read(s2);
                Assert.Equal(shape, b.Shape);
                Assert.Equal(doubles.Select(BitConverter.DoubleToInt64Bits), b.ToDoubleArray().Select(BitConverter.DoubleToInt64Bits));
            },
            iter: 300,
            print: t => $"shape ({string.Join(", ", t.Item1)})");
    }

    private static double[,] RandomOrthogonal(int d, int seed)
    {
        // Gram-Schmidt (twice, for orthogonality to rounding) on a Gaussian matrix.
        var random = new Random(seed);
        var q = new double[d, d];
        for (int r = 0; r < d; r++)
        {
            for (int t = 0; t < d; t++)
            {
                q[r, t] = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            }

            for (int pass = 0; pass < 2; pass++)
            {
                for (int p = 0; p < r; p++)
                {
                    double dot = 0;
                    for (int t = 0; t < d; t++)
                    {
                        dot += q[r, t] * q[p, t];
                    }

                    for (int t = 0; t < d; t++)
                    {
                        q[r, t] -= dot * q[p, t];
                    }
                }
            }

            double norm = Math.Sqrt(Enumerable.Range(0, d).Sum(t => q[r, t] * q[r, t]));
            for (int t = 0; t < d; t++)
            {
                q[r, t] /= norm;
            }
        }

        return q;
    }
}
