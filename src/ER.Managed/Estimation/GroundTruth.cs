using ER.Managed.Numerics;
using ER.Managed.Kernels.VmfNormalizer;
using System.Buffers;
using ER.Managed.Kernels;
using ER.Managed.Terms;

namespace ER.Managed.Estimation;

/// <summary>
/// Entropies that estimator studies compare against, in nats: of the uniform distribution on
/// S^(d-1), of a vMF, and bounds on the entropy of the vMF kernel-density mixture that the sphere
/// estimators actually target.
/// </summary>
public static class GroundTruth
{
    /// <summary>Table size of the Bhattacharyya coefficient (see <see cref="KernelMixtureBounds"/>).</summary>
    private const int TableIntervals = 1 << 16;

    /// <summary>Above this concentration the coefficient is evaluated exactly per pair instead of from the table.</summary>
    private const double TableKappaLimit = 1000;

    /// <summary>
    /// Entropy of the uniform distribution on S^(d-1): <c>log |S^(d-1)| = log 2 + (d/2) log pi - lgamma(d/2)</c>
    /// (2.531024 for d = 3, -127.053457 for d = 128).
    /// </summary>
    /// <param name="dimension">d (at least 1).</param>
    /// <returns>The entropy in nats.</returns>
    /// <exception cref="ArgumentOutOfRangeException">dimension below 1.</exception>
    public static double UniformSphere(int dimension)
    {
        Validation.CheckDimension(dimension);
        return SpecialFunctions.LogSphereArea(dimension);
    }

    /// <summary>Entropy of vMF(kappa) on S^(d-1), <c>-log C_d(kappa) - kappa A_d(kappa)</c> (0.535292 for d = 3, kappa = 10).</summary>
    /// <param name="dimension">d (at least 1).</param>
    /// <param name="kappa">The concentration; finite and at least 0.</param>
    /// <returns>The entropy in nats.</returns>
    /// <exception cref="ArgumentOutOfRangeException">dimension below 1 or kappa not finite or negative.</exception>
    public static double VonMisesFisher(int dimension, double kappa) => ER.Managed.VonMisesFisher.Entropy(dimension, kappa);

