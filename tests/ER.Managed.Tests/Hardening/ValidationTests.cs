using System.Collections.Generic;
using ER.Managed.Estimation;
using ER.Managed.Npy;

namespace ER.Managed.Tests.Hardening;

/// <summary>
/// Every public entry point refuses bad input with an exception that names the argument and says
/// what was expected. Each row below fails if its check is removed (the call would return a
/// number, throw something else, or name another argument).
/// </summary>
public class ValidationTests
{
    private const int K = 4, D = 3;
    private static readonly float[] Unit = TestData.UnitRows(K, D, seed: 1);
    private static readonly float[] Probabilities = TestData.ProbabilityRows(K, D, seed: 2);

    private static float[] With(float[] x, int index, float value)
    {
        float[] copy = (float[])x.Clone();
        copy[index] = value;
        return copy;
    }

    private static float[] Grad(int length = K * D) => new float[length];

    /// <summary>The sphere reconstruction with gradients, one gradient sharing its first element's place with the last of a or b.</summary>
    private static void RecWithGradientOverlapping(char gradientAOverlaps = ' ', char gradientBOverlaps = ' ')
    {
        float[] memory = new float[(4 * K * D) + 1];
        Span<float> a = memory.AsSpan(0, K * D), b = memory.AsSpan(K * D, K * D);
        Unit.CopyTo(a);
        Unit.CopyTo(b);
        Span<float> gradientA = memory.AsSpan(2 * K * D, K * D), gradientB = memory.AsSpan((3 * K * D) + 1, K * D);
        int lastOfA = (K * D) - 1, lastOfB = (2 * K * D) - 1;
        if (gradientAOverlaps != ' ')
        {
            gradientA = memory.AsSpan(gradientAOverlaps == 'a' ? lastOfA : lastOfB, K * D);
        }

        if (gradientBOverlaps != ' ')
        {
            gradientB = memory.AsSpan(gradientBOverlaps == 'a' ? lastOfA : lastOfB, K * D);
        }

        Reconstruction.SphereWithGradient(a, b, K, D, gradientA, gradientB);
    }

