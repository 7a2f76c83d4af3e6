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
    /// (relative error below 1e-6), above that evaluated exactly for every pair.
    /// </remarks>
    /// <exception cref="ArgumentException">As for <see cref="Entropy.Sphere(ReadOnlySpan{float}, int, int, double, EntropyReduction, NormalizerMode, ErOptions?)"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">As for <see cref="Entropy.Sphere(ReadOnlySpan{float}, int, int, double, EntropyReduction, NormalizerMode, ErOptions?)"/>.</exception>
    public static MixtureEntropyBounds KernelMixtureBounds(ReadOnlySpan<float> centers, int rows, int columns, double kappa, ErOptions? options = null)
    {
        options ??= ErOptions.Default;
        Validation.CheckSphereInput(centers, rows, columns, kappa, nameof(centers), options);
        int k = rows, d = columns;
        double h = ER.Managed.VonMisesFisher.Entropy(d, kappa);
        double ratio = ER.Managed.VonMisesFisher.BesselRatio(d, kappa);
        double logK = Math.Log(k);
        int degree = options.EffectiveDegreeOfParallelism;

        // Upper: sum_j exp(-kappa A (1 - s_ij)) = e^(-kappa A) sum_j exp(kappa A s_ij), a log-sum-exp at kappa A.
        double meanLse = MeanRowLogSumExp(centers, k, d, kappa * ratio, degree);
        double upper = h + logK + (kappa * ratio) - meanLse;

        // Lower: the Bhattacharyya coefficients summed a row at a time over strips of S.
        double logC = VmfScalar.LogNormalizer(d, kappa);
        double[]? table = kappa <= TableKappaLimit ? CoefficientTable(d, kappa, logC) : null;
        double[] rowSums = ArrayPool<double>.Shared.Rent(k);
        try
        {
            SimilarityStrips.ForEach(centers, k, d, degree, KernelIsa.Best, (r0, m, strip) =>
            {
                for (int r = 0; r < m; r++)
                {
                    double sum = 0;
                    ReadOnlySpan<float> row = strip.AsSpan(r * k, k);
                    foreach (float s in row)
                    {
                        sum += table is not null ? Interpolate(table, s) : Coefficient(d, kappa, logC, s);
                    }

                    rowSums[r0 + r] = sum;
                }
            });

            double meanLog = 0;
            for (int i = 0; i < k; i++)
            {
                meanLog += Math.Log(rowSums[i]);
            }

            double lower = h + logK - (meanLog / k);
            return new MixtureEntropyBounds(lower, upper);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(rowSums);
        }
    }

    /// <summary>(1/k) sum_i log sum_j exp(kappa' z_i.z_j), by the sphere entropy's row states.</summary>
    internal static double MeanRowLogSumExp(ReadOnlySpan<float> z, int k, int d, double scaledKappa, int degree)
    {
        double[] buffer = ArrayPool<double>.Shared.Rent(k);
        try
        {
            Span<double> lse = buffer.AsSpan(0, k);
            SphereEntropy.States(z, k, d, (float)scaledKappa, leaveOneOut: false, lse, default, degree);

            double sum = 0;
            foreach (double v in lse)
            {
                sum += v;
            }

            return sum / k;
        }
        finally
        {
            ArrayPool<double>.Shared.Return(buffer);
        }
    }

    /// <summary>exp(-BD) = C_d(kappa) / C_d(kappa m), m = sqrt((1 + s) / 2); at m = 0, C_d(0) = 1 / |S^(d-1)|.</summary>
    private static double Coefficient(int d, double kappa, double logC, double s)
    {
        double m = Math.Sqrt(Math.Clamp((1.0 + s) * 0.5, 0.0, 1.0));
        double logCm = m * kappa > 0 ? VmfScalar.LogNormalizer(d, m * kappa) : -SpecialFunctions.LogSphereArea(d);
        return Math.Exp(logC - logCm);
    }

    private static double[] CoefficientTable(int d, double kappa, double logC)
    {
        var table = new double[TableIntervals + 1];
        for (int i = 0; i <= TableIntervals; i++)
        {
            table[i] = Coefficient(d, kappa, logC, -1.0 + (2.0 * i / TableIntervals));
        }

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
