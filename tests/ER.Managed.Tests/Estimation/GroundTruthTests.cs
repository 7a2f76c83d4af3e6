using ER.Managed.Estimation;
using ER.Managed.Tests.Gradients;

namespace ER.Managed.Tests.Estimation;

public class GroundTruthTests
{
    [Theory]
    [InlineData(3, 2.531024)]
    [InlineData(128, -127.053457)]
    public void Uniform_sphere_entropy_check_values(int d, double want) => Assert.Equal(want, GroundTruth.UniformSphere(d), 6);

    [Theory]
    [InlineData(3, 10.0, 0.535292)]
    [InlineData(128, 10.0, -127.440606)]
    public void Von_mises_fisher_entropy_check_values(int d, double kappa, double want) => Assert.Equal(want, GroundTruth.VonMisesFisher(d, kappa), 6);

    /// <summary>Both bounds from their definitions, in double, pair by pair; D(z_i, z_i) = 0 for a center's own pair.</summary>
    private static (double Lower, double Upper) Reference(float[] z, int k, int d, double kappa)
    {
        double h = VonMisesFisher.Entropy(d, kappa), a = VonMisesFisher.BesselRatio(d, kappa), logC = VonMisesFisher.LogNormalizer(d, kappa);
        double lower = 0, upper = 0;
        for (int i = 0; i < k; i++)
        {
            double bd = 0, kl = 0;
            for (int j = 0; j < k; j++)
            {
                double s = 0;
                for (int t = 0; t < d; t++)
                {
                    s += (double)z[(i * d) + t] * z[(j * d) + t];
                }

                if (i == j)
                {
                    bd += 1.0 / k;
                    kl += 1.0 / k;
                    continue;
                }

                s = Math.Clamp(s, -1, 1);
                double m = Math.Sqrt((1 + s) / 2);
                double logCm = m * kappa > 1e-300 ? VonMisesFisher.LogNormalizer(d, m * kappa) : -GroundTruth.UniformSphere(d);
                bd += Math.Exp(logC - logCm) / k;
                kl += Math.Exp(-kappa * a * (1 - s)) / k;
            }

            lower -= Math.Log(bd) / k;
            upper -= Math.Log(kl) / k;
        }

        return (h + lower, h + upper);
    }

    [Theory]
    [InlineData(1, 3, 10.0)]
    [InlineData(40, 3, 10.0)]
    [InlineData(70, 16, 0.5)]
    [InlineData(30, 5, 500.0)]
    [InlineData(20, 4, 3000.0)]
    [InlineData(64, 16, 1e5)]
    [InlineData(64, 16, 1e8)]
    [InlineData(64, 16, Entropy.MaxKappa)]
    public void Kernel_mixture_bounds_match_their_pairwise_definition_and_bracket_the_estimates(int k, int d, double kappa)
    {
        float[] z = TestData.UnitRows(k, d, seed: k * d);
        MixtureEntropyBounds b = GroundTruth.KernelMixtureBounds(z, k, d, kappa);
        (double lower, double upper) = Reference(z, k, d, kappa);

        // The coefficient table interpolates to 1e-6 relative; float32 similarities add ~u kappa.
        double tol = 1e-5 * (1 + Math.Abs(lower)) + (4 * kappa / (1 << 24));
        Assert.True(Math.Abs(b.Lower - lower) <= tol, $"lower {b.Lower} vs {lower}");
        Assert.True(Math.Abs(b.Upper - upper) <= tol, $"upper {b.Upper} vs {upper}");
        Assert.True(b.Lower <= b.Upper, $"lower {b.Lower:R} above upper {b.Upper:R}");
        if (k == 1)
        {
            // One kernel: the mixture is that vMF, and both bounds are its entropy.
            Assert.Equal(VonMisesFisher.Entropy(d, kappa), b.Lower, 5);
            Assert.Equal(VonMisesFisher.Entropy(d, kappa), b.Upper, 5);
        }
    }

    [Theory]
    [InlineData(500.0, 1e-6)]
    [InlineData(1000.0, 1e-6)]
    [InlineData(2000.0, 1e-10)]
    public void Kernel_mixture_bounds_on_exact_similarities_match_their_definition_to_the_coefficients_accuracy(double kappa, double tolerance)
    {
        // Rows (1, 0) twice and (x, y), x = 1 - 3 2^-17: every similarity (1, and x) is exact in float32,
        // so the float32 products add nothing and only the Bhattacharyya coefficients differ from the
        // definition in double. Up to kappa 1000 they come from a table over s, linear between nodes
        // 2^-15 apart (1e-6 relative, and s = x lies between two nodes, s = 1 on the last); above it
        // they are computed for each pair, the same double formula as the definition's (1e-10 allows
        // for log C's rounding at kappa 2000, a few ulps of 2000).
        float x = 1f - (3f / (1 << 17));
        float y = (float)Math.Sqrt(1 - ((double)x * x));
        float[] z = [1, 0, 1, 0, x, y];
        MixtureEntropyBounds b = GroundTruth.KernelMixtureBounds(z, 3, 2, kappa);
        (double lower, double upper) = Reference(z, 3, 2, kappa);
        Assert.True(Math.Abs(b.Lower - lower) <= tolerance * (1 + Math.Abs(lower)), $"lower {b.Lower:R} vs {lower:R}");
        Assert.True(Math.Abs(b.Upper - upper) <= tolerance * (1 + Math.Abs(upper)), $"upper {b.Upper:R} vs {upper:R}");
    }

