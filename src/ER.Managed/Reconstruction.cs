using System.Buffers;
using ER.Managed.Kernels;
using ER.Managed.Terms;

namespace ER.Managed;

/// <summary>
/// Reconstruction terms of the ER objective between two views of the same batch (row i of
/// one view pairs with row i of the other), in nats; row-major float32, k rows of dimension d.
/// Thread-safe and allocation-free.
/// </summary>
public static partial class Reconstruction
{
    /// <summary>
    /// The sphere reconstruction <c>R = (1/k) sum_i (-kappa &lt;p1_i, p2_i&gt; + c)</c>, c = -log C_d(kappa)
    /// (no log k term).
    /// </summary>
    /// <param name="a">View 1, rows x columns, unit rows.</param>
    /// <param name="b">View 2, rows x columns, unit rows.</param>
    /// <param name="rows">The batch size k (at least 1).</param>
    /// <param name="columns">The dimension d (at least 1).</param>
    /// <param name="kappa">The vMF concentration (default 10); from 0 (the uniform limit) to <see cref="Entropy.MaxKappa"/>.</param>
    /// <param name="normalizer">The constant c: exact (default) or the original's reference form.</param>
    /// <param name="options">Validation and threading settings; null for <see cref="ErOptions.Default"/>.</param>
    /// <returns>R, in nats.</returns>
    /// <exception cref="ArgumentException">A span's length is not rows x columns, or (when validating) an element is not finite or a row is not unit norm.</exception>
    /// <exception cref="ArgumentOutOfRangeException">rows or columns below 1; kappa not finite, negative or above <see cref="Entropy.MaxKappa"/>; an undefined enum value; or, in reference mode, a kappa where the original's constant overflows.</exception>
    public static double Sphere(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int rows, int columns,
        double kappa = Entropy.DefaultKappa, NormalizerMode normalizer = NormalizerMode.Exact, ErOptions? options = null)
    {
        options = CheckSphereViews(a, b, rows, columns, kappa, options);
        Validation.CheckNormalizer(normalizer);
        double c = VonMisesFisher.ConstantUnchecked(columns, kappa, normalizer);
        return c - (kappa * ReconstructionTerm.MeanRowDot(a, b, rows, columns, options.EffectiveDegreeOfParallelism, KernelIsa.Best));
    }

    /// <summary>
    /// The discrete reconstruction
    /// <c>R = (1/k) sum_i 0.5 (-sum_c p1_ic log(p2_ic + eps) - sum_c p2_ic log(p1_ic + eps))</c>, eps = 1e-7.
    /// </summary>
    /// <param name="a">View 1, rows x columns, probability rows.</param>
    /// <param name="b">View 2, rows x columns, probability rows.</param>
    /// <param name="rows">The batch size k (at least 1).</param>
    /// <param name="columns">The number of categories d (at least 1).</param>
    /// <param name="options">Validation and threading settings; null for <see cref="ErOptions.Default"/>.</param>
    /// <returns>R, in nats.</returns>
    /// <exception cref="ArgumentException">A span's length is not rows x columns, or (when validating) an element is not finite, is negative, or a row does not sum to 1.</exception>
    /// <exception cref="ArgumentOutOfRangeException">rows or columns below 1.</exception>
    public static double Discrete(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int rows, int columns, ErOptions? options = null)
    {
        options = CheckDiscreteViews(a, b, rows, columns, options);
        return ReconstructionTerm.Discrete(a, b, rows, columns, options.EffectiveDegreeOfParallelism, KernelIsa.Best);
    }

