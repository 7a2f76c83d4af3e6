using System.Linq;
using static ER.Managed.Tests.Gradients.DoubleReference;

namespace ER.Managed.Tests.Gradients;

public class ErLossTests
{
    private static double ReferenceLoss(Support support, double[] x1, double[] x2, int k, int d, double kappa, double temperature, double a, double b, EntropyView view, EntropyReduction reduction)
    {
        double r, h1, h2;
        if (support == Support.Sphere)
        {
            double[] z1 = Normalize(x1, k, d), z2 = Normalize(x2, k, d);
            r = SphereReconstruction(z1, z2, k, d, kappa);
            h1 = SphereEntropy(z1, k, d, kappa, reduction);
            h2 = SphereEntropy(z2, k, d, kappa, reduction);
        }
        else
        {
            double[] p1 = Softmax(x1, k, d, temperature), p2 = Softmax(x2, k, d, temperature);
            r = DiscreteReconstruction(p1, p2, k, d);
            h1 = DiscreteEntropy(p1, k, d, reduction);
            h2 = DiscreteEntropy(p2, k, d, reduction);
        }

        double h = view switch { EntropyView.View1 => h1, EntropyView.View2 => h2, _ => 0.5 * (h1 + h2) };
        return (a * r) - (b * h);
    }

    [Theory]
    [InlineData(Support.Sphere, EntropyView.Mean, EntropyReduction.Expectation, 1, 3)]
    [InlineData(Support.Sphere, EntropyView.View1, EntropyReduction.Average, 4, 3)]
    [InlineData(Support.Sphere, EntropyView.View2, EntropyReduction.Expectation, 5, 2)]
    [InlineData(Support.Discrete, EntropyView.Mean, EntropyReduction.Expectation, 4, 5)]
    [InlineData(Support.Discrete, EntropyView.View1, EntropyReduction.Average, 1, 3)]
    [InlineData(Support.Discrete, EntropyView.View2, EntropyReduction.Expectation, 3, 4)]
    public void Loss_and_gradients_match_finite_differences(Support support, EntropyView view, EntropyReduction reduction, int k, int d)
    {
        float[] x1 = TestData.Normal(k * d, seed: 21), x2 = TestData.Normal(k * d, seed: 22);
        double[] x1d = ToDouble(x1), x2d = ToDouble(x2);
        const double kappa = 4, temperature = 0.7, a = 0.8, b = 1.3;
        var loss = new ErLoss(support, k, d)
        {
            Kappa = kappa,
            Temperature = temperature,
            ReconstructionWeight = a,
            EntropyWeight = b,
            EntropyOf = view,
            Reduction = reduction,
        };
        var g1 = new float[k * d];
        var g2 = new float[k * d];
        ErLossResult result = loss.Compute(x1, x2, g1, g2);

        double Loss(double[] v1, double[] v2, double kk) => ReferenceLoss(support, v1, v2, k, d, kk, temperature, a, b, view, reduction);
        GradientAssert.Close(Loss(x1d, x2d, kappa), result.Loss, "loss", 1e-5);
        Assert.Equal(result.Loss, (a * result.Reconstruction) - (b * result.Entropy), 10);
        GradientAssert.Close(Gradient(v => Loss(v, x2d, kappa), x1d), g1, "view 1");
        GradientAssert.Close(Gradient(v => Loss(x1d, v, kappa), x2d), g2, "view 2");
        double kappaFd = support == Support.Sphere ? Derivative(kk => Loss(x1d, x2d, kk), kappa) : 0.0;
        GradientAssert.Close(kappaFd, result.KappaGradient, "kappa");
    }

