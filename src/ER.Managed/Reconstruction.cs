using System;
using ER.Managed.Kernels;
using ER.Managed.Terms;

namespace ER.Managed;

/// <summary>
/// Reconstruction terms of the ER objective between two views of the same batch (row i of
/// one view pairs with row i of the other), in nats; row-major float32, k rows of dimension d.
/// Thread-safe and allocation-free.
/// </summary>
public static class Reconstruction
{
    /// <summary>
    /// The sphere reconstruction <c>R = (1/k) sum_i (-kappa &lt;p1_i, p2_i&gt; + c)</c>, c = -log C_d(kappa)
    /// (no log k term).
    /// </summary>
    /// <param name="a">View 1, rows x columns, unit rows.</param>
    /// <param name="b">View 2, rows x columns, unit rows.</param>
    /// <param name="rows">The batch size k (at least 1).</param>
    /// <param name="columns">The dimension d (at least 1).</param>
    /// <param name="kappa">The vMF concentration (default 10); finite and positive.</param>
    /// <param name="normalizer">The constant c: exact (default) or the original's reference form.</param>
    /// <param name="options">Validation and threading settings; null for <see cref="ErOptions.Default"/>.</param>
    /// <returns>R, in nats.</returns>
    /// <exception cref="ArgumentException">A span's length is not rows x columns, or (when validating) an element is not finite or a row is not unit norm.</exception>
    /// <exception cref="ArgumentOutOfRangeException">rows or columns below 1; kappa not finite and positive; an undefined enum value; or, in reference mode, a kappa where the original's constant overflows.</exception>
    public static double Sphere(
        ReadOnlySpan<float> a,
        ReadOnlySpan<float> b,
        int rows,
        int columns,
        double kappa = Entropy.DefaultKappa,
        NormalizerMode normalizer = NormalizerMode.Exact,
        ErOptions? options = null)
    {
        options ??= ErOptions.Default;
        Entropy.CheckSphereInput(a, rows, columns, kappa, nameof(a), options);
        Entropy.CheckSphereInput(b, rows, columns, kappa, nameof(b), options);
        Entropy.CheckNormalizer(normalizer);
        double c = VonMisesFisher.ConstantUnchecked(columns, kappa, normalizer);
        return c - (kappa * ReconstructionTerm.MeanRowDot(a, b, rows, columns, KernelIsa.Best));
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
    public static double Discrete(
        ReadOnlySpan<float> a,
        ReadOnlySpan<float> b,
        int rows,
        int columns,
        ErOptions? options = null)
    {
        options ??= ErOptions.Default;
        Entropy.CheckDiscreteInput(a, rows, columns, nameof(a), options);
        Entropy.CheckDiscreteInput(b, rows, columns, nameof(b), options);
        return ReconstructionTerm.Discrete(a, b, rows, columns, KernelIsa.Best);
    }
}
