namespace ER.Managed.Tests.Terms;

/// <summary>The memory-bound terms give the same bits with 1, 2 and 3 threads (their reductions run in a fixed order).</summary>
public class ThreadIndependenceTests
{
    private static ErOptions Threads(int n) => new() { MaxDegreeOfParallelism = n };

    [Theory]
    [InlineData(1, 1)]
    [InlineData(65, 5000)]
    [InlineData(129, 70000)]
    [InlineData(1000, 37)]
    public void Discrete_terms_are_bitwise_equal_across_thread_counts(int k, int d)
    {
        float[] a = TestData.ProbabilityRows(k, d, seed: 1), b = TestData.ProbabilityRows(k, d, seed: 2);
        foreach (EntropyReduction reduction in new[] { EntropyReduction.Expectation, EntropyReduction.Average })
        {
            TermGradients one = Entropy.DiscreteWithGradient(a, k, d, reduction, Threads(1));
            TermGradients two = Entropy.DiscreteWithGradient(a, k, d, reduction, Threads(2));
            Assert.Equal(one.Value, two.Value);
            Assert.Equal(one.Gradient, two.Gradient);
            Assert.Equal(one.Value, Entropy.Discrete(a, k, d, reduction, Threads(3)));
        }

        TermGradients r1 = Reconstruction.DiscreteWithGradient(a, b, k, d, Threads(1));
        TermGradients r2 = Reconstruction.DiscreteWithGradient(a, b, k, d, Threads(2));
        Assert.Equal(r1.Value, r2.Value);
        Assert.Equal(r1.Gradient, r2.Gradient);
        Assert.Equal(r1.GradientB, r2.GradientB);
        Assert.Equal(r1.Value, Reconstruction.Discrete(a, b, k, d, Threads(3)));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(300, 256)]
    [InlineData(5000, 3)]
    public void Sphere_reconstruction_is_bitwise_equal_across_thread_counts(int k, int d)
    {
        float[] a = TestData.UnitRows(k, d, seed: 1), b = TestData.UnitRows(k, d, seed: 2);
        TermGradients one = Reconstruction.SphereWithGradient(a, b, k, d, options: Threads(1));
        TermGradients two = Reconstruction.SphereWithGradient(a, b, k, d, options: Threads(2));
        Assert.Equal(one.Value, two.Value);
        Assert.Equal(one.KappaGradient, two.KappaGradient);
        Assert.Equal(one.Gradient, two.Gradient);
        Assert.Equal(one.GradientB, two.GradientB);
        Assert.Equal(one.Value, Reconstruction.Sphere(a, b, k, d, options: Threads(3)));
    }
}
