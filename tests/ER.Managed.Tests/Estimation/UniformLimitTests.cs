using System.Linq;
using ER.Managed.Estimation;
using ER.Managed.Tests.Gradients;

namespace ER.Managed.Tests.Estimation;

/// <summary>
/// kappa = 0 as a concentration (the uniform limit) and kappa selection that returns it: the vMF
/// functions' exact limits, every sphere estimator at log |S^(d-1)|, gradients and kappa derivatives
/// from their formulas, and <see cref="KappaSelection"/> total on uniform samples.
/// </summary>
public class UniformLimitTests
{
    /// <summary>log |S^(d-1)| in closed form for small d: 2, 2 pi, 4 pi, 2 pi^2, 8 pi^2 / 3.</summary>
    [Theory]
    [InlineData(1, 2.0)]
    [InlineData(2, 2 * Math.PI)]
    [InlineData(3, 4 * Math.PI)]
    [InlineData(4, 2 * Math.PI * Math.PI)]
    [InlineData(5, 8 * Math.PI * Math.PI / 3)]
    public void The_vmf_functions_take_their_exact_limits_at_kappa_zero(int d, double area)
    {
        // Within the library's documented 1e-13 of the closed form (lgamma and log pi carry a few ulps).
        double logArea = Math.Log(area);
        Assert.Equal(-logArea, VonMisesFisher.LogNormalizer(d, 0), 13);
        Assert.Equal(0.0, VonMisesFisher.BesselRatio(d, 0));
        Assert.Equal(logArea, VonMisesFisher.Entropy(d, 0), 13);
        Assert.Equal(logArea, VonMisesFisher.Constant(d, 0), 13);
        Assert.Equal(0.0, VonMisesFisher.ConstantDerivative(d, 0));

        // log I_nu(0): I_(-1/2)(0) is infinite, I_0(0) = 1, I_nu(0) = 0 for nu > 0.
        double nu = (0.5 * d) - 1.0;
        double logI = VonMisesFisher.LogBesselI(nu, 0);
        Assert.Equal(d == 1 ? double.PositiveInfinity : d == 2 ? 0.0 : double.NegativeInfinity, logI);

        // The span forms agree, in every position of a register.
        double[] kappa = [0, 1, 0, 2, 3, 0, 4, 5, 6, 0];
        var logIs = new double[kappa.Length];
        var logCs = new double[kappa.Length];
        var ratios = new double[kappa.Length];
        var entropies = new double[kappa.Length];
        VonMisesFisher.Evaluate(d, kappa, logIs, logCs, ratios, entropies);
        for (int i = 0; i < kappa.Length; i++)
        {
            Assert.Equal(VonMisesFisher.LogBesselI(nu, kappa[i]), logIs[i]);
            Assert.Equal(VonMisesFisher.LogNormalizer(d, kappa[i]), logCs[i]);
            Assert.Equal(VonMisesFisher.BesselRatio(d, kappa[i]), ratios[i]);
            Assert.Equal(VonMisesFisher.Entropy(d, kappa[i]), entropies[i]);
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => VonMisesFisher.Constant(d, 0, NormalizerMode.Reference));
    }

    [Theory]
    [InlineData(EntropyReduction.Expectation)]
    [InlineData(EntropyReduction.Average)]
    [InlineData(EntropyReduction.LeaveOneOut)]
    public void Every_sphere_estimator_at_kappa_zero_is_the_uniform_entropy_with_its_exact_derivatives(EntropyReduction reduction)
    {
        const int k = 37, d = 6;
        float[] z = TestData.UnitRows(k, d, seed: 12);
        var gradient = new float[k * d];
        SphereTermResult result = Entropy.SphereWithGradient(z, k, d, gradient, 0.0, reduction);
        double logArea = VonMisesFisher.Entropy(d, 0);

        // Every exponential is 1: LSE_i = log k (or log(k - 1)), so l_i = c = log |S^(d-1)| exactly up to float sums.
        Assert.Equal(logArea, result.Value, 12);
        Assert.Equal(result.Value, Entropy.Sphere(z, k, d, 0.0, reduction));
        Assert.All(gradient, v => Assert.Equal(0f, v));

        // dH/dkappa = A_d(0) - sum_i g_i sum_j P_ij s_ij with P uniform over j (j != i when leaving one out) and
        // g_i = 1/k for every estimator (the plug-in's weights are all 1/k when every l_i is the same).
        double[] zd = Array.ConvertAll(z, v => (double)v);
        double expected = 0;
        for (int i = 0; i < k; i++)
        {
            double row = 0;
            for (int j = 0; j < k; j++)
            {
                if (reduction == EntropyReduction.LeaveOneOut && i == j)
                {
                    continue;
                }

                row += Enumerable.Range(0, d).Sum(t => zd[(i * d) + t] * zd[(j * d) + t]);
            }

            expected += row / (reduction == EntropyReduction.LeaveOneOut ? k - 1 : k) / k;
        }

        Assert.Equal(-expected, result.KappaGradient, 6);

        // The reconstruction and the loss take kappa = 0 too: R = c - 0.
        float[] other = TestData.UnitRows(k, d, seed: 13);
        Assert.Equal(logArea, Reconstruction.Sphere(z, other, k, d, 0.0), 12);
        var loss = new ErLoss(Support.Sphere, k, d) { Kappa = 0, Reduction = reduction };
        ErLossResult l = loss.Compute(z, other, new float[k * d], new float[k * d]);
        Assert.Equal(0.0, l.Loss, 10);
    }