    [Theory]
    [InlineData(999.0)]
    [InlineData(12345.678)]
    [InlineData(1e6)]
    [InlineData(3.3e7)]
    public void Kernel_mixture_bounds_stay_ordered_and_continuous_in_kappa_with_near_duplicate_centers(double kappa)
    {
        // 30 centers and a copy of each moved by about 1e-3 / sqrt(kappa / 1000): every center has a
        // partner at kappa (1 - s) of order 1, where both distances matter and lie close together.
        const int half = 30, k = 2 * half, d = 4;
        float[] centers = TestData.UnitRows(half, d, seed: 12);
        float[] z = new float[k * d];
        var random = new Random(13);
        for (int i = 0; i < half; i++)
        {
            double norm = 0;
            for (int t = 0; t < d; t++)
            {
                z[(i * d) + t] = centers[(i * d) + t];
                double moved = centers[(i * d) + t] + (1e-3 * Math.Sqrt(1000 / kappa) * ((2 * random.NextDouble()) - 1));
                z[((half + i) * d) + t] = (float)moved;
                norm += moved * moved;
            }

            for (int t = 0; t < d; t++)
            {
                z[((half + i) * d) + t] = (float)(z[((half + i) * d) + t] / Math.Sqrt(norm));
            }
        }

        MixtureEntropyBounds b = GroundTruth.KernelMixtureBounds(z, k, d, kappa);
        double h = VonMisesFisher.Entropy(d, kappa);
        Assert.True(b.Lower <= b.Upper, $"lower {b.Lower:R} above upper {b.Upper:R}");
        Assert.True(b.Lower >= h - 1e-9 && b.Upper <= h + Math.Log(k) + 1e-9, $"{b} outside [H_vMF, H_vMF + log k]");

        // Continuous in kappa: a relative change of 1e-9 moves them by about 1e-9 times their slope
        // (below 1e-6 here), where rounding kappa A to float32 once moved the upper bound by 1e-3 at 1e6.
        MixtureEntropyBounds nearby = GroundTruth.KernelMixtureBounds(z, k, d, kappa * (1 + 1e-9));
        Assert.True(Math.Abs(nearby.Upper - b.Upper) <= 1e-6 && Math.Abs(nearby.Lower - b.Lower) <= 1e-6, $"{b} -> {nearby}");
    }

    [Theory]
    [InlineData(2, 3, 10.0)]
    [InlineData(50, 4, 5.0)]
    [InlineData(64, 32, 10.0)]
    [InlineData(200, 8, 80.0)]
    public void Leave_one_out_matches_its_definition_and_escapes_the_log_k_ceiling(int k, int d, double kappa)
    {
        float[] z = TestData.UnitRows(k, d, seed: k + d);
        double c = VonMisesFisher.Constant(d, kappa);
        double want = 0;
        for (int i = 0; i < k; i++)
        {
            double max = double.NegativeInfinity;
            var s = new double[k];
            for (int j = 0; j < k; j++)
            {
                for (int t = 0; t < d; t++)
                {
                    s[j] += (double)z[(i * d) + t] * z[(j * d) + t];
                }

                s[j] *= kappa;
                if (j != i)
                {
                    max = Math.Max(max, s[j]);
                }
            }

            double sum = 0;
            for (int j = 0; j < k; j++)
            {
                sum += j == i ? 0 : Math.Exp(s[j] - max);
            }

            want += (c + Math.Log(k - 1) - (max + Math.Log(sum))) / k;
        }

        double got = Entropy.SphereLeaveOneOut(z, k, d, kappa);
        Assert.Equal(want, got, 1e-5 * (1 + Math.Abs(want)) + (4 * kappa / (1 << 24)));
        Assert.Equal(got, Entropy.SphereLeaveOneOut(z, k, d, kappa, options: new ErOptions { MaxDegreeOfParallelism = 1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Entropy.SphereLeaveOneOut(z.AsSpan(0, d), 1, d, kappa));

        // Plug-in <= Joe's <= c - kappa + log k; leave-one-out has no such cap.
        double plugin = Entropy.Sphere(z, k, d, kappa), joe = Entropy.Sphere(z, k, d, kappa, EntropyReduction.Average);
        Assert.True(plugin <= joe + 1e-9 && joe <= c - kappa + Math.Log(k) + 1e-4);
    }
}