    /// <summary>
    /// The sphere reconstruction (see <see cref="Sphere(ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, double, NormalizerMode, ErOptions?)"/>) with its gradients
    /// <c>dR/da_i = -(kappa/k) b_i</c>, <c>dR/db_i = -(kappa/k) a_i</c> and
    /// <c>dR/dkappa = dc/dkappa - (1/k) sum_i &lt;a_i, b_i&gt;</c>.
    /// </summary>
    /// <param name="a">View 1, rows x columns, unit rows.</param>
    /// <param name="b">View 2, rows x columns, unit rows.</param>
    /// <param name="rows">The batch size k (at least 1).</param>
    /// <param name="columns">The dimension d (at least 1).</param>
    /// <param name="gradientA">Output: dR/da, rows x columns; must not overlap the inputs.</param>
    /// <param name="gradientB">Output: dR/db, rows x columns; must not overlap the inputs or <paramref name="gradientA"/>.</param>
    /// <param name="kappa">The vMF concentration (default 10); from 0 (the uniform limit) to <see cref="Entropy.MaxKappa"/>.</param>
    /// <param name="normalizer">The constant c: exact (default) or reference.</param>
    /// <param name="options">Validation and threading settings; null for <see cref="ErOptions.Default"/>.</param>
    /// <returns>R in nats and dR/dkappa.</returns>
    /// <exception cref="ArgumentException">As for <see cref="Sphere(ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, double, NormalizerMode, ErOptions?)"/>, or an output has the wrong length or overlaps.</exception>
    /// <exception cref="ArgumentOutOfRangeException">As for <see cref="Sphere(ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, double, NormalizerMode, ErOptions?)"/>.</exception>
    public static SphereTermResult SphereWithGradient(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int rows, int columns, Span<float> gradientA, Span<float> gradientB,
        double kappa = Entropy.DefaultKappa, NormalizerMode normalizer = NormalizerMode.Exact, ErOptions? options = null)
    {
        options = CheckSphereViews(a, b, rows, columns, kappa, options);
        CheckOutputs(a, b, gradientA, gradientB);
        Validation.CheckNormalizer(normalizer);
        double c = VonMisesFisher.ConstantUnchecked(columns, kappa, normalizer);
        double dc = VonMisesFisher.ConstantDerivativeUnchecked(columns, kappa, normalizer);
        double meanDot = ReconstructionTerm.SphereBackward(a, b, rows, columns, kappa, gradientA, gradientB, options.EffectiveDegreeOfParallelism, KernelIsa.Best);
        return new SphereTermResult(c - (kappa * meanDot), dc - meanDot);
    }

    /// <summary>As the span overload of <c>SphereWithGradient</c>, allocating both gradients.</summary>
    /// <param name="a">View 1, rows x columns, unit rows.</param>
    /// <param name="b">View 2, rows x columns, unit rows.</param>
    /// <param name="rows">The batch size k (at least 1).</param>
    /// <param name="columns">The dimension d (at least 1).</param>
    /// <param name="kappa">The vMF concentration (default 10); from 0 (the uniform limit) to <see cref="Entropy.MaxKappa"/>.</param>
    /// <param name="normalizer">The constant c: exact (default) or reference.</param>
    /// <param name="options">Validation and threading settings; null for <see cref="ErOptions.Default"/>.</param>
    /// <returns>R, dR/dkappa and new dR/da, dR/db arrays.</returns>
    /// <exception cref="ArgumentException">As for <see cref="Sphere(ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, double, NormalizerMode, ErOptions?)"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">As for <see cref="Sphere(ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, double, NormalizerMode, ErOptions?)"/>.</exception>
    public static TermGradients SphereWithGradient(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int rows, int columns,
        double kappa = Entropy.DefaultKappa, NormalizerMode normalizer = NormalizerMode.Exact, ErOptions? options = null)
    {
        Validation.CheckShape(a.Length, rows, columns, nameof(a));
        var gradientA = new float[a.Length];
        var gradientB = new float[a.Length];
        SphereTermResult result = SphereWithGradient(a, b, rows, columns, gradientA, gradientB, kappa, normalizer, options);
        return new TermGradients(result.Value, result.KappaGradient, gradientA, gradientB, rows, columns);
    }

