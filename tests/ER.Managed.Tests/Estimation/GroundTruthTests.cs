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

    /// <summary>Both bounds from their definitions, in double, pair by pair.</summary>
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

                double m = Math.Sqrt(Math.Clamp((1 + s) / 2, 0, 1));
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
    public void Kernel_mixture_bounds_match_their_pairwise_definition_and_bracket_the_estimates(int k, int d, double kappa)
    {
        float[] z = TestData.UnitRows(k, d, seed: k * d);
        MixtureEntropyBounds b = GroundTruth.KernelMixtureBounds(z, k, d, kappa);
        (double lower, double upper) = Reference(z, k, d, kappa);

        // The coefficient table interpolates to 1e-6 relative; float32 similarities add ~u kappa.
        double tol = 1e-5 * (1 + Math.Abs(lower)) + (4 * kappa / (1 << 24));
        Assert.True(Math.Abs(b.Lower - lower) <= tol, $"lower {b.Lower} vs {lower}");
        Assert.True(Math.Abs(b.Upper - upper) <= tol, $"upper {b.Upper} vs {upper}");
        Assert.True(b.Lower <= b.Upper + tol);
        if (k == 1)
        {
            // One kernel: the mixture is that vMF, and both bounds are its entropy.
            Assert.Equal(VonMisesFisher.Entropy(d, kappa), b.Lower, 5);
            Assert.Equal(VonMisesFisher.Entropy(d, kappa), b.Upper, 5);
        }
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
