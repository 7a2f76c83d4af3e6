using System.Linq;
using static ER.Managed.Tests.Gradients.DoubleReference;

namespace ER.Managed.Tests.Gradients;

/// <summary>Every gradient against central finite differences of the double-precision reference.</summary>
public class FiniteDifferenceTests
{
    [Theory]
    [InlineData(1, 3, 10.0)]
    [InlineData(2, 2, 0.5)]
    [InlineData(5, 1, 10.0)]
    [InlineData(6, 4, 3.0)]
    [InlineData(9, 7, 10.0)]
    [InlineData(4, 2, 30.0)]
    public void Sphere_entropy_gradients(int k, int d, double kappa)
    {
        float[] z = TestData.UnitRows(k, d, seed: (k * 100) + d);
        double[] zd = ToDouble(z);
        foreach (EntropyReduction reduction in new[] { EntropyReduction.Expectation, EntropyReduction.Average })
        {
            foreach (NormalizerMode normalizer in new[] { NormalizerMode.Exact, NormalizerMode.Reference })
            {
                TermGradients t = Entropy.SphereWithGradient(z, k, d, kappa, reduction, normalizer);
                string what = $"k={k} d={d} kappa={kappa} {reduction} {normalizer}";
                GradientAssert.Close(Gradient(x => SphereEntropy(x, k, d, kappa, reduction, normalizer), zd), t.Gradient, what);
                GradientAssert.Close(Derivative(kk => SphereEntropy(zd, k, d, kk, reduction, normalizer), kappa), t.KappaGradient, what + " dkappa");
                GradientAssert.Close(SphereEntropy(zd, k, d, kappa, reduction, normalizer), t.Value, what + " value", 1e-5);
            }
        }
    }

    [Theory]
    [InlineData(1, 4, 1.0)]
    [InlineData(5, 3, 1.0)]
    [InlineData(7, 6, 0.1)]
    public void Discrete_entropy_gradients(int k, int d, double logitScale)
    {
        float[] w = TestData.ProbabilityRows(k, d, seed: k + (10 * d), logitScale);
        double[] wd = ToDouble(w);
        foreach (EntropyReduction reduction in new[] { EntropyReduction.Expectation, EntropyReduction.Average })
        {
            TermGradients t = Entropy.DiscreteWithGradient(w, k, d, reduction);
            GradientAssert.Close(Gradient(x => DiscreteEntropy(x, k, d, reduction), wd, 1e-7), t.Gradient, $"k={k} d={d} {reduction}");
            Assert.Equal(0.0, t.KappaGradient);
        }
    }

    [Theory]
    [InlineData(1, 3, 10.0)]
    [InlineData(2, 2, 0.5)]
    [InlineData(5, 1, 4.0)]
    [InlineData(6, 5, 10.0)]
    public void Sphere_reconstruction_gradients(int k, int d, double kappa)
    {
        float[] a = TestData.UnitRows(k, d, seed: k), b = TestData.UnitRows(k, d, seed: k + 50);
        double[] ad = ToDouble(a), bd = ToDouble(b);
        foreach (NormalizerMode normalizer in new[] { NormalizerMode.Exact, NormalizerMode.Reference })
        {
            TermGradients t = Reconstruction.SphereWithGradient(a, b, k, d, kappa, normalizer);
            GradientAssert.Close(Gradient(x => SphereReconstruction(x, bd, k, d, kappa, normalizer), ad), t.Gradient, "a");
            GradientAssert.Close(Gradient(x => SphereReconstruction(ad, x, k, d, kappa, normalizer), bd), t.GradientB!, "b");
            GradientAssert.Close(Derivative(kk => SphereReconstruction(ad, bd, k, d, kk, normalizer), kappa), t.KappaGradient, $"dkappa {normalizer}");
        }
    }