    /// <summary>
    /// The discrete reconstruction (see <see cref="Discrete(ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, ErOptions?)"/>) with its gradients
    /// <c>dR/da_ic = (1/(2k)) (-log(b_ic + eps) - b_ic / (a_ic + eps))</c> and symmetrically for b, in one pass.
    /// </summary>
    /// <param name="a">View 1, rows x columns, probability rows.</param>
    /// <param name="b">View 2, rows x columns, probability rows.</param>
    /// <param name="rows">The batch size k (at least 1).</param>
    /// <param name="columns">The number of categories d (at least 1).</param>
    /// <param name="gradientA">Output: dR/da, rows x columns; must not overlap the inputs.</param>
    /// <param name="gradientB">Output: dR/db, rows x columns; must not overlap the inputs or <paramref name="gradientA"/>.</param>
    /// <param name="options">Validation and threading settings; null for <see cref="ErOptions.Default"/>.</param>
    /// <returns>R, in nats.</returns>
    /// <exception cref="ArgumentException">As for <see cref="Discrete(ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, ErOptions?)"/>, or an output has the wrong length or overlaps.</exception>
    /// <exception cref="ArgumentOutOfRangeException">rows or columns below 1.</exception>
    public static double DiscreteWithGradient(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int rows, int columns, Span<float> gradientA, Span<float> gradientB,
        ErOptions? options = null)
    {
        options = CheckDiscreteViews(a, b, rows, columns, options);
        CheckOutputs(a, b, gradientA, gradientB);
        return ReconstructionTerm.DiscreteBackward(a, b, rows, columns, gradientA, gradientB, options.EffectiveDegreeOfParallelism, KernelIsa.Best);
    }

    /// <summary>As the span overload of <c>DiscreteWithGradient</c>, allocating both gradients.</summary>
    /// <param name="a">View 1, rows x columns, probability rows.</param>
    /// <param name="b">View 2, rows x columns, probability rows.</param>
    /// <param name="rows">The batch size k (at least 1).</param>
    /// <param name="columns">The number of categories d (at least 1).</param>
    /// <param name="options">Validation and threading settings; null for <see cref="ErOptions.Default"/>.</param>
    /// <returns>R and new dR/da, dR/db arrays (KappaGradient is 0).</returns>
    /// <exception cref="ArgumentException">As for <see cref="Discrete(ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, ErOptions?)"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">rows or columns below 1.</exception>
    public static TermGradients DiscreteWithGradient(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int rows, int columns, ErOptions? options = null)
    {
        Validation.CheckShape(a.Length, rows, columns, nameof(a));
        var gradientA = new float[a.Length];
        var gradientB = new float[a.Length];
        double value = DiscreteWithGradient(a, b, rows, columns, gradientA, gradientB, options);
        return new TermGradients(value, 0.0, gradientA, gradientB, rows, columns);
    }

    private static ErOptions CheckSphereViews(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int rows, int columns, double kappa, ErOptions? options)
    {
        options ??= ErOptions.Default;
        Validation.CheckSphereInput(a, rows, columns, kappa, nameof(a), options);
        Validation.CheckSphereInput(b, rows, columns, kappa, nameof(b), options);
        return options;
    }

    private static ErOptions CheckDiscreteViews(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int rows, int columns, ErOptions? options)
    {
        options ??= ErOptions.Default;
        Validation.CheckDiscreteInput(a, rows, columns, nameof(a), options);
        Validation.CheckDiscreteInput(b, rows, columns, nameof(b), options);
        return options;
    }

    private static void CheckOutputs(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> gradientA, Span<float> gradientB)
    {
        Validation.CheckDestination(gradientA.Length, a.Length, nameof(gradientA));
        Validation.CheckDestination(gradientB.Length, a.Length, nameof(gradientB));
        Validation.CheckNoOverlap(a, gradientA, nameof(a), nameof(gradientA));
        Validation.CheckNoOverlap(b, gradientA, nameof(b), nameof(gradientA));
        Validation.CheckNoOverlap(a, gradientB, nameof(a), nameof(gradientB));
        Validation.CheckNoOverlap(b, gradientB, nameof(b), nameof(gradientB));
        Validation.CheckNoOverlap(gradientA, gradientB, nameof(gradientA), nameof(gradientB));
    }
}