    [Fact]
    public void Loss_gradient_is_the_chain_of_the_separate_pieces()
    {
        const int k = 12, d = 6;
        float[] x1 = TestData.Normal(k * d, seed: 31), x2 = TestData.Normal(k * d, seed: 32);
        var loss = new ErLoss(Support.Sphere, k, d) { Kappa = 7, ReconstructionWeight = 2, EntropyWeight = 0.5 };
        var g1 = new float[k * d];
        var g2 = new float[k * d];
        ErLossResult result = loss.Compute(x1, x2, g1, g2);

        var z1 = new float[k * d];
        var z2 = new float[k * d];
        RowOps.L2Normalize(x1, k, d, z1);
        RowOps.L2Normalize(x2, k, d, z2);
        TermGradients r = Reconstruction.SphereWithGradient(z1, z2, k, d, 7);
        TermGradients h1 = Entropy.SphereWithGradient(z1, k, d, 7);
        TermGradients h2 = Entropy.SphereWithGradient(z2, k, d, 7);
        float[] dz1 = r.Gradient.Select((v, i) => (2 * v) - (0.5f * 0.5f * h1.Gradient[i])).ToArray();
        float[] dz2 = r.GradientB!.Select((v, i) => (2 * v) - (0.5f * 0.5f * h2.Gradient[i])).ToArray();
        var e1 = new float[k * d];
        var e2 = new float[k * d];
        RowOps.L2NormalizeBackward(x1, dz1, k, d, e1);
        RowOps.L2NormalizeBackward(x2, dz2, k, d, e2);

        Assert.Equal((2 * r.Value) - (0.5 * 0.5 * (h1.Value + h2.Value)), result.Loss, 10);
        Assert.Equal((2 * r.KappaGradient) - (0.5 * 0.5 * (h1.KappaGradient + h2.KappaGradient)), result.KappaGradient, 10);

        // The same float operations in a different grouping: agreement to float rounding.
        GradientAssert.Close(e1.Select(v => (double)v).ToArray(), g1, "view 1", 1e-6);
        GradientAssert.Close(e2.Select(v => (double)v).ToArray(), g2, "view 2", 1e-6);
    }

    [Fact]
    public void Steps_reuse_buffers_and_allocate_nothing()
    {
        const int k = 32, d = 8;
        float[] x1 = TestData.Normal(k * d, seed: 41), x2 = TestData.Normal(k * d, seed: 42);
        var loss = new ErLoss(Support.Sphere, k, d);
        var g1 = new float[k * d];
        var g2 = new float[k * d];
        // Thread bookkeeping only (see GoldenGradientTests): bounded, not proportional to the batch.
        long allocated = AllocationProbe.SteadyStateBytes(() => loss.Compute(x1, x2, g1, g2));
        Assert.True(allocated <= 32768, $"a step allocated {allocated} bytes");
        Assert.True(double.IsFinite(loss.Compute(x1, x2, g1, g2).Loss));

        // Six stacked views, multi-crop, the leave-one-out estimator: the same bound, whatever V.
        float[] views = TestData.Normal(6 * k * d, seed: 43);
        var gradients = new float[views.Length];
        var multi = new ErLoss(Support.Sphere, k, d, views: 6) { GlobalViews = 2, Reduction = EntropyReduction.LeaveOneOut };
        allocated = AllocationProbe.SteadyStateBytes(() => multi.Compute(views, gradients));
        Assert.True(allocated <= 6 * 32768, $"a six-view step allocated {allocated} bytes");
    }

    [Fact]
    public void Settings_are_validated()
    {
        var loss = new ErLoss(Support.Discrete, 2, 2);
        Assert.Throws<ArgumentOutOfRangeException>(() => loss.Kappa = -1);
        Assert.Throws<ArgumentOutOfRangeException>(() => loss.Reduction = EntropyReduction.LeaveOneOut);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ErLoss(Support.Sphere, 1, 3) { Reduction = EntropyReduction.LeaveOneOut });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ErLoss(Support.Sphere, 4, 3, views: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ErLoss(Support.Sphere, 4, 3, views: 3) { GlobalViews = 4 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ErLoss(Support.Sphere, 4, 3, views: 3) { GlobalViews = 0 });
        Assert.Throws<InvalidOperationException>(() => new ErLoss(Support.Sphere, 2, 2, views: 3).Compute(new float[4], new float[4], new float[4], new float[4]));
        Assert.Throws<ArgumentException>(() => new ErLoss(Support.Sphere, 2, 2, views: 3).Compute(new float[8], new float[12]));
        float[] stacked = TestData.Normal(12, seed: 3);
        Assert.Throws<ArgumentException>(() => new ErLoss(Support.Sphere, 2, 2, views: 3).Compute(stacked, stacked));
        Assert.Throws<ArgumentOutOfRangeException>(() => loss.Temperature = double.NaN);

        // What the softmax refuses is refused when set, not at every step after (1e-45 was taken).
        Assert.Equal("value", Assert.Throws<ArgumentOutOfRangeException>(() => loss.Temperature = 1e-45).ParamName);
        loss.Temperature = 3e-39;
        Assert.Equal(3e-39, loss.Temperature);
        Assert.Throws<ArgumentOutOfRangeException>(() => loss.EntropyWeight = double.PositiveInfinity);
        Assert.Throws<ArgumentOutOfRangeException>(() => loss.EntropyOf = (EntropyView)7);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ErLoss(Support.Sphere, 0, 3));
        Assert.Throws<ArgumentException>(() => loss.Compute(new float[4], new float[3], new float[4], new float[4]));
        var shared = new float[4];
        Assert.Throws<ArgumentException>(() => loss.Compute(new float[4], new float[4], shared, shared));
        Assert.Equal("support", Assert.Throws<ArgumentOutOfRangeException>(() => new ErLoss((Support)7, 4, 3)).ParamName);