    /// <summary>
    /// The Kolchinsky-Tracey bounds on the entropy of the equal-weight mixture
    /// <c>p(x) = (1/k) sum_i vMF(x; z_i, kappa)</c> whose density the sphere estimators plug in:
    /// <c>H_vMF - (1/k) sum_i log (1/k) sum_j exp(-D(z_i, z_j)) </c> with D the Bhattacharyya
    /// distance (lower bound) or the KL divergence <c>kappa A_d(kappa) (1 - z_i.z_j)</c> (upper bound).
    /// </summary>
    /// <param name="centers">The kernel centers, rows x columns, unit rows.</param>
    /// <param name="rows">k (at least 1).</param>
    /// <param name="columns">d (at least 1).</param>
    /// <param name="kappa">The kernel concentration; from 0 to <see cref="Entropy.MaxKappa"/>.</param>
    /// <param name="options">Validation and threading settings; null for <see cref="ErOptions.Default"/>.</param>
    /// <returns>The lower and upper bounds, in nats.</returns>
    /// <remarks>
    /// The Bhattacharyya coefficient of two vMF(kappa) kernels is <c>C_d(kappa) / C_d(kappa m)</c> with
    /// <c>m = ||z_i + z_j|| / 2 = sqrt((1 + z_i.z_j) / 2)</c>, a smooth function of z_i.z_j alone; for
    /// kappa up to 1000 it is tabulated at 65,537 points on [-1, 1] and interpolated linearly
    /// (relative error below 1e-6), above that evaluated exactly for every pair. Both sums are
    /// formed pair by pair in double from the float32 similarities (clamped to [-1, 1]), a center's
    /// own pair counting exactly 1; since the Bhattacharyya distance never exceeds the KL divergence,
    /// each Bhattacharyya term is taken at least as large as its KL term, so <c>Lower &lt;= Upper</c>
    /// at every kappa.
    /// </remarks>
    /// <exception cref="ArgumentException">As for <see cref="Entropy.Sphere(ReadOnlySpan{float}, int, int, double, EntropyReduction, NormalizerMode, ErOptions?)"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">As for <see cref="Entropy.Sphere(ReadOnlySpan{float}, int, int, double, EntropyReduction, NormalizerMode, ErOptions?)"/>.</exception>
    public static MixtureEntropyBounds KernelMixtureBounds(ReadOnlySpan<float> centers, int rows, int columns, double kappa, ErOptions? options = null)
    {
        options ??= ErOptions.Default;
        Validation.CheckSphereInput(centers, rows, columns, kappa, nameof(centers), options);
        int k = rows, d = columns;
        double h = ER.Managed.VonMisesFisher.Entropy(d, kappa);
        double klScale = kappa * ER.Managed.VonMisesFisher.BesselRatio(d, kappa);
        double logC = VmfScalar.LogNormalizer(d, kappa);
        double[]? table = kappa <= TableKappaLimit ? CoefficientTable(d, kappa, logC) : null;
        double[] sums = ArrayPool<double>.Shared.Rent(2 * k);
        try
        {
            // Both sums pair by pair in double, over strips of S. A row's own pair is exactly 1 in both
            // (D(z_i, z_i) = 0), not the float32 s_ii, which kappa would magnify. exp(-KL) is formed
            // directly, not as a log-sum-exp at kappa A less kappa A: at kappa 1e8 those two of size kappa
            // left the upper bound 0.9 nats below the lower one. BD <= KL for every pair, so each
            // Bhattacharyya term is at least its KL term (the table's interpolation cannot break
            // that), and the lower bound never exceeds the upper one.
            SimilarityStrips.ForEach(centers, k, d, options.EffectiveDegreeOfParallelism, KernelIsa.Best, (r0, m, strip) =>
            {
                // Above the table's range, a row's coefficients come from one batch of log C_d(kappa m_j).
                double[]? coefficients = table is null ? ArrayPool<double>.Shared.Rent(2 * k) : null;
                try
                {
                    for (int r = 0; r < m; r++)
                    {
                        int i = r0 + r;
                        ReadOnlySpan<float> row = strip.AsSpan(r * k, k);
                        if (coefficients is not null)
                        {
                            Coefficients(d, kappa, logC, row, coefficients.AsSpan(0, k), coefficients.AsSpan(k, k));
                        }

                        double bhattacharyya = 0, kl = 0;
                        for (int j = 0; j < k; j++)
                        {
                            if (j == i)
                            {
                                bhattacharyya += 1.0;
                                kl += 1.0;
                                continue;
                            }

                            double klTerm = Math.Exp(-klScale * (1.0 - Math.Clamp(row[j], -1f, 1f)));
                            double coefficient = coefficients is not null ? coefficients[j] : Interpolate(table!, row[j]);
                            bhattacharyya += Math.Max(coefficient, klTerm);
                            kl += klTerm;
                        }

                        sums[i] = bhattacharyya;
                        sums[k + i] = kl;
                    }
                }
                finally
                {
                    if (coefficients is not null)
                    {
                        ArrayPool<double>.Shared.Return(coefficients);
                    }
                }
            });

            double meanLogBhattacharyya = 0, meanLogKl = 0;
            for (int i = 0; i < k; i++)
            {
                meanLogBhattacharyya += Math.Log(sums[i]);
                meanLogKl += Math.Log(sums[k + i]);
            }

            double logK = Math.Log(k);
            return new MixtureEntropyBounds(h + logK - (meanLogBhattacharyya / k), h + logK - (meanLogKl / k));
        }
        finally
        {
            ArrayPool<double>.Shared.Return(sums);
        }
    }

    /// <summary>
    /// exp(-BD) = C_d(kappa) / C_d(kappa m), m = sqrt((1 + s) / 2), for every similarity s in one batch
    /// of the vectorized normalizer (C_d(0) = 1 / |S^(d-1)| at m = 0, as the kernel gives it).
    /// </summary>
    private static void Coefficients(int d, double kappa, double logC, ReadOnlySpan<float> similarities, Span<double> coefficients, Span<double> scratch)
    {
        for (int j = 0; j < similarities.Length; j++)
        {
            scratch[j] = kappa * Math.Sqrt(Math.Clamp((1.0 + similarities[j]) * 0.5, 0.0, 1.0));
        }

        var destinations = new VmfDestinations(default, coefficients, default, default);
        VmfNormalizerKernel.Evaluate(KernelIsa.Best, VmfParameters.ForDimension(d, destinations.Requested), scratch, destinations);
        for (int j = 0; j < coefficients.Length; j++)
        {
            coefficients[j] = Math.Exp(logC - coefficients[j]);
        }
    }

    private static double[] CoefficientTable(int d, double kappa, double logC)
    {
        var table = new double[TableIntervals + 1];
        var similarities = new float[TableIntervals + 1];
        for (int i = 0; i <= TableIntervals; i++)
        {
            similarities[i] = (float)(-1.0 + (2.0 * i / TableIntervals));
        }

        Coefficients(d, kappa, logC, similarities, table, new double[TableIntervals + 1]);
        return table;
    }

    private static double Interpolate(double[] table, float s)
    {
        double position = Math.Clamp((s + 1.0) * 0.5 * TableIntervals, 0.0, TableIntervals);
        int i = Math.Min((int)position, TableIntervals - 1);
        double t = position - i;
        return table[i] + (t * (table[i + 1] - table[i]));
    }
}