    [Theory]
    [InlineData(1, 3)]
    [InlineData(4, 5)]
    [InlineData(3, 17)]
    public void Discrete_reconstruction_gradients(int k, int d)
    {
        float[] a = TestData.ProbabilityRows(k, d, seed: d), b = TestData.ProbabilityRows(k, d, seed: d + 9);
        double[] ad = ToDouble(a), bd = ToDouble(b);
        TermGradients t = Reconstruction.DiscreteWithGradient(a, b, k, d);
        GradientAssert.Close(Gradient(x => DiscreteReconstruction(x, bd, k, d), ad, 1e-7), t.Gradient, "a");
        GradientAssert.Close(Gradient(x => DiscreteReconstruction(ad, x, k, d), bd, 1e-7), t.GradientB!, "b");
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 2)]
    [InlineData(2, 3)]
    [InlineData(4, 10)]
    [InlineData(2, 100)]
    [InlineData(3, 500)]

    // The reference constant's epsilon weighs in where I_nu(kappa) is near 1e-7: its share
    // I / (I + eps) is about 0.5 at the first two, 8e-6 at the third.
    [InlineData(10, 0.08)]
    [InlineData(32, 4.4)]
    [InlineData(32, 2)]
    public void Constant_derivative_matches_finite_differences_in_both_modes(int d, double kappa)
    {
        foreach (NormalizerMode mode in new[] { NormalizerMode.Exact, NormalizerMode.Reference })
        {
            double fd = Derivative(kk => VonMisesFisher.Constant(d, kk, mode), kappa);
            double got = VonMisesFisher.ConstantDerivative(d, kappa, mode);
            Assert.True(Math.Abs(got - fd) <= 1e-7 * Math.Max(1, Math.Abs(fd)), $"d={d} kappa={kappa} {mode}: {got} vs {fd}");
        }
    }

    [Theory]
    [InlineData(3, 4)]
    [InlineData(1, 1)]
    public void L2_normalize_backward(int k, int d)
    {
        float[] x = TestData.Normal(k * d, seed: 7, scale: 3);
        float[] upstream = TestData.Normal(k * d, seed: 8);
        double[] xd = ToDouble(x), gd = ToDouble(upstream);
        var got = new float[k * d];
        RowOps.L2NormalizeBackward(x, upstream, k, d, got);
        // At d = 1 the true gradient is zero; float cancellation leaves about u |dz| / |x| there.
        GradientAssert.Close(Gradient(v => Normalize(v, k, d).Select((z, i) => z * gd[i]).Sum(), xd), got, "normalize", floor: 1e-6);

        // The forward: unit rows within float rounding.
        var z = new float[k * d];
        RowOps.L2Normalize(x, k, d, z);
        double[] zd = Normalize(xd, k, d);
        Assert.All(Enumerable.Range(0, k * d), i => Assert.Equal(zd[i], z[i], 6));
    }

    [Fact]
    public void L2_normalize_of_a_zero_row_is_zero_and_its_backward_is_finite()
    {
        var x = new float[] { 0, 0, 0, 3, 4, 0 };
        var z = new float[6];
        RowOps.L2Normalize(x, 2, 3, z);
        Assert.Equal(new float[] { 0, 0, 0, 0.6f, 0.8f, 0 }, z);
        var g = new float[6];
        RowOps.L2NormalizeBackward(x, [1, 1, 1, 1, 1, 1], 2, 3, g);
        Assert.All(g, v => Assert.True(float.IsFinite(v)));
        Assert.Equal(1f / RowOps.DefaultNormEpsilon, g[0]);
    }

    [Fact]
    public void L2_normalize_backward_at_a_norm_exactly_epsilon_is_the_unfloored_derivative()
    {
        // The forward divides by max(||x||, epsilon), so both formulas meet at ||x|| = epsilon; the
        // floored one (dz / epsilon) is used strictly below, as PyTorch's clamp_min passes its gradient
        // at equality. x = (epsilon, 0, 0) has that norm exactly in double: there dx = (0, dz_1, dz_2) /
        // epsilon, the component along x cancelled to within the float rounding of its two terms (each
        // 1 / epsilon = 1000, so 1e-6 of it allowed), where the floored formula would give dz_0 / epsilon.
        const float epsilon = 1e-3f;
        var g = new float[3];
        RowOps.L2NormalizeBackward([epsilon, 0, 0], [1, 2, 3], 1, 3, g, epsilon);
        Assert.True(Math.Abs(g[0]) <= 1e-6 / epsilon, $"along x: {g[0]:R}");
        Assert.Equal(2 / epsilon, g[1], 2e-6 * 2 / epsilon);
        Assert.Equal(3 / epsilon, g[2], 2e-6 * 3 / epsilon);

        // Just below, the floor applies to every component.
        RowOps.L2NormalizeBackward([MathF.BitDecrement(epsilon), 0, 0], [1, 2, 3], 1, 3, g, epsilon);
        Assert.Equal(new[] { (float)(1 / (double)epsilon), (float)(2 / (double)epsilon), (float)(3 / (double)epsilon) }, g);
    }

    [Theory]
    [InlineData(3, 5, 1.0)]
    [InlineData(2, 4, 0.3)]
    [InlineData(1, 1, 2.0)]
    public void Softmax_backward(int k, int d, double temperature)
    {
        float[] x = TestData.Normal(k * d, seed: 9);
        float[] upstream = TestData.Normal(k * d, seed: 10);
        double[] xd = ToDouble(x), gd = ToDouble(upstream);
        var p = new float[k * d];
        RowOps.Softmax(x, k, d, p, temperature);
        var got = new float[k * d];
        RowOps.SoftmaxBackward(p, upstream, k, d, got, temperature);
        GradientAssert.Close(Gradient(v => Softmax(v, k, d, temperature).Select((q, i) => q * gd[i]).Sum(), xd), got, "softmax");
    }
}
