using ER.Managed.Tests.Gradients;

namespace ER.Managed.Tests.Hardening;

/// <summary>The edge shapes and concentrations every term must handle: k = 1, d = 1 (nu = -1/2), d = 2 (nu = 0), kappa = 1e6 and 1e-8.</summary>
public class EdgeShapeTests
{
    [Theory]
    [InlineData(1, 1, 10.0)]
    [InlineData(1, 5, 10.0)]
    [InlineData(6, 1, 10.0)]
    [InlineData(6, 2, 10.0)]
    [InlineData(5, 3, 1e6)]
    [InlineData(5, 1, 1e6)]
    [InlineData(5, 2, 1e-8)]
    [InlineData(4, 128, 1e-8)]
    [InlineData(3, 64, 1e6)]
    public void Sphere_terms_are_finite_and_match_the_double_reference(int k, int d, double kappa)
    {
        float[] z = TestData.UnitRows(k, d, seed: k + d);
        float[] b = TestData.UnitRows(k, d, seed: k + d + 1);
        double[] zd = DoubleReference.ToDouble(z), bd = DoubleReference.ToDouble(b);
        foreach (EntropyReduction reduction in new[] { EntropyReduction.Expectation, EntropyReduction.Average })
        {
            TermGradients h = Entropy.SphereWithGradient(z, k, d, kappa, reduction);
            double want = DoubleReference.SphereEntropy(zd, k, d, kappa, reduction);

            // Float32 similarities carry ~u kappa of error each (0.06 nats at kappa = 1e6).
            double tol = 1e-5 * (1 + Math.Abs(want)) + (4 * kappa / (1 << 24));
            Assert.True(Math.Abs(h.Value - want) <= tol, $"H k={k} d={d} kappa={kappa}: {h.Value} vs {want}");
            Assert.True(double.IsFinite(h.KappaGradient));
            Assert.All(h.Gradient, v => Assert.True(float.IsFinite(v)));
            Assert.Equal(h.Value, Entropy.Sphere(z, k, d, kappa, reduction));
        }

        TermGradients r = Reconstruction.SphereWithGradient(z, b, k, d, kappa);
        double wantR = DoubleReference.SphereReconstruction(zd, bd, k, d, kappa);
        Assert.True(Math.Abs(r.Value - wantR) <= 1e-5 * (1 + Math.Abs(wantR)) + (4 * kappa / (1 << 24)), $"R: {r.Value} vs {wantR}");
        Assert.True(double.IsFinite(r.KappaGradient));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 4)]
    [InlineData(7, 1)]
    public void Discrete_terms_handle_single_rows_and_columns(int k, int d)
    {
        float[] w = TestData.ProbabilityRows(k, d, seed: 3);
        double[] wd = DoubleReference.ToDouble(w);
        foreach (EntropyReduction reduction in new[] { EntropyReduction.Expectation, EntropyReduction.Average })
        {
            Assert.Equal(DoubleReference.DiscreteEntropy(wd, k, d, reduction), Entropy.Discrete(w, k, d, reduction), 6);
        }

        Assert.Equal(DoubleReference.DiscreteReconstruction(wd, wd, k, d), Reconstruction.Discrete(w, w, k, d), 6);
    }

    [Fact]
    public void Exact_normalizer_has_no_overflow_where_the_reference_one_does()
    {
        foreach (int d in new[] { 1, 2, 3, 1000, 100_000 })
        {
            Assert.True(double.IsFinite(VonMisesFisher.Constant(d, 1e6)));
            Assert.True(double.IsFinite(VonMisesFisher.ConstantDerivative(d, 1e6)));
            Assert.True(double.IsFinite(VonMisesFisher.Constant(d, 1e-8)));
        }
    }
}
