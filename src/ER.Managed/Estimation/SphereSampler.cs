using System.Globalization;
using ER.Managed.Numerics;

namespace ER.Managed.Estimation;

/// <summary>
/// Seeded samplers on the unit sphere S^(d-1) for estimator studies: uniform, von Mises-Fisher
/// (Wood 1994) and mixtures of vMFs. The same seed gives the same samples on every machine and
/// runtime (the generator is xoshiro256** seeded through SplitMix64, not System.Random).
/// Not thread-safe: use one sampler per thread.
/// </summary>
/// <remarks>
/// Wood's rejection sampler draws <c>w = mu . x</c> from its marginal and a uniform direction
/// orthogonal to mu. Every quantity that would cancel at large kappa or d is written in a
/// cancellation-free form (<c>1 - x0</c>, <c>w - x0</c> and <c>1 - x0 w</c> from b and the Beta draw), so
/// d up to 1e4 and kappa up to 1e4 and beyond neither overflow nor lose the acceptance test;
/// the expected number of proposals stays below about 1.5 over that range, and the loop is
/// bounded (an exception after 10^6 rejections, which would indicate a bug).
/// </remarks>
public sealed class SphereSampler
{
    private const int MaxRejections = 1_000_000;
    private readonly SeededRandom _random;

    /// <summary>Creates a sampler whose stream is fixed by <paramref name="seed"/>.</summary>
    /// <param name="seed">Any 64-bit seed.</param>
    public SphereSampler(ulong seed) => _random = new SeededRandom(seed);

    /// <summary>Fills <paramref name="destination"/> (count x dimension, row-major) with points uniform on S^(d-1).</summary>
    /// <param name="count">Number of points (at least 1).</param>
    /// <param name="dimension">d (at least 1).</param>
    /// <param name="destination">Output, count x dimension floats.</param>
    /// <exception cref="ArgumentOutOfRangeException">count or dimension below 1.</exception>
    /// <exception cref="ArgumentException">The destination's length is not count x dimension.</exception>
    public void Uniform(int count, int dimension, Span<float> destination)
    {
        Validation.CheckShape(destination.Length, count, dimension, nameof(destination), nameof(count), nameof(dimension));
        for (int i = 0; i < count; i++)
        {
            UniformDirection(destination.Slice(i * dimension, dimension));
        }
    }

    /// <summary>
    /// Fills <paramref name="destination"/> (count x d, row-major) with draws from vMF(mean, kappa) on S^(d-1).
    /// </summary>
    /// <param name="mean">The mean direction mu, d floats of unit norm (within 1e-3).</param>
    /// <param name="kappa">The concentration; finite and &gt;= 0 (0 is the uniform distribution).</param>
    /// <param name="count">Number of points (at least 1).</param>
    /// <param name="destination">Output, count x d floats.</param>
    /// <exception cref="ArgumentException">The mean is empty, not unit or not finite, or the destination's length is wrong.</exception>
    /// <exception cref="ArgumentOutOfRangeException">kappa negative or not finite, or count below 1.</exception>
    public void VonMisesFisher(ReadOnlySpan<float> mean, double kappa, int count, Span<float> destination)
    {
        int d = mean.Length;
        CheckMean(mean, nameof(mean));
        CheckConcentration(kappa);
        Validation.CheckShape(destination.Length, count, d, nameof(destination), nameof(count), nameof(mean));
        double[] unit = Normalized(mean);
        for (int i = 0; i < count; i++)
        {
            VonMisesFisherPoint(unit, kappa, destination.Slice(i * d, d));
        }
    }

    /// <summary>
    /// Fills <paramref name="destination"/> (count x d) with draws from the equal-weight mixture of
    /// vMF(means_c, kappa), c = 0..components-1: each point picks a component uniformly at random.
    /// </summary>
    /// <param name="means">The components' mean directions, components x d, unit rows.</param>
    /// <param name="components">Number of components (at least 1).</param>
    /// <param name="kappa">The common concentration; finite and &gt;= 0.</param>
    /// <param name="count">Number of points (at least 1).</param>
    /// <param name="destination">Output, count x d floats.</param>
    /// <exception cref="ArgumentException">A mean is not unit or not finite, or a length is wrong.</exception>
    /// <exception cref="ArgumentOutOfRangeException">components, count below 1, or kappa negative or not finite.</exception>
    public void Mixture(ReadOnlySpan<float> means, int components, double kappa, int count, Span<float> destination)
    {
        if (components < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(components), components, "At least one component is needed.");
        }

