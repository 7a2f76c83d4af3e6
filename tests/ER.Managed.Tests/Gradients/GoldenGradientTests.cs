using System.Collections.Generic;
using System.Linq;
using ER.Managed.Npy;

namespace ER.Managed.Tests.Gradients;

/// <summary>Every golden gradient, every input, at the manifest's grad_rel_to_max.</summary>
public class GoldenGradientTests
{
    public static IEnumerable<object[]> CasesWithGradients =>
        GoldenData.Cases.Where(c => c.TryGetProperty("grads", out _)).Select(c => new object[] { c.GetProperty("id").GetString()! });

    [Theory]
    [MemberData(nameof(CasesWithGradients))]
    public void Golden_gradients_match(string id)
    {
        GoldenCase c = GoldenCase.Load(id);
        TermGradients t = c.Op switch
        {
            "entropy" when c.Support == "sphere" => Entropy.SphereWithGradient(c.A.Data, c.A.Rows, c.A.Columns, c.Kappa, c.Reduction, c.Normalizer),
            "entropy" => Entropy.DiscreteWithGradient(c.A.Data, c.A.Rows, c.A.Columns, c.Reduction),
            "reconstruction" when c.Support == "sphere" => Reconstruction.SphereWithGradient(c.A.Data, c.B!.Data, c.A.Rows, c.A.Columns, c.Kappa, c.Normalizer),
            _ => Reconstruction.DiscreteWithGradient(c.A.Data, c.B!.Data, c.A.Rows, c.A.Columns),
        };
        GoldenTermTests.AssertValue(c.Value, t.Value, id);
        float[][] got = t.GradientB is null ? [t.Gradient] : [t.Gradient, t.GradientB];
        Assert.Equal(c.Grads.Length, got.Length);
        for (int g = 0; g < got.Length; g++)
        {
            double[] want = NpyFile.Read(GoldenData.PathOf(c.Grads[g])).ToDoubleArray();
            GradientAssert.Close(want, got[g], $"{id} input {g}", GoldenData.ToleranceOf("grad_rel_to_max"));
        }
    }

    [Fact]
    public void Span_and_allocating_overloads_agree_and_the_span_one_allocates_no_gradient()
    {
        GoldenCase c = GoldenCase.Load("entropy_sphere_expectation_exact_k64_d16_kappa10.0");
        var gradient = new float[c.A.Data.Length];
        SphereTermResult r = Entropy.SphereWithGradient(c.A.Data, c.A.Rows, c.A.Columns, gradient, c.Kappa);
        TermGradients t = Entropy.SphereWithGradient(c.A.Data, c.A.Rows, c.A.Columns, c.Kappa);
        Assert.Equal(t.Value, r.Value);
        Assert.Equal(t.KappaGradient, r.KappaGradient);
        Assert.Equal(t.Gradient, gradient);
        Assert.Equal(Entropy.Sphere(c.A.Data, c.A.Rows, c.A.Columns, c.Kappa), r.Value);

        // After warm-up, a call with caller buffers takes its scratch from the pool; what it
        // allocates is thread bookkeeping (closures, tasks), a few hundred bytes whatever the size.
        var options = new ErOptions { ValidateInputs = false };
        long small = AllocationProbe.SteadyStateBytes(() => Entropy.SphereWithGradient(c.A.Data, c.A.Rows, c.A.Columns, gradient, c.Kappa, options: options));
        float[] big = TestData.UnitRows(1500, 40, seed: 3);
        var bigGradient = new float[big.Length];
        long large = AllocationProbe.SteadyStateBytes(() => Entropy.SphereWithGradient(big, 1500, 40, bigGradient, options: options));
        Assert.True(small <= 16384 && large <= 16384, $"allocated {small} bytes at k = 64, {large} at k = 1500");
    }
}