    [Fact]
    public void Kappa_selection_is_total_on_uniform_samples_and_reports_the_boundary()
    {
        // Uniform unit rows: about half the samples have a leave-one-out likelihood largest as kappa -> 0
        // (the slope at 0 is (||sum z||^2 - n) / (n (n - 1)), negative when the resultant is short).
        const int n = 512, d = 128;
        int uniform = 0;
        for (ulong seed = 1; seed <= 24; seed++)
        {
            var z = new float[n * d];
            new SphereSampler(seed).Uniform(n, d, z);
            KappaSelectionResult result = KappaSelection.LeaveOneOut(z, n, d);
            double slopeAtZero = SlopeAtZero(z, n, d);
            if (result.Boundary == KappaSelectionBoundary.Uniform)
            {
                uniform++;
                Assert.Equal(0.0, result.Kappa);
                Assert.True(slopeAtZero <= 0, $"seed {seed}: uniform boundary but the slope at 0 is {slopeAtZero}");
                Assert.Equal(-VonMisesFisher.Entropy(d, 0), result.LogLikelihood, 9);
                Assert.Equal(result.LogLikelihood, KappaSelection.LeaveOneOutLogLikelihood(z, n, d, 0, out double derivative), 12);
                // The library sums float32 similarities: 1e-6 of the slope (plus float32's absolute 1e-9 on s ~ 1e-3).
                Assert.True(Math.Abs(derivative - slopeAtZero) <= (1e-6 * Math.Abs(slopeAtZero)) + 1e-9, $"seed {seed}: slope {derivative:R} vs {slopeAtZero:R}");
            }
            else
            {
                // An interior maximum (uniform samples in d = 128 can have one at a moderate kappa): the slope
                // changes sign there (L itself is flat to ~1e-10 near it, below its float32 summation noise).
                Assert.Equal(KappaSelectionBoundary.None, result.Boundary);
                Assert.True(result.Kappa > 0 && result.Kappa < 100, $"seed {seed}: kappa {result.Kappa}");
                Assert.Equal(KappaSelection.LeaveOneOutLogLikelihood(z, n, d, result.Kappa, out _), result.LogLikelihood);
                Assert.True(result.LogLikelihood >= KappaSelection.LeaveOneOutLogLikelihood(z, n, d, 0, out _), $"seed {seed}: L({result.Kappa}) below L(0)");
                KappaSelection.LeaveOneOutLogLikelihood(z, n, d, result.Kappa / 1.01, out double below);
                KappaSelection.LeaveOneOutLogLikelihood(z, n, d, result.Kappa * 1.01, out double above);
                Assert.True(below > 0 && above < 0, $"seed {seed}: slopes {below:R} below and {above:R} above kappa {result.Kappa}");
            }

            // The rule of thumb too: some finite concentration or the uniform limit, never a throw.
            KappaSelectionResult rule = KappaSelection.RuleOfThumb(z, n, d);
            Assert.True(rule.Kappa >= 0 && double.IsFinite(rule.LogLikelihood));
        }

        Assert.InRange(uniform, 4, 20);
    }

    /// <summary>dL/dkappa at 0: the mean similarity of distinct rows (A_d(0) = 0).</summary>
    private static double SlopeAtZero(float[] z, int n, int d)
    {
        var sum = new double[d];
        double norms = 0;
        for (int i = 0; i < n; i++)
        {
            for (int t = 0; t < d; t++)
            {
                sum[t] += z[(i * d) + t];
                norms += (double)z[(i * d) + t] * z[(i * d) + t];
            }
        }

        return (sum.Sum(v => v * v) - norms) / ((double)n * (n - 1));
    }

    [Fact]
    public void A_maximum_below_the_floor_is_found_on_the_linear_scale()
    {
        // Rows tilted slightly towards one direction: the slope at 0 is positive but tiny, so the
        // likelihood rises from 0 and peaks below the log-scale search's floor of 1e-4.
        const int n = 400, d = 64;
        var z = new float[n * d];
        var sampler = new SphereSampler(99);
        for (int attempt = 0; attempt < 50; attempt++)
        {
            sampler.Uniform(n, d, z);
            if (SlopeAtZero(z, n, d) > 0)
            {
                break;
            }
        }

        Assert.True(SlopeAtZero(z, n, d) > 0);
        KappaSelectionResult result = KappaSelection.LeaveOneOut(z, n, d);
        Assert.Equal(KappaSelectionBoundary.None, result.Boundary);
        KappaSelection.LeaveOneOutLogLikelihood(z, n, d, result.Kappa, out double derivative);
        Assert.True(Math.Abs(derivative) <= 1e-3 * SlopeAtZero(z, n, d), $"kappa {result.Kappa}: slope {derivative}");
        Assert.True(KappaSelection.LeaveOneOutLogLikelihood(z, n, d, result.Kappa, out _) >= KappaSelection.LeaveOneOutLogLikelihood(z, n, d, 0, out _));
    }
}