        if (means.Length % components != 0 || means.Length == 0)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Expected components x d floats, got {means.Length} for {components} components."), nameof(means));
        }

        int d = means.Length / components;
        for (int c = 0; c < components; c++)
        {
            CheckMean(means.Slice(c * d, d), nameof(means));
        }

        CheckConcentration(kappa);
        Validation.CheckShape(destination.Length, count, d, nameof(destination), nameof(count), nameof(means));
        var unit = new double[means.Length];
        for (int c = 0; c < components; c++)
        {
            Normalized(means.Slice(c * d, d)).CopyTo(unit, c * d);
        }

        for (int i = 0; i < count; i++)
        {
            int c = (int)(_random.NextUInt64() % (ulong)components);
            VonMisesFisherPoint(unit.AsSpan(c * d, d), kappa, destination.Slice(i * d, d));
        }
    }

    private void UniformDirection(Span<float> x)
    {
        // A standard normal vector normalized (redrawn in the measure-zero case of a zero vector),
        // in double from the float coordinates: one rounding a coordinate, so that d = 1 gives
        // exactly +-1 (a float scale factor gave 0.99999994).
        while (true)
        {
            double norm = 0;
            for (int j = 0; j < x.Length; j++)
            {
                x[j] = (float)_random.NextNormal();
                norm += (double)x[j] * x[j];
            }

            if (norm > 0)
            {
                double length = Math.Sqrt(norm);
                for (int j = 0; j < x.Length; j++)
                {
                    x[j] = (float)(x[j] / length);
                }

                return;
            }
        }
    }

    /// <summary>The mean renormalized in double: the float mean is unit only to float rounding, and the projection below needs it exact.</summary>
    private static double[] Normalized(ReadOnlySpan<float> mean)
    {
        double norm = 0;
        foreach (float v in mean)
        {
            norm += (double)v * v;
        }

        var unit = new double[mean.Length];
        double inverse = 1.0 / Math.Sqrt(norm);
        for (int j = 0; j < mean.Length; j++)
        {
            unit[j] = mean[j] * inverse;
        }

        return unit;
    }

    private void VonMisesFisherPoint(ReadOnlySpan<double> mean, double kappa, Span<float> x)
    {
        int d = mean.Length;
        if (kappa == 0)
        {
            UniformDirection(x);
            return;
        }

        if (d == 1)
        {
            // S^0 = {-1, +1}: P(+mu) = e^k / (e^k + e^-k) = 1 / (1 + e^-2k).
            double plus = 1.0 / (1.0 + Math.Exp(-2.0 * kappa));
            x[0] = (float)(_random.NextDouble() < plus ? mean[0] : -mean[0]);
            return;
        }

        double w = Wood(d, kappa);

        // A uniform direction orthogonal to mu: a normal vector minus its projection on mu.
        Span<double> v = d <= 1024 ? stackalloc double[d] : new double[d];
        double norm;
        do
        {
            double dot = 0;
            for (int j = 0; j < d; j++)
            {
                v[j] = _random.NextNormal();
                dot += v[j] * mean[j];
            }

            norm = 0;
            for (int j = 0; j < d; j++)
            {
                v[j] -= dot * mean[j];
                norm += v[j] * v[j];
            }
        }
        while (!(norm > 1e-300));

        double scale = Math.Sqrt(Math.Max(0.0, (1.0 - w) * (1.0 + w)) / norm);
        for (int j = 0; j < d; j++)
        {
            x[j] = (float)((w * mean[j]) + (scale * v[j]));
        }
    }

    /// <summary>Wood's rejection sampler for <c>w = mu . x</c> on S^(d-1), d &gt;= 2, kappa &gt; 0.</summary>
    private double Wood(int d, double kappa)
    {
        double m = d - 1;

        // b = (-2k + sqrt(4k^2 + m^2)) / m = r / (1 + sqrt(1 + r^2)), r = m / (2k): without the
        // cancellation at large kappa, and without squaring kappa (4k^2 overflowed from kappa ~ 1e154,
        // b became 0 and every proposal was rejected). r overflows to infinity for kappa near the
        // smallest doubles, where the second form gives b = 1.
        double r = 0.5 * m / kappa;
        double b = r <= 1.0 ? r / (1.0 + Math.Sqrt(1.0 + (r * r))) : 1.0 / ((1.0 / r) + Math.Sqrt((1.0 / (r * r)) + 1.0));
        double x0 = (1.0 - b) / (1.0 + b);
        double oneMinusX0 = 2.0 * b / (1.0 + b);
        double logOneMinusX0Squared = Math.Log(4.0 * b) - (2.0 * Math.Log(1.0 + b));
        for (int attempt = 0; attempt < MaxRejections; attempt++)
        {
            double z = Beta(0.5 * m);
            double denominator = 1.0 - ((1.0 - b) * z);
            double w = (1.0 - ((1.0 + b) * z)) / denominator;

            // kappa (w - x0) + m (log(1 - x0 w) - log(1 - x0^2)) >= log u, every piece cancellation-free:
            // w - x0 = 2b (1 - 2z) / ((1 + b)(1 - (1-b)z)), 1 - x0 w = (1 - x0) + x0 (1 - w), 1 - w = 2bz / (1 - (1-b)z).
            double wMinusX0 = 2.0 * b * (1.0 - (2.0 * z)) / ((1.0 + b) * denominator);
            double oneMinusX0W = oneMinusX0 + (x0 * 2.0 * b * z / denominator);
            double test = (kappa * wMinusX0) + (m * (Math.Log(oneMinusX0W) - logOneMinusX0Squared));
            if (test >= Math.Log(1.0 - _random.NextDouble()))
            {
                return w;
            }
        }

        throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"Wood's sampler rejected {MaxRejections} proposals at d = {d}, kappa = {kappa}."));
    }

    /// <summary>A symmetric Beta(a, a) variate as G1 / (G1 + G2) of two Gamma(a) variates (internal: tested directly).</summary>
    internal double Beta(double a)
    {
        double g1 = Gamma(a), g2 = Gamma(a);
        return g1 / (g1 + g2);
    }

    /// <summary>A Gamma(a, 1) variate (Marsaglia and Tsang 2000; a &lt; 1 through Gamma(a + 1) U^(1/a)).</summary>
    internal double Gamma(double a)
    {
        if (a < 1.0)
        {
            double u = 1.0 - _random.NextDouble();
            return Gamma(a + 1.0) * Math.Pow(u, 1.0 / a);
        }

        double dd = a - (1.0 / 3.0);
        double c = 1.0 / Math.Sqrt(9.0 * dd);
        while (true)
        {
            double x, v;
            do
            {
                x = _random.NextNormal();
                v = 1.0 + (c * x);
            }
            while (v <= 0.0);

            v = v * v * v;
            double u = 1.0 - _random.NextDouble();
            if (Math.Log(u) < (0.5 * x * x) + (dd * (1.0 - v + Math.Log(v))))
            {
                return dd * v;
            }
        }
    }

    private static void CheckMean(ReadOnlySpan<float> mean, string name)
    {
        if (mean.IsEmpty)
        {
            throw new ArgumentException("The mean direction must have at least one coordinate.", name);
        }

        Validation.CheckFinite(mean, mean.Length, name);
        double norm = 0;
        foreach (float v in mean)
        {
            norm += (double)v * v;
        }

        if (Math.Abs(norm - 1.0) > 1e-3)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"A mean direction must be a unit vector; its norm is {Math.Sqrt(norm):G6}."), name);
        }
    }

    private static void CheckConcentration(double kappa)
    {
        if (!double.IsFinite(kappa) || kappa < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(kappa), kappa, "kappa must be finite and non-negative.");
        }
    }
}
