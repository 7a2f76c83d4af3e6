namespace ER.Managed.Tests;

/// <summary>The invariants SPEC.md states for the sphere entropy, and the discrete bounds.</summary>
public class InvariantTests
{
    [Theory]
    [InlineData(1, 3, 10.0)]
    [InlineData(2, 2, 0.5)]
    [InlineData(7, 1, 10.0)]
    [InlineData(50, 16, 10.0)]
    [InlineData(200, 8, 1.0)]
    [InlineData(300, 64, 100.0)]
    public void Sphere_entropy_lies_within_its_bounds_and_plugin_is_at_most_joe(int k, int d, double kappa)
    {
        float[] z = TestData.UnitRows(k, d, seed: k * 31 + d);
        double c = VonMisesFisher.Constant(d, kappa);
        double plugin = Entropy.Sphere(z, k, d, kappa, EntropyReduction.Expectation);
        double joe = Entropy.Sphere(z, k, d, kappa, EntropyReduction.Average);

        // Slack 1e-5 (1 + |c|): the float32 similarities may exceed kappa by a rounding.
        double slack = 1e-5 * (1 + Math.Abs(c) + kappa);
        foreach (double h in new[] { plugin, joe })
        {
            Assert.InRange(h, c - kappa - slack, c - kappa + Math.Log(k) + slack);
        }

        Assert.True(plugin <= joe + 1e-12 * Math.Abs(joe), $"plug-in {plugin} > Joe {joe}");
    }

    [Fact]
    public void Identical_rows_give_the_lower_bound_minus_nothing_and_spread_rows_approach_the_upper()
    {
        // k copies of one point: every LSE is kappa + log k, so H = c - kappa exactly.
        const int k = 16, d = 4;
        var z = new float[k * d];
        for (int i = 0; i < k; i++)
        {
            z[i * d] = 1f;
        }

        double c = VonMisesFisher.Constant(d, 10);
        Assert.Equal(c - 10, Entropy.Sphere(z, k, d, 10), 5);
        Assert.Equal(c - 10, Entropy.Sphere(z, k, d, 10, EntropyReduction.Average), 5);

        // Orthogonal rows with a large kappa: the self pair dominates, H -> c - kappa + log k.
        var e = new float[d * d];
        for (int i = 0; i < d; i++)
        {
            e[(i * d) + i] = 1f;
        }

        double cLarge = VonMisesFisher.Constant(d, 200);
        Assert.Equal(cLarge - 200 + Math.Log(d), Entropy.Sphere(e, d, d, 200), 6);
    }

    [Theory]
    [InlineData(1, 5)]
    [InlineData(16, 10)]
    [InlineData(64, 100)]
    public void Discrete_entropy_bounds(int k, int d)
    {
        float[] w = TestData.ProbabilityRows(k, d, seed: k + d);
        double expectation = Entropy.Discrete(w, k, d);
        double average = Entropy.Discrete(w, k, d, EntropyReduction.Average);

        // -sum m log(m + eps) is in [-(1e-7) , log d] up to eps effects; the cross-entropy from uniform is >= log d.
        Assert.InRange(expectation, -1e-6, Math.Log(d) + 1e-6);
        Assert.True(average >= Math.Log(d) - 1e-6, $"average {average} < log d {Math.Log(d)}");
    }

    [Fact]
    public void One_hot_discrete_entropy_matches_the_original_float32_arithmetic()
    {
        // m = (1, 0, ..., 0): the original computes -log(1f + 1e-7f) = -log(1 + 2^-23) in float32.
        const int k = 3, d = 5;
        var w = new float[k * d];
        for (int i = 0; i < k; i++)
        {
            w[i * d] = 1f;
        }

        Assert.Equal(-1.1920928244535389e-07, Entropy.Discrete(w, k, d), 1e-20);
    }

    [Fact]
    public void Reconstruction_of_identical_sphere_views_is_c_minus_kappa()
    {
        float[] z = TestData.UnitRows(20, 12, seed: 5);
        double c = VonMisesFisher.Constant(12, 10);
        Assert.Equal(c - 10, Reconstruction.Sphere(z, z, 20, 12), 5);
    }

    [Fact]
    public void Discrete_reconstruction_of_identical_views_is_the_mean_row_entropy()
    {
        const int k = 6, d = 9;
        float[] p = TestData.ProbabilityRows(k, d, seed: 11);
        double expected = 0;
        for (int i = 0; i < k; i++)
        {
            for (int j = 0; j < d; j++)
            {
                float v = p[(i * d) + j];
                expected -= v * Math.Log(v + 1e-7f);
            }
        }

        Assert.Equal(expected / k, Reconstruction.Discrete(p, p, k, d), 6);
    }
}