    /// <summary>(description, call, expected exception type, expected parameter name, text the message must contain).</summary>
    public static IEnumerable<object[]> Cases()
    {
        var cases = new List<(string, Action, Type, string, string)>
        {
            // Shapes and lengths.
            ("sphere k = 0", () => Entropy.Sphere(Unit, 0, D), typeof(ArgumentOutOfRangeException), "rows", "at least 1"),
            ("sphere d = 0", () => Entropy.Sphere(Unit, K, 0), typeof(ArgumentOutOfRangeException), "columns", "at least 1"),
            ("sphere length", () => Entropy.Sphere(Unit.AsSpan(1).ToArray(), K, D), typeof(ArgumentException), "z", "Expected 4 x 3 = 12"),
            ("discrete length", () => Entropy.Discrete(Probabilities, K, D + 1), typeof(ArgumentException), "w", "Expected"),
            ("rec length b", () => Reconstruction.Sphere(Unit, Unit.AsSpan(0, 9).ToArray(), K, D), typeof(ArgumentException), "b", "Expected"),
            ("gradient length", () => Entropy.SphereWithGradient(Unit, K, D, Grad(11)), typeof(ArgumentException), "gradient", "exactly 12"),
            ("gradient B length", () => Reconstruction.DiscreteWithGradient(Probabilities, Probabilities, K, D, Grad(), Grad(13)), typeof(ArgumentException), "gradientB", "exactly 12"),

            // Non-finite inputs, with their position.
            ("NaN in z", () => Entropy.Sphere(With(Unit, 7, float.NaN), K, D), typeof(ArgumentException), "z", "[2, 1]"),
            ("inf in w", () => Entropy.Discrete(With(Probabilities, 11, float.PositiveInfinity), K, D), typeof(ArgumentException), "w", "[3, 2]"),
            ("-inf in b", () => Reconstruction.Sphere(Unit, With(Unit, 0, float.NegativeInfinity), K, D), typeof(ArgumentException), "b", "[0, 0]"),
            ("NaN in raw view", () => new ErLoss(Support.Sphere, K, D).Compute(Unit, With(Unit, 5, float.NaN), Grad(), Grad()), typeof(ArgumentException), "view2", "[1, 2]"),

            // Kappa.
            ("kappa negative", () => Reconstruction.Sphere(Unit, Unit, K, D, -1), typeof(ArgumentOutOfRangeException), "kappa", "at least 0"),
            ("kappa negative entropy", () => Entropy.Sphere(Unit, K, D, -1e-300), typeof(ArgumentOutOfRangeException), "kappa", "at least 0"),
            ("reference at kappa 0", () => Entropy.Sphere(Unit, K, D, 0, normalizer: NormalizerMode.Reference), typeof(ArgumentOutOfRangeException), "kappa", "not finite at kappa = 0"),
            ("leave-one-out of one row", () => Entropy.Sphere(new float[] { 1, 0 }, 1, 2, 10, EntropyReduction.LeaveOneOut), typeof(ArgumentOutOfRangeException), "rows", "at least 2 rows"),
            ("leave-one-out discrete", () => Entropy.Discrete(new float[] { 0.5f, 0.5f }, 1, 2, EntropyReduction.LeaveOneOut), typeof(ArgumentOutOfRangeException), "reduction", "sphere estimator"),
            ("kappa NaN", () => Entropy.SphereWithGradient(Unit, K, D, double.NaN), typeof(ArgumentOutOfRangeException), "kappa", "finite"),
            ("kappa inf", () => VonMisesFisher.LogNormalizer(D, double.PositiveInfinity), typeof(ArgumentOutOfRangeException), "kappa", "finite"),
            ("kappa beyond float", () => Entropy.Sphere(Unit, K, D, 1e39), typeof(ArgumentOutOfRangeException), "kappa", "representable as a finite float32"),
            ("kappa rounds to 0 in float", () => Entropy.Sphere(Unit, K, D, 1e-50), typeof(ArgumentOutOfRangeException), "kappa", "rounds to 0 in float32"),
            ("kappa rounds to 0, reconstruction", () => Reconstruction.SphereWithGradient(Unit, Unit, K, D, 7e-46), typeof(ArgumentOutOfRangeException), "kappa", "rounds to 0 in float32"),
            ("reference overflow", () => Entropy.Sphere(Unit, K, D, 1000, normalizer: NormalizerMode.Reference), typeof(ArgumentOutOfRangeException), "kappa", "overflows"),
            ("kappa above the terms' limit", () => Entropy.SphereWithGradient(Unit, K, D, 2e10), typeof(ArgumentOutOfRangeException), "kappa", "at most 1e10"),
            ("kappa above the limit, leave-one-out", () => Entropy.SphereLeaveOneOut(Unit, K, D, 1.0000001e10), typeof(ArgumentOutOfRangeException), "kappa", "at most 1e10"),
            ("kappa above the limit, reconstruction", () => Reconstruction.Sphere(Unit, Unit, K, D, 1e20), typeof(ArgumentOutOfRangeException), "kappa", "at most 1e10"),
            ("kappa above the limit, loss", () => new ErLoss(Support.Sphere, K, D).Kappa = 1e12, typeof(ArgumentOutOfRangeException), "kappa", "at most 1e10"),
            ("kappa above the limit, shards", () => SphereEntropyShards.RowStates(Unit, K, D, 0, K, new double[K * SphereEntropyShards.StateWidth], 3e38), typeof(ArgumentOutOfRangeException), "kappa", "at most 1e10"),
            ("kappa above the limit, likelihood", () => KappaSelection.LeaveOneOutLogLikelihood(Unit, K, D, 1e11, out _), typeof(ArgumentOutOfRangeException), "kappa", "at most 1e10"),

            // Row constraints.
            ("sphere rows not unit", () => Entropy.Sphere(With(Unit, 0, 5f), K, D), typeof(ArgumentException), "z", "Row 0 has norm"),
            ("rec rows not unit", () => Reconstruction.SphereWithGradient(Unit, With(Unit, 4, 0f), K, D), typeof(ArgumentException), "b", "Row 1 has norm"),
            ("discrete negative", () => Entropy.Discrete(With(Probabilities, 4, -0.5f), K, D), typeof(ArgumentException), "w", "[1, 1]"),
            ("discrete negative in the first column", () => Entropy.Discrete(With(Probabilities, 6, -0.5f), K, D), typeof(ArgumentException), "w", "Element [2, 0] is -0.5"),
            ("discrete negative subnormal", () => Entropy.Discrete(With(Probabilities, 1, -float.Epsilon), K, D), typeof(ArgumentException), "w", "Element [0, 1]"),
            ("discrete sum of a row with zeros", () => Entropy.Discrete(new float[] { 0f, 0.5f, 0f, 0f, 1f, 0f }, 2, D), typeof(ArgumentException), "w", "Row 0 sums to 0.5"),
            ("discrete sum", () => Entropy.DiscreteWithGradient(With(Probabilities, 8, 3f), K, D), typeof(ArgumentException), "w", "Row 2 sums to"),
            ("rec discrete sum", () => Reconstruction.Discrete(Probabilities, With(Probabilities, 0, 2f), K, D), typeof(ArgumentException), "b", "Row 0 sums to"),

            // Overlapping outputs.
            ("gradient overlaps z", () =>
            {
                float[] both = new float[2 * K * D];
                Unit.CopyTo(both, 0);
                Entropy.SphereWithGradient(both.AsSpan(0, K * D), K, D, both.AsSpan(K * D / 2, K * D));
            }, typeof(ArgumentException), "gradient", "overlaps"),
            ("gradients overlap each other", () =>
            {
                float[] shared = Grad();
                Reconstruction.SphereWithGradient(Unit, Unit, K, D, shared, shared);
            }, typeof(ArgumentException), "gradientB", "overlaps"),
            ("normalize partial overlap", () =>
            {
                float[] x = new float[(K * D) + 1];
                RowOps.L2Normalize(x.AsSpan(0, K * D), K, D, x.AsSpan(1, K * D));
            }, typeof(ArgumentException), "z", "partly overlaps"),
            ("gram overlap", () =>
            {
                float[] x = new float[K * K];
                Gram.Compute(x.AsSpan(0, K * D), K, D, x);
            }, typeof(ArgumentException), "result", "overlaps"),

            // Each entry point's own checks (every public method checks its arguments itself).
            ("sphere gradient normalizer", () => Entropy.SphereWithGradient(Unit, K, D, Grad(), normalizer: (NormalizerMode)9), typeof(ArgumentOutOfRangeException), "normalizer", "Exact"),
            ("sphere normalizer", () => Entropy.Sphere(Unit, K, D, normalizer: (NormalizerMode)9), typeof(ArgumentOutOfRangeException), "normalizer", "Exact"),
            ("sphere gradient leave-one-out of one row", () => Entropy.SphereWithGradient(new float[] { 1, 0 }, 1, 2, new float[2], reduction: EntropyReduction.LeaveOneOut), typeof(ArgumentOutOfRangeException), "rows", "at least 2 rows"),
            ("discrete gradient length", () => Entropy.DiscreteWithGradient(Probabilities, K, D, Grad(K * D - 1)), typeof(ArgumentException), "gradient", "exactly 12"),
            ("discrete gradient overlaps w", () =>
            {
                float[] both = new float[2 * K * D];
                Probabilities.CopyTo(both, 0);
                Entropy.DiscreteWithGradient(both.AsSpan(0, K * D), K, D, both.AsSpan(1, K * D));
            }, typeof(ArgumentException), "gradient", "overlaps the input 'w'"),
            ("discrete gradient leave-one-out", () => Entropy.DiscreteWithGradient(Probabilities, K, D, Grad(), EntropyReduction.LeaveOneOut), typeof(ArgumentOutOfRangeException), "reduction", "sphere estimator"),
            ("knn d = 1", () => Entropy.SphereKnn(new float[] { 1, -1, 1, -1, 1, -1 }, 6, 1), typeof(ArgumentOutOfRangeException), "columns", "d >= 2"),
            ("knn neighbors 0", () => Entropy.SphereKnn(Unit, K, D, 0), typeof(ArgumentOutOfRangeException), "neighbors", "at least 1"),
            ("knn rows not unit", () => Entropy.SphereKnn(With(Unit, 3, 2f), K, D, 1), typeof(ArgumentException), "z", "Row 1 has norm"),
            ("rec sphere gradient normalizer", () => Reconstruction.SphereWithGradient(Unit, Unit, K, D, Grad(), Grad(), normalizer: (NormalizerMode)9), typeof(ArgumentOutOfRangeException), "normalizer", "Exact"),
            ("rec gradient A length", () => Reconstruction.SphereWithGradient(Unit, Unit, K, D, Grad(13), Grad()), typeof(ArgumentException), "gradientA", "exactly 12"),
            ("rec gradient A overlaps a", () => RecWithGradientOverlapping(gradientAOverlaps: 'a'), typeof(ArgumentException), "gradientA", "overlaps the input 'a'"),
            ("rec gradient A overlaps b", () => RecWithGradientOverlapping(gradientAOverlaps: 'b'), typeof(ArgumentException), "gradientA", "overlaps the input 'b'"),
            ("rec gradient B overlaps a", () => RecWithGradientOverlapping(gradientBOverlaps: 'a'), typeof(ArgumentException), "gradientB", "overlaps the input 'a'"),
            ("rec gradient B overlaps b", () => RecWithGradientOverlapping(gradientBOverlaps: 'b'), typeof(ArgumentException), "gradientB", "overlaps the input 'b'"),
            ("rec discrete a not probability rows", () => Reconstruction.Discrete(With(Probabilities, 0, 2f), Probabilities, K, D), typeof(ArgumentException), "a", "Row 0 sums to"),
            ("rec sphere gradient a not unit", () => Reconstruction.SphereWithGradient(With(Unit, 0, 2f), Unit, K, D, Grad(), Grad()), typeof(ArgumentException), "a", "Row 0 has norm"),
            ("rec discrete gradient a shape", () => Reconstruction.DiscreteWithGradient(Probabilities.AsSpan(1).ToArray(), Probabilities, K, D), typeof(ArgumentException), "a", "Expected 4 x 3 = 12"),
            ("gram z length", () => Gram.Compute(Unit.AsSpan(1).ToArray(), K, D, new float[K * K]), typeof(ArgumentException), "z", "Expected 4 x 3 = 12"),
            ("gram product a shape", () => Gram.MultiplyTransposed(Unit.AsSpan(1).ToArray(), K, Unit, K, D, new float[K * K]), typeof(ArgumentException), "a", "Expected 4 x 3 = 12"),
            ("gram product b shape", () => Gram.MultiplyTransposed(Unit, K, Unit.AsSpan(1).ToArray(), K, D, new float[K * K]), typeof(ArgumentException), "b", "Expected 4 x 3 = 12"),
            ("gram product result overlaps a", () =>
            {
                float[] x = new float[(K * D) + (K * K)];
                Gram.MultiplyTransposed(x.AsSpan(0, K * D), K, Unit, K, D, x.AsSpan(K * D - 1, K * K));
            }, typeof(ArgumentException), "result", "overlaps the input 'a'"),
            ("gram product result overlaps b", () =>
            {
                float[] x = new float[(K * D) + (K * K)];
                Gram.MultiplyTransposed(Unit, K, x.AsSpan(0, K * D), K, D, x.AsSpan(K * D - 1, K * K));
            }, typeof(ArgumentException), "result", "overlaps the input 'b'"),
            ("gram product NaN in a", () => Gram.MultiplyTransposed(With(Unit, 4, float.NaN), K, Unit, K, D, new float[K * K]), typeof(ArgumentException), "a", "[1, 1]"),
            ("gram product inf in b", () => Gram.MultiplyTransposed(Unit, K, With(Unit, 11, float.NegativeInfinity), K, D, new float[K * K]), typeof(ArgumentException), "b", "[3, 2]"),
            ("normalize x length", () => RowOps.L2Normalize(Unit.AsSpan(1).ToArray(), K, D, Grad()), typeof(ArgumentException), "x", "Expected 4 x 3 = 12"),
            ("normalize NaN", () => RowOps.L2Normalize(With(Unit, 2, float.NaN), K, D, Grad()), typeof(ArgumentException), "x", "[0, 2]"),
            ("normalize backward x length", () => RowOps.L2NormalizeBackward(Unit.AsSpan(1).ToArray(), Unit, K, D, Grad()), typeof(ArgumentException), "x", "Expected 4 x 3 = 12"),
            ("normalize backward gradZ length", () => RowOps.L2NormalizeBackward(Unit, Grad(11), K, D, Grad()), typeof(ArgumentException), "gradZ", "exactly 12"),
            ("normalize backward gradX length", () => RowOps.L2NormalizeBackward(Unit, Unit, K, D, Grad(13)), typeof(ArgumentException), "gradX", "exactly 12"),
            ("normalize backward gradX overlaps x", () =>
            {
                float[] x = (float[])Unit.Clone();
                RowOps.L2NormalizeBackward(x, Unit, K, D, x);
            }, typeof(ArgumentException), "gradX", "overlaps the input 'x'"),
            ("normalize backward gradX overlaps gradZ", () =>
            {
                float[] g = (float[])Unit.Clone();
                RowOps.L2NormalizeBackward(Unit, g, K, D, g);
            }, typeof(ArgumentException), "gradX", "overlaps the input 'gradZ'"),
            ("normalize backward norm floor", () => RowOps.L2NormalizeBackward(Unit, Unit, K, D, Grad(), 0f), typeof(ArgumentOutOfRangeException), "epsilon", "positive"),
            ("normalize backward NaN in x", () => RowOps.L2NormalizeBackward(With(Unit, 5, float.NaN), Unit, K, D, Grad()), typeof(ArgumentException), "x", "[1, 2]"),
            ("normalize backward inf in gradZ", () => RowOps.L2NormalizeBackward(Unit, With(Unit, 9, float.PositiveInfinity), K, D, Grad()), typeof(ArgumentException), "gradZ", "[3, 0]"),
            ("softmax x length", () => RowOps.Softmax(Probabilities.AsSpan(1).ToArray(), K, D, Grad()), typeof(ArgumentException), "x", "Expected 4 x 3 = 12"),
            ("softmax p length", () => RowOps.Softmax(Probabilities, K, D, Grad(11)), typeof(ArgumentException), "p", "exactly 12"),
            ("softmax NaN", () => RowOps.Softmax(With(Probabilities, 7, float.NaN), K, D, Grad()), typeof(ArgumentException), "x", "[2, 1]"),
            ("softmax backward p length", () => RowOps.SoftmaxBackward(Probabilities.AsSpan(1).ToArray(), Probabilities, K, D, Grad()), typeof(ArgumentException), "p", "Expected 4 x 3 = 12"),
            ("softmax backward gradP length", () => RowOps.SoftmaxBackward(Probabilities, Grad(11), K, D, Grad()), typeof(ArgumentException), "gradP", "exactly 12"),
            ("softmax backward gradX length", () => RowOps.SoftmaxBackward(Probabilities, Grad(), K, D, Grad(13)), typeof(ArgumentException), "gradX", "exactly 12"),
            ("softmax backward gradX overlaps p", () =>
            {
                float[] p = (float[])Probabilities.Clone();
                RowOps.SoftmaxBackward(p, Grad(), K, D, p);
            }, typeof(ArgumentException), "gradX", "overlaps the input 'p'"),
            ("softmax backward NaN in p", () => RowOps.SoftmaxBackward(With(Probabilities, 0, float.NaN), Grad(), K, D, Grad()), typeof(ArgumentException), "p", "[0, 0]"),
            ("softmax backward inf in gradP", () => RowOps.SoftmaxBackward(Probabilities, With(Grad(), 10, float.NegativeInfinity), K, D, Grad()), typeof(ArgumentException), "gradP", "[3, 1]"),

            // Enums and options.
            ("reduction", () => Entropy.Sphere(Unit, K, D, reduction: (EntropyReduction)5), typeof(ArgumentOutOfRangeException), "reduction", "Expectation"),
            ("discrete reduction", () => Entropy.Discrete(Probabilities, K, D, (EntropyReduction)7), typeof(ArgumentOutOfRangeException), "reduction", "Use EntropyReduction.Expectation or EntropyReduction.Average"),
            ("normalizer", () => Reconstruction.Sphere(Unit, Unit, K, D, normalizer: (NormalizerMode)(-1)), typeof(ArgumentOutOfRangeException), "normalizer", "Exact"),
            ("degree of parallelism", () => _ = new ErOptions { MaxDegreeOfParallelism = 0 }, typeof(ArgumentOutOfRangeException), "MaxDegreeOfParallelism", "-1"),
            ("tolerance", () => _ = new ErOptions { UnitNormTolerance = double.NaN }, typeof(ArgumentOutOfRangeException), "UnitNormTolerance", "non-negative"),

            // Helpers, special functions, files.
            ("temperature", () => RowOps.Softmax(Probabilities, K, D, Grad(), 0), typeof(ArgumentOutOfRangeException), "temperature", "positive"),
            ("norm floor", () => RowOps.L2Normalize(Unit, K, D, Grad(), -1f), typeof(ArgumentOutOfRangeException), "epsilon", "positive"),
            ("norm floor 0", () => RowOps.L2Normalize(Unit, K, D, Grad(), 0f), typeof(ArgumentOutOfRangeException), "epsilon", "positive"),
            ("norm floor NaN", () => RowOps.L2Normalize(Unit, K, D, Grad(), float.NaN), typeof(ArgumentOutOfRangeException), "epsilon", "positive"),
            ("negative temperature", () => RowOps.Softmax(Probabilities, K, D, Grad(), -1), typeof(ArgumentOutOfRangeException), "temperature", "positive"),
            ("temperature whose inverse overflows float", () => RowOps.Softmax(Probabilities, K, D, Grad(), 1e-39), typeof(ArgumentOutOfRangeException), "temperature", "1/t finite"),
            ("softmax backward overlap", () =>
            {
                float[] g = Grad();
                RowOps.SoftmaxBackward(Probabilities, g, K, D, g);
            }, typeof(ArgumentException), "gradX", "overlaps"),
            ("bessel order", () => VonMisesFisher.LogBesselI(-1, 1), typeof(ArgumentOutOfRangeException), "order", "-1/2"),
            ("vmf span kappa negative", () => VonMisesFisher.LogNormalizer(D, new double[] { 1, -1 }, new double[2]), typeof(ArgumentOutOfRangeException), "kappa", "kappa[1] = -1 must be finite"),
            ("vmf float span kappa NaN", () => VonMisesFisher.Entropy(D, new float[] { 2, 3, float.NaN }, new float[3]), typeof(ArgumentOutOfRangeException), "kappa", "kappa[2] = NaN"),
            ("vmf span destination length", () => VonMisesFisher.BesselRatio(D, new double[] { 1, 2 }, new double[3]), typeof(ArgumentException), "destination", "exactly 2 elements"),
            ("vmf outputs overlap", () =>
            {
                double[] shared = new double[2];
                VonMisesFisher.Evaluate(D, new double[] { 1, 2 }, default, shared, default, shared);
            }, typeof(ArgumentException), "entropy", "'logNormalizer' and 'entropy' overlap"),
            ("dimension", () => VonMisesFisher.Entropy(0, 1), typeof(ArgumentOutOfRangeException), "dimension", "at least 1"),
            ("loss batch", () => _ = new ErLoss(Support.Sphere, K, 0), typeof(ArgumentOutOfRangeException), "columns", "at least 1"),
            ("npy shape", () => NpyFile.Write(new System.IO.MemoryStream(), new float[5], [2, 2]), typeof(ArgumentException), "shape", "holds 4 elements, the data 5"),
            ("gram product length", () => Gram.MultiplyTransposed(Unit, K, Unit, K, D, new float[K * K + 1]), typeof(ArgumentException), "result", "exactly 16"),
        };
        foreach ((string name, Action call, Type type, string parameter, string text) in cases)
        {
            yield return new object[] { name, new BadCall(call, type, parameter, text) };
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Bad_input_is_refused_with_the_argument_named(string name, BadCall c)
    {
        Exception e = Assert.Throws(c.Type, c.Call);
        var argument = Assert.IsAssignableFrom<ArgumentException>(e);
        Assert.True(argument.ParamName == c.Parameter, $"{name}: parameter '{argument.ParamName}', expected '{c.Parameter}'");
        Assert.Contains(c.Text, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Skipping_validation_accepts_what_the_checks_would_refuse()
    {
        var off = new ErOptions { ValidateInputs = false };
        float[] raw = With(Unit, 0, 5f);
        Assert.True(double.IsFinite(Entropy.Sphere(raw, K, D, options: off)));
        Assert.True(double.IsFinite(Entropy.Discrete(With(Probabilities, 0, 3f), K, D, options: off)));
        Assert.True(double.IsFinite(Entropy.SphereWithGradient(raw, K, D, Grad(), options: off).Value));
        Assert.True(double.IsFinite(Entropy.DiscreteWithGradient(With(Probabilities, 0, 3f), K, D, Grad(), options: off)));
        Assert.True(double.IsFinite(Entropy.SphereKnn(raw, K, D, 1, off)));
        Assert.True(double.IsFinite(Reconstruction.SphereWithGradient(raw, Unit, K, D, Grad(), Grad(), options: off).Value));
        Assert.True(double.IsFinite(Reconstruction.DiscreteWithGradient(With(Probabilities, 0, 3f), Probabilities, K, D, Grad(), Grad(), options: off)));
        float[] product = new float[K * K];
        Gram.MultiplyTransposed(With(Unit, 0, float.NaN), K, Unit, K, D, product, off);
        Assert.True(float.IsNaN(product[0]));
        Gram.Compute(With(Unit, 0, float.NaN), K, D, product, off);
        Assert.True(float.IsNaN(product[0]));

        // Shapes and kappa are checked whatever the options say.
        Assert.Throws<ArgumentException>(() => Entropy.Sphere(raw, K, D + 1, options: off));
        Assert.Throws<ArgumentOutOfRangeException>(() => Entropy.Sphere(raw, K, D, -1, options: off));
    }

    [Fact]
    public void Values_at_the_edges_of_the_checks_are_accepted()
    {
        // Each bound is inclusive where the docs say "at most" or "at least": a check made strict
        // (or off by one) refuses one of these.
        Assert.True(double.IsFinite(Entropy.Sphere(Unit, K, D, Entropy.MaxKappa)));
        Assert.True(double.IsFinite(Entropy.Sphere(Unit, K, D, float.Epsilon)));
        Assert.True(double.IsFinite(Entropy.Sphere(Unit, K, D, 0)));
        Assert.True(double.IsFinite(Entropy.Sphere(new float[] { 1, 0, 0, 1 }, 2, 2, 10, EntropyReduction.LeaveOneOut)));

        // Tolerance 0: rows exactly unit, or summing exactly to 1 in float, still pass.
        float[] oneHot = [1, 0, 0, 0, 1, 0, 0, 0, 1];
        var exact = new ErOptions { UnitNormTolerance = 0, ProbabilitySumTolerance = 0 };
        Assert.True(double.IsFinite(Entropy.Sphere(oneHot, 3, 3, options: exact)));
        Assert.True(double.IsFinite(Entropy.Discrete(oneHot, 3, 3, options: exact)));

        // kappa = 0 in the span forms of the vMF functions.
        double[] entropies = new double[2];
        VonMisesFisher.Entropy(D, new double[] { 0, 1 }, entropies);
        Assert.Equal(VonMisesFisher.Entropy(D, 0.0), entropies[0]);

        // The smallest positive norm floor and a temperature whose inverse is just finite in float.
        float[] normalized = new float[K * D];
        RowOps.L2Normalize(Unit, K, D, normalized, float.Epsilon);
        for (int i = 0; i < Unit.Length; i++)
        {
            // Unit rows divided by their float norm (within an ulp or two of 1): 1e-6 is about 8 ulps.
            Assert.Equal(Unit[i], normalized[i], 1e-6f);
        }

        float[] p = new float[K * D];
        RowOps.Softmax(Probabilities, K, D, p, 1.0 / 3e38);
        Assert.All(p, v => Assert.True(v is >= 0 and <= 1));
    }

    [Fact]
    public void Raising_the_tolerance_is_the_documented_way_to_accept_slightly_unnormalized_rows()
    {
        float[] z = (float[])Unit.Clone();
        for (int i = 0; i < D; i++)
        {
            z[i] *= 1.01f;
        }

        Assert.Throws<ArgumentException>(() => Entropy.Sphere(z, K, D));
        Assert.True(double.IsFinite(Entropy.Sphere(z, K, D, options: new ErOptions { UnitNormTolerance = 0.05 })));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void The_first_bad_row_is_named_when_rows_are_checked_in_several_blocks(int threads)
    {
        // 16384 columns: blocks of 4 rows. Rows 6 and 9 are bad; row 6, in the second block, is named.
        const int Rows = 12, Columns = 16384;
        var options = new ErOptions { MaxDegreeOfParallelism = threads };
        float[] w = TestData.ProbabilityRows(Rows, Columns, seed: 4);
        w[(9 * Columns) + 5] = -0.5f;
        w[(6 * Columns) + 11] = -0.25f;
        var discrete = Assert.Throws<ArgumentException>(() => Entropy.Discrete(w, Rows, Columns, options: options));
        Assert.Contains("Element [6, 11]", discrete.Message, StringComparison.Ordinal);

        float[] z = TestData.UnitRows(Rows, Columns, seed: 5);
        z[(9 * Columns) + 2] = 0.5f;
        z[(6 * Columns) + 3] = 0.5f;
        var sphere = Assert.Throws<ArgumentException>(() => Entropy.Sphere(z, Rows, Columns, options: options));
        Assert.Contains("Row 6 has norm", sphere.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(129)]
    public void Rows_are_checked_up_to_the_last_at_any_count_of_row_blocks(int rows)
    {
        // 1024 columns: blocks of 64 rows. Valid rows pass whether the last block is whole or not, and
        // a bad last row is found in it.
        const int Columns = 1024;
        var options = new ErOptions { MaxDegreeOfParallelism = 2 };
        float[] z = TestData.UnitRows(rows, Columns, seed: 6);
        float[] w = TestData.ProbabilityRows(rows, Columns, seed: 7);
        Assert.True(double.IsFinite(Entropy.Sphere(z, rows, Columns, options: options)));
        Assert.True(double.IsFinite(Entropy.Discrete(w, rows, Columns, options: options)));

        z[((rows - 1) * Columns) + 1] = 2f;
        var sphere = Assert.Throws<ArgumentException>(() => Entropy.Sphere(z, rows, Columns, options: options));
        Assert.StartsWith($"Row {rows - 1} has norm", sphere.Message, StringComparison.Ordinal);
        w[(rows - 1) * Columns] = 2f;
        var discrete = Assert.Throws<ArgumentException>(() => Entropy.Discrete(w, rows, Columns, options: options));
        Assert.StartsWith($"Row {rows - 1} sums to", discrete.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1e30f)]
    [InlineData(1e-40f)]
    public void A_refused_row_is_named_with_its_true_norm_where_a_float_sum_of_squares_overflows_or_underflows(float scale)
    {
        // The row's squares overflow (1e60) or underflow (1e-80) in float, not in double: the
        // message states the row's norm, not infinity or 0. Tolerance 1e-8 relative: the message
        // prints 9 significant digits of a double sum of 8 exact squares.
        const int Rows = 4, Columns = 8;
        float[] z = TestData.UnitRows(Rows, Columns, seed: 8);
        double expectedSquared = 0;
        for (int c = 0; c < Columns; c++)
        {
            float scaled = z[(2 * Columns) + c] * scale;
            z[(2 * Columns) + c] = scaled;
            expectedSquared += (double)scaled * scaled;
        }

        var error = Assert.Throws<ArgumentException>(() => Entropy.Sphere(z, Rows, Columns));
        var match = System.Text.RegularExpressions.Regex.Match(error.Message, "^Row 2 has norm ([^;]+);");
        Assert.True(match.Success, error.Message);
        double reported = double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(1.0, reported / Math.Sqrt(expectedSquared), 1e-8);
    }

    /// <summary>A call and what it must throw.</summary>
    public sealed record BadCall(Action Call, Type Type, string Parameter, string Text)
    {
        public override string ToString() => Parameter;
    }
}