        // null restores the defaults (validation on), as the property's documentation says.
        var custom = new ErOptions { ValidateInputs = false };
        loss.Options = custom;
        Assert.Same(custom, loss.Options);
        loss.Options = null!;
        Assert.Same(ErOptions.Default, loss.Options);
    }

    [Theory]
    [InlineData(Support.Sphere, true)]
    [InlineData(Support.Sphere, false)]
    [InlineData(Support.Discrete, true)]
    [InlineData(Support.Discrete, false)]
    public void Non_finite_views_are_refused_by_the_callers_name_whether_or_not_validating(Support support, bool validate)
    {
        // The normalization and the softmax need finite rows, so the views are checked either way;
        // unchecked, they were refused by the helper's own name ("x"), an argument the caller never passed.
        const int k = 4, d = 3;
        var options = new ErOptions { ValidateInputs = validate };
        float[] views = TestData.Normal(3 * k * d, seed: 12);
        views[(2 * k * d) + 5] = float.NaN;
        var gradients = new float[views.Length];
        var loss = new ErLoss(support, k, d, views: 3) { Options = options };
        ArgumentException refused = Assert.Throws<ArgumentException>(() => loss.Compute(views, gradients));
        Assert.Equal("views", refused.ParamName);
        Assert.Contains("Element [9, 2] is NaN", refused.Message, StringComparison.Ordinal);

        var pair = new ErLoss(support, k, d) { Options = options };
        float[] view1 = TestData.Normal(k * d, seed: 13), view2 = TestData.Normal(k * d, seed: 14);
        view2[7] = float.PositiveInfinity;
        Assert.Equal("view2", Assert.Throws<ArgumentException>(() => pair.Compute(view1, view2, new float[k * d], new float[k * d])).ParamName);
    }

    [Theory]
    [InlineData(Support.Sphere)]
    [InlineData(Support.Discrete)]
    public void Weights_beyond_float32_are_refused_and_a_gradient_that_overflows_is_an_overflow_not_a_misnamed_argument(Support support)
    {
        // A weight of 1e300 passed the old check and surfaced as "Element [0, 0] is Infinity" about
        // gradZ, an internal buffer the caller never passed.
        var loss = new ErLoss(support, 8, 4);
        foreach (double weight in new[] { 1e300, -double.MaxValue, 3.5e38 })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => loss.EntropyWeight = weight);
            Assert.Contains("float32", e.Message, StringComparison.Ordinal);
            Assert.Throws<ArgumentOutOfRangeException>(() => loss.ReconstructionWeight = weight);
        }

        // float32's largest weight times a gradient above 1 overflows; the caller's gradients stay untouched.
        loss.EntropyWeight = float.MaxValue;
        loss.ReconstructionWeight = -float.MaxValue;
        float[] view1 = TestData.Normal(32, seed: 4), view2 = TestData.Normal(32, seed: 5);
        float[] gradient1 = [.. Enumerable.Repeat(7f, 32)], gradient2 = [.. Enumerable.Repeat(7f, 32)];
        var overflow = Assert.Throws<OverflowException>(() => loss.Compute(view1, view2, gradient1, gradient2));
        Assert.Contains("overflows float32", overflow.Message, StringComparison.Ordinal);
        Assert.All(gradient1, v => Assert.Equal(7f, v));
        Assert.All(gradient2, v => Assert.Equal(7f, v));

        // Only view 2's gradient overflows (view 1 carries neither entropy nor, with a zero weight,
        // reconstruction): the message names view 2. On the sphere the entropy's gradient has
        // entries above 1 at kappa 10; the discrete one's, -(log p + 1) / k, stays below 1 here.
        if (support == Support.Sphere)
        {
            loss.ReconstructionWeight = 0;
            loss.EntropyOf = EntropyView.View2;
            overflow = Assert.Throws<OverflowException>(() => loss.Compute(view1, view2, gradient1, gradient2));
            Assert.Contains("with respect to view 2 overflows", overflow.Message, StringComparison.Ordinal);
            loss.EntropyOf = EntropyView.Mean;
        }

        // The same weights in float range but small enough give finite gradients.
        loss.EntropyWeight = 1e30;
        loss.ReconstructionWeight = -1e30;
        loss.Compute(view1, view2, gradient1, gradient2);
        Assert.All(gradient1, v => Assert.True(float.IsFinite(v)));
    }
}
