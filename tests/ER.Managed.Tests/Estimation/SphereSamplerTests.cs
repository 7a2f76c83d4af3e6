using System.Linq;
using ER.Managed.Estimation;

namespace ER.Managed.Tests.Estimation;

/// <summary>Sampler statistics with fixed seeds: each check is at about five standard errors, so a correct sampler fails it with probability below 1e-6.</summary>
public class SphereSamplerTests
{
    private static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double sum = 0;
        for (int j = 0; j < a.Length; j++)
        {
            sum += (double)a[j] * b[j];
        }

        return sum;
    }

    private static float[] Axis(int d)
    {
        var mu = new float[d];
        mu[0] = 1f;
        return mu;
    }

    [Theory]
    [InlineData(2, 1.0, 20000)]
    [InlineData(3, 10.0, 20000)]
    [InlineData(16, 0.5, 20000)]
    [InlineData(128, 50.0, 5000)]
    [InlineData(1000, 1000.0, 2000)]
    [InlineData(10000, 10000.0, 500)]
    [InlineData(10000, 10.0, 500)]
    [InlineData(5, 1e5, 2000)]
    public void Von_mises_fisher_mean_resultant_length_matches_the_bessel_ratio(int d, double kappa, int n)
    {
        var sampler = new SphereSampler((ulong)(d + (int)kappa));
        float[] mu = TestData.UnitRows(1, d, seed: d);
        var x = new float[n * d];
        sampler.VonMisesFisher(mu, kappa, n, x);
        double sum = 0;
        var squares = new double[n];
        for (int i = 0; i < n; i++)
        {
            double dot = 0, norm = 0;
            for (int j = 0; j < d; j++)
            {
                dot += (double)mu[j] * x[(i * d) + j];
                norm += (double)x[(i * d) + j] * x[(i * d) + j];
            }

            Assert.Equal(1.0, norm, 4);
            sum += dot;
            squares[i] = dot * dot;
        }

        // E[mu.x] = A_d(kappa); Var[mu.x] = 1 - A^2 - (d-1) A / kappa.
        double a = VonMisesFisher.BesselRatio(d, kappa);
        double variance = Math.Max(1e-12, 1 - (a * a) - ((d - 1) * a / kappa));
        double standardError = Math.Sqrt(variance / n);
        Assert.True(Math.Abs((sum / n) - a) <= (5 * standardError) + 1e-6, $"d={d} kappa={kappa}: mean {sum / n}, A_d {a}, se {standardError}");

        // The second moment too (the mean alone let a broken Gamma or Beta draw through, being
        // symmetric): E[(mu.x)^2] = 1 - (d-1) A / kappa, within 5 standard errors of the sample's.
        double secondMoment = squares.Average();
        double squaresError = Math.Sqrt(squares.Sum(q => (q - secondMoment) * (q - secondMoment)) / (n - 1) / n);
        double want = 1 - ((d - 1) * a / kappa);
        Assert.True(Math.Abs(secondMoment - want) <= (5 * squaresError) + 1e-6, $"d={d} kappa={kappa}: E[w^2] {secondMoment}, want {want}, se {squaresError}");
    }

    [Theory]
    [InlineData(0.25)]
    [InlineData(0.5)]
    [InlineData(1.0)]
    [InlineData(2.5)]
    [InlineData(40.0)]
    public void Gamma_and_symmetric_beta_draws_have_their_first_two_moments(double shape)
    {
        // Gamma(a): mean a, variance a, central fourth moment 3a(a + 2); Beta(a, a): mean 1/2,
        // variance 1 / (4 (2a + 1)). Each sample moment within 5 standard errors (n = 100,000).
        const int n = 100_000;
        var sampler = new SphereSampler(17);
        double[] gamma = new double[n], beta = new double[n];
        for (int i = 0; i < n; i++)
        {
            gamma[i] = sampler.Gamma(shape);
            beta[i] = sampler.Beta(shape);
        }

        static (double Mean, double Variance) Moments(double[] v)
        {
            double mean = v.Average();
            return (mean, v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1));
        }

        (double gammaMean, double gammaVariance) = Moments(gamma);
        Assert.True(Math.Abs(gammaMean - shape) <= 5 * Math.Sqrt(shape / n), $"Gamma({shape}) mean {gammaMean}");
        double varianceError = Math.Sqrt(((3 * shape * (shape + 2)) - (shape * shape)) / n);
        Assert.True(Math.Abs(gammaVariance - shape) <= 5 * varianceError, $"Gamma({shape}) variance {gammaVariance}");
        Assert.All(gamma, g => Assert.True(g > 0));

        (double betaMean, double betaVariance) = Moments(beta);
        double wantVariance = 1 / (4 * ((2 * shape) + 1));
        Assert.True(Math.Abs(betaMean - 0.5) <= 5 * Math.Sqrt(wantVariance / n), $"Beta({shape}) mean {betaMean}");
        Assert.True(Math.Abs(betaVariance - wantVariance) <= 5 * wantVariance * Math.Sqrt(2.0 / n), $"Beta({shape}) variance {betaVariance} vs {wantVariance}");
    }

    [Fact]
    public void Uniform_samples_are_centred_with_isotropic_second_moments_and_archimedes_marginal()
    {
        const int n = 40000, d = 3;
        var x = new float[n * d];
        new SphereSampler(11).Uniform(n, d, x);
        for (int j = 0; j < d; j++)
        {
            double mean = 0, second = 0;
            for (int i = 0; i < n; i++)
            {
                mean += x[(i * d) + j];
                second += (double)x[(i * d) + j] * x[(i * d) + j];
            }

            // E x_j = 0 (variance 1/d), E x_j^2 = 1/d (variance 1/5 - 1/9 for d = 3).
            Assert.True(Math.Abs(mean / n) <= 5 * Math.Sqrt(1.0 / d / n), $"mean {mean / n}");
            Assert.True(Math.Abs((second / n) - (1.0 / d)) <= 5 * Math.Sqrt(((1.0 / 5) - (1.0 / 9)) / n), $"second moment {second / n}");
        }

        // On S^2 each coordinate is uniform on [-1, 1] (Archimedes): Kolmogorov-Smirnov at the 1e-6 level.
        double[] first = Enumerable.Range(0, n).Select(i => (double)x[i * d]).OrderBy(v => v).ToArray();
        double ks = first.Select((v, i) => Math.Max(Math.Abs(((i + 1.0) / n) - ((v + 1) / 2)), Math.Abs((i / (double)n) - ((v + 1) / 2)))).Max();
        Assert.True(ks < 2.7 / Math.Sqrt(n), $"KS statistic {ks}");
    }

    [Fact]
    public void One_dimensional_vmf_picks_the_mean_with_the_right_probability()
    {
        const int n = 50000;
        var x = new float[n];
        new SphereSampler(3).VonMisesFisher([1f], 0.5, n, x);
        double plus = x.Count(v => v > 0) / (double)n;
        double p = 1 / (1 + Math.Exp(-1.0));
        Assert.True(Math.Abs(plus - p) <= 5 * Math.Sqrt(p * (1 - p) / n), $"{plus} vs {p}");
        Assert.All(x, v => Assert.Equal(1f, Math.Abs(v)));
    }

    [Theory]
    [InlineData(4)]
    [InlineData(1)]
    public void Mixture_samples_cluster_around_their_components(int components)
    {
        // kappa = 2000 in d = 8: 1 - <mu, x> has mean (d - 1) / (2 kappa) = 0.0018; every draw is within 0.01 of its mean.
        const int d = 8, n = 2000;
        float[] means = TestData.UnitRows(components, d, seed: 5);
        var x = new float[n * d];
        new SphereSampler(9).Mixture(means, components, 2000, n, x);
        var counts = new int[components];
        for (int i = 0; i < n; i++)
        {
            double best = double.NegativeInfinity;
            int component = -1;
            for (int c = 0; c < components; c++)
            {
                double dot = Dot(means.AsSpan(c * d, d), x.AsSpan(i * d, d));
                if (dot > best)
                {
                    best = dot;
                    component = c;
                }
            }

            Assert.True(best > 0.99, $"sample {i} is {best} from its nearest mean");
            counts[component]++;
        }

        // Equal weights: each count is Binomial(n, 1/components), checked at 5 sd (97 for 4 components;
        // one component takes every sample).
        double p = 1.0 / components, spread = 5 * Math.Sqrt(n * p * (1 - p));
        Assert.All(counts, c => Assert.InRange(c, (n * p) - spread, (n * p) + spread));
    }

    [Theory]
    [InlineData(2, 1e155)]
    [InlineData(3, 1e300)]
    [InlineData(1000, double.MaxValue)]
    [InlineData(3, 1e-300)]
    [InlineData(50, double.Epsilon)]
    public void Von_mises_fisher_draws_at_the_ends_of_double_kappa_are_unit_and_as_concentrated_as_kappa_says(int d, double kappa)
    {
        // Where 4 kappa^2 overflows, Wood's b once became 0 and every proposal was rejected. At these
        // kappas a draw is the mean in float32 (1 - w ~ d / kappa); at the tiny ones it is uniform.
        var sampler = new SphereSampler(21);
        var mean = new float[d];
        mean[d - 1] = 1f;
        const int n = 200;
        var x = new float[n * d];
        sampler.VonMisesFisher(mean, kappa, n, x);
        double resultant = 0;
        for (int i = 0; i < n; i++)
        {
            double norm = 0;
            for (int t = 0; t < d; t++)
            {
                norm += (double)x[(i * d) + t] * x[(i * d) + t];
            }

            // One float32 rounding a coordinate: |norm^2 - 1| within 2 x 2^-24 plus the double sum.
            Assert.True(Math.Abs(norm - 1) <= 1.3e-7, $"row {i}: norm^2 {norm:R}");
            resultant += x[(i * d) + d - 1] / (double)n;
        }

        if (kappa > 1)
        {
            Assert.Equal(1.0, resultant, 1e-7);
        }
        else
        {
            // Uniform: the mean of w is 0 with standard deviation 1 / sqrt(n d); 6 of them.
            Assert.True(Math.Abs(resultant) <= 6 / Math.Sqrt(n * d), $"mean w {resultant}");
        }
    }

    [Fact]
    public void Uniform_draws_on_the_circle_s0_are_exactly_plus_or_minus_one()
    {
        var sampler = new SphereSampler(22);
        var x = new float[4000];
        sampler.Uniform(x.Length, 1, x);
        Assert.All(x, v => Assert.True(v is 1f or -1f, $"{v:R}"));
        int plus = x.Count(v => v > 0);
        Assert.InRange(plus, 1800, 2200); // binomial(4000, 1/2): 6.3 standard deviations either side
    }

    [Fact]
    public void Samples_are_determined_by_the_seed()
    {
        float[] mu = Axis(5);
        var a = new float[100 * 5];
        var b = new float[100 * 5];
        var c = new float[100 * 5];
        new SphereSampler(42).VonMisesFisher(mu, 3, 100, a);
        new SphereSampler(42).VonMisesFisher(mu, 3, 100, b);
        new SphereSampler(43).VonMisesFisher(mu, 3, 100, c);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Bad_arguments_are_refused()
    {
        var sampler = new SphereSampler(1);
        Assert.Equal("mean", Assert.Throws<ArgumentException>(() => sampler.VonMisesFisher([0.5f, 0.5f], 1, 2, new float[4])).ParamName);
        Assert.Equal("kappa", Assert.Throws<ArgumentOutOfRangeException>(() => sampler.VonMisesFisher(Axis(2), -1, 2, new float[4])).ParamName);
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => sampler.Uniform(3, 2, new float[5])).ParamName);
        Assert.Equal("components", Assert.Throws<ArgumentOutOfRangeException>(() => sampler.Mixture(Axis(2), 0, 1, 1, new float[2])).ParamName);
        ArgumentException empty = Assert.Throws<ArgumentException>(() => sampler.VonMisesFisher([], 1, 1, []));
        Assert.Equal("mean", empty.ParamName);
        Assert.Contains("at least one coordinate", empty.Message, StringComparison.Ordinal);

        // The means must be components x d: 5 floats are not 2 components, nothing is not one.
        foreach (ArgumentException wrongLength in new[]
        {
            Assert.Throws<ArgumentException>(() => sampler.Mixture([1, 0, 0, 1, 0], 2, 1, 1, new float[2])),
            Assert.Throws<ArgumentException>(() => sampler.Mixture([], 1, 1, 1, new float[2])),
        })
        {
            Assert.Equal("means", wrongLength.ParamName);
            Assert.Contains("components x d floats", wrongLength.Message, StringComparison.Ordinal);
        }

        // Every component's mean is checked, not only the first.
        Assert.Equal("means", Assert.Throws<ArgumentException>(() => sampler.Mixture([1, 0, 2, 0], 2, 1, 1, new float[2])).ParamName);
        Assert.Equal("means", Assert.Throws<ArgumentException>(() => sampler.Mixture([1, 0, 0, 1, float.NaN, 0], 3, 1, 1, new float[2])).ParamName);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(17)]
    public void Von_mises_fisher_at_kappa_zero_draws_the_uniform_distribution(int d)
    {
        // kappa = 0 is the uniform distribution, drawn the same way: the same seed gives the same bits.
        const int n = 300;
        var atZero = new float[n * d];
        var uniform = new float[n * d];
        new SphereSampler(23).VonMisesFisher(Axis(d), 0, n, atZero);
        new SphereSampler(23).Uniform(n, d, uniform);
        Assert.Equal(uniform, atZero);
    }
}
