using System.Collections.Generic;
using ER.Managed.Tests.Gradients;

namespace ER.Managed.Tests.Terms;

/// <summary>
/// The sphere entropy at the ends of kappa's range against the double-precision truth
/// (<see cref="SphereEntropyReference"/>): tiny kappa, where tile padding once leaked into the
/// sums, and large kappa at large d, where P is nearly the identity and the float32 diagonal of the
/// similarity tiles, times kappa, once decided the plug-in weights.
/// </summary>
public class SphereEntropyEdgeTests
{
    [Theory]
    [InlineData(5, 1e-36)]
    [InlineData(8, 1e-36)]
    [InlineData(13, 1e-36)]
    [InlineData(16, 1e-36)]
    [InlineData(5, 1e-30)]
    [InlineData(8, 1e-30)]
    [InlineData(13, 1e-30)]
    [InlineData(16, 1e-30)]
    [InlineData(5, 5e-29)]
    [InlineData(8, 5e-29)]
    [InlineData(13, 5e-29)]
    [InlineData(16, 5e-29)]
    public void Tiny_kappa_gives_the_small_kappa_limit(int k, double kappa)
    {
        const int d = 4;
        float[] z = TestData.UnitRows(k, d, seed: k);
        foreach (EntropyReduction reduction in new[] { EntropyReduction.Expectation, EntropyReduction.Average })
        {
            (double value, double[] gradient, double kappaGradient) = SphereEntropyReference.Compute(z, k, d, kappa, reduction);
            string what = $"k={k} kappa={kappa} {reduction}";

            // Values and kappa derivatives of order one, computed in float32 tiles and double sums:
            // 1e-6 is a few float32 roundings of the similarities.
            Assert.True(Math.Abs(Entropy.Sphere(z, k, d, kappa, reduction) - value) <= 1e-6, $"{what}: value");
            var got = new float[k * d];
            SphereTermResult result = Entropy.SphereWithGradient(z, k, d, got, kappa, reduction);
            Assert.True(Math.Abs(result.Value - value) <= 1e-6, $"{what}: value with gradient {result.Value} vs {value}");
            Assert.True(Math.Abs(result.KappaGradient - kappaGradient) <= 1e-6, $"{what}: grad_kappa {result.KappaGradient} vs {kappaGradient}");

            // The gradient is of size kappa; the golden grad_rel_to_max form (1e-4 of its largest entry).
            GradientAssert.Close(gradient, got, what, floor: 0);
        }
    }

    /// <summary>(k, d, kappa, duplicate noise): batches of several row tiles, d up to 1000, kappa up to 200, with and without near-duplicate rows.</summary>
    public static IEnumerable<object[]> LargeKappaCases()
    {
        yield return [600, 256, 50.0, 0.0];
        yield return [1000, 512, 100.0, 0.0];
        if (!EmulatedRun.Active)
        {
            // Eight row tiles at d = 1000 and kappa = 200: the paths of the cases around it at 30 times
            // their cost, so it runs natively only (9 s there, 280 s under qemu; Zen 3, 2026-12-07).
            yield return [2000, 1000, 200.0, 0.0];
        }

        yield return [800, 1000, 200.0, 0.05];
        yield return [1200, 256, 100.0, 0.02];
    }

    [Theory]
    [MemberData(nameof(LargeKappaCases))]
    public void Plug_in_gradient_holds_at_large_kappa(int k, int d, double kappa, double duplicateNoise)
    {
        float[] z = duplicateNoise > 0 ? NearDuplicateRows(k, d, duplicateNoise, seed: k + d) : TestData.UnitRows(k, d, seed: k + d);
        (double value, double[] gradient, double kappaGradient) = SphereEntropyReference.Compute(z, k, d, kappa, EntropyReduction.Expectation);
        var got = new float[k * d];
        SphereTermResult result = Entropy.SphereWithGradient(z, k, d, got, kappa);
        string what = $"k={k} d={d} kappa={kappa} noise={duplicateNoise}";

        // The bar: the golden tolerance, 1e-4 of the gradient's largest entry.
        GradientAssert.Close(gradient, got, what, floor: 0);
        GradientAssert.Close(value, result.Value, what + " value", tol: 1e-6);
        GradientAssert.Close(kappaGradient, result.KappaGradient, what + " grad_kappa", tol: 1e-4);
    }

    [Theory]
    [InlineData(600, 256, 200.0, 0.05)]
    [InlineData(600, 256, 200.0, 0.002)]
    [InlineData(300, 1000, 100.0, 0.01)]
    public void Plug_in_gradient_holds_on_a_collapsed_batch_at_large_kappa(int k, int d, double kappa, double spread)
    {
        // Every row near one direction: every pair is "near-duplicate", the hardest case for both
        // accuracy and the cost of refining similarities in double.
        float[] center = TestData.Normal(d, seed: 5);
        float[] z = TestData.Normal(k * d, seed: 6, spread);
        for (int i = 0; i < k; i++)
        {
            for (int t = 0; t < d; t++)
            {
                z[(i * d) + t] += center[t] / (float)Math.Sqrt(d);
            }
        }

        RowOps.L2Normalize(z, k, d, z);
        (double value, double[] gradient, double kappaGradient) = SphereEntropyReference.Compute(z, k, d, kappa, EntropyReduction.Expectation);
        var got = new float[k * d];
        SphereTermResult result = Entropy.SphereWithGradient(z, k, d, got, kappa);
        string what = $"collapsed k={k} d={d} kappa={kappa} spread={spread}";
        GradientAssert.Close(gradient, got, what, floor: 0);
        GradientAssert.Close(value, result.Value, what + " value", tol: 1e-6);
        GradientAssert.Close(kappaGradient, result.KappaGradient, what + " grad_kappa", tol: 1e-4);
    }

    /// <summary>Unit rows in pairs: each odd row is its even neighbour plus noise of the given norm, renormalized.</summary>
    private static float[] NearDuplicateRows(int k, int d, double noise, int seed)
    {
        float[] z = TestData.UnitRows(k, d, seed);
        float[] n = TestData.Normal(k * d, seed + 1, noise / Math.Sqrt(d));
        for (int i = 1; i < k; i += 2)
        {
            for (int t = 0; t < d; t++)
            {
                z[(i * d) + t] = z[((i - 1) * d) + t] + n[(i * d) + t];
            }
        }

        RowOps.L2Normalize(z, k, d, z);
        return z;
    }
}
