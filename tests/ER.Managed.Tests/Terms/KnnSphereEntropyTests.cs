using System.Linq;
using ER.Managed.Estimation;
using ER.Managed.Numerics;
using ER.Managed.Terms;

namespace ER.Managed.Tests.Terms;

/// <summary>
/// The kNN entropy on the sphere (<see cref="Entropy.SphereKnn"/>) against a direct double-precision
/// implementation of its formula (all pairs, the cap area by quadrature), on uniform samples against
/// the true entropy log |S^(d-1)|, and at its edges (ties, near-duplicates, duplicates).
/// </summary>
public class KnnSphereEntropyTests
{
    /// <summary>
    /// The limit on the candidates' buffers: n (2m + 8) elements at most <see cref="Array.MaxLength"/>
    /// (2,147,483,591), computed without int overflow. 5 x (2 x 214,748,355 + 8) = 2,147,483,590 fits;
    /// one neighbour more is 10 over; products far past 2^32, whose int form would wrap to a small
    /// positive size, are refused.
    /// </summary>
    [Theory]
    [InlineData(5, 214_748_355, true)]
    [InlineData(5, 214_748_356, false)]
    [InlineData(1_000_000, 1_069, true)]
    [InlineData(1_000_000, 1_070, false)]
    [InlineData(70_000, 62_000, false)]
    [InlineData(int.MaxValue, int.MaxValue - 1, false)]
    public void The_candidate_buffers_must_fit_in_an_array(int n, int m, bool fits) =>
        Assert.Equal(fits, KnnSphereEntropy.BuffersFit(n, m));

    private static float[] Uniform(int n, int d, ulong seed)
    {
        var z = new float[n * d];
        new SphereSampler(seed).Uniform(n, d, z);
        return z;
    }

    /// <summary>
    /// The formula evaluated directly: chords of all pairs in double (from the float rows normalized in
    /// double), the m-th smallest, and the cap area |S^(d-2)| int_0^theta sin^(d-2) by composite Simpson
    /// with 20,000 panels (error far below 1e-10 relative for the d and angles used here).
    /// </summary>
    private static double Reference(float[] z, int n, int d, int m)
    {
        double[][] rows = [.. Enumerable.Range(0, n).Select(i =>
        {
            double[] row = [.. z.Skip(i * d).Take(d).Select(v => (double)v)];
            double norm = Math.Sqrt(row.Sum(v => v * v));
            return row.Select(v => v / norm).ToArray();
        })];
        double psiN = -0.57721566490153286 + Enumerable.Range(1, n - 1).Sum(k => 1.0 / k);
        double psiM = -0.57721566490153286 + Enumerable.Range(1, m - 1).Sum(k => 1.0 / k);
        double sum = 0.0;
        for (int i = 0; i < n; i++)
        {
            double[] chords = [.. Enumerable.Range(0, n).Where(j => j != i).Select(j => Math.Sqrt(rows[i].Zip(rows[j], (a, b) => (a - b) * (a - b)).Sum())).OrderBy(c => c)];
            double theta = 2.0 * Math.Asin(Math.Min(1.0, chords[m - 1] / 2.0));
            sum += Math.Log(CapByQuadrature(d, theta));
        }

        return psiN - psiM + (sum / n);
    }

    private static double CapByQuadrature(int d, double theta)
    {
        const int Panels = 20_000;
        double h = theta / Panels, integral = 0.0;
        for (int p = 0; p <= Panels; p++)
        {
            double weight = p == 0 || p == Panels ? 1 : (p % 2 == 1 ? 4 : 2);
            integral += weight * Math.Pow(Math.Sin(p * h), d - 2);
        }

        integral *= h / 3.0;
        double logSphere = Math.Log(2) + (0.5 * (d - 1) * Math.Log(Math.PI)) - SpecialFunctions.LogGamma(0.5 * (d - 1));
        return Math.Exp(logSphere) * integral;
    }

    [Theory]
    [InlineData(50, 2, 1)]
    [InlineData(50, 3, 4)]
    [InlineData(200, 3, 1)]
    [InlineData(120, 8, 4)]
    [InlineData(80, 16, 7)]
    [InlineData(65, 5, 64)]
    [InlineData(600, 4, 3)]
    [InlineData(530, 2, 1)]
    [InlineData(256, 4, 2)]
    [InlineData(512, 3, 5)]
    public void Matches_the_formula_evaluated_directly_in_double(int n, int d, int m)
    {
        // n above 256: several block rows, their own tiles offered before the sweep and the others in
        // it; 256 and 512 fill their last tile exactly (no padded columns).
        float[] z = Uniform(n, d, (ulong)(n + d + m));
        double got = Entropy.SphereKnn(z, n, d, m);
        double want = Reference(z, n, d, m);

        // The quadrature and the float inputs' normalization agree to ~1e-12; 1e-9 leaves room.
        Assert.True(Math.Abs(got - want) <= 1e-9 * Math.Max(1, Math.Abs(want)), $"got {got:R}, want {want:R}");
    }

    [Fact]
    public void Near_duplicate_rows_keep_their_tiny_angles()
    {
        // Pairs of rows 1e-4 apart: their float32 dot products round to 1, the chords in double do not.
        const int n = 40, d = 6;
        float[] z = Uniform(n, d, 11);
        var random = new Random(3);
        for (int i = 1; i < n; i += 2)
        {
            double[] row = [.. z.Skip((i - 1) * d).Take(d).Select(v => v + (1e-4 * (random.NextDouble() - 0.5)))];
            double norm = Math.Sqrt(row.Sum(v => v * v));
            for (int t = 0; t < d; t++)
            {
                z[(i * d) + t] = (float)(row[t] / norm);
            }
        }

        double got = Entropy.SphereKnn(z, n, d, 1);
        double want = Reference(z, n, d, 1);
        Assert.True(Math.Abs(got - want) <= 1e-8 * Math.Abs(want), $"got {got:R}, want {want:R}");
    }

    [Fact]
    public void Ties_give_the_tied_distance()
    {
        // The 4 vertices of a square on a great circle of S^2 and the 2 poles: every row's nearest
        // neighbours are tied at 90 degrees (chord sqrt 2); caps of radius pi/2 are hemispheres.
        float[] z = [1, 0, 0, 0, 1, 0, -1, 0, 0, 0, -1, 0, 0, 0, 1, 0, 0, -1];
        double got = Entropy.SphereKnn(z, 6, 3, 2);
        double want = SpecialFunctions.Digamma(6) - SpecialFunctions.Digamma(2) + Math.Log(2 * Math.PI);
        Assert.Equal(want, got, 12);
    }

    [Fact]
    public void Rows_with_every_neighbour_tied_across_tiles_give_the_tied_distance()
    {
        // The 300 basis vectors of R^300: every pair is orthogonal, so all 299 neighbours of a row tie
        // at chord sqrt 2 (more ties than a row's fixed offer buffer holds, over two block rows).
        const int n = 300, m = 3;
        float[] z = new float[n * n];
        for (int i = 0; i < n; i++)
        {
            z[(i * n) + i] = 1f;
        }

        double got = Entropy.SphereKnn(z, n, n, m);
        double want = SpecialFunctions.Digamma(n) - SpecialFunctions.Digamma(m) + SphereCap.LogArea(n, 2.0);

        // The mean of 300 equal terms of size 420: a few ulps of the sum.
        Assert.Equal(want, got, 1e-13 * Math.Abs(want));
    }

    [Fact]
    public void A_row_with_hundreds_of_near_tied_neighbours_finds_its_true_mth_by_double_chord()
    {
        // Row 150 is the north pole of S^2; the other 299 lie on the circle at colatitude 0.5, their
        // colatitudes moved by up to 2e-6: their float32 similarities to the pole tie within the
        // candidate window (all 299 become candidates, more than the offer buffer holds), and only
        // the chords in double tell which is the m-th nearest.
        const int n = 300, d = 3, m = 4;
        var random = new Random(8);
        float[] z = PoleAndCircle(n, pole: 150, i => 0.5 + (4e-6 * (random.NextDouble() - 0.5)));
        double got = Entropy.SphereKnn(z, n, d, m);
        double want = Reference(z, n, d, m);
        Assert.True(Math.Abs(got - want) <= 1e-9 * Math.Max(1, Math.Abs(want)), $"got {got:R}, want {want:R}");
    }

    [Fact]
    public void A_row_whose_offers_overflow_its_buffer_keeps_the_first_it_was_offered()
    {
        // Row 296 is the north pole of S^2 and the others lie near the circle at colatitude 0.5, all
        // within the candidate window of the pole, so its offers overflow its buffer of 2m + 8 and
        // move to a list. Its m nearest are rows 256 to 259 (colatitude 0.5 - 2e-6, the rest 0.5 + up
        // to 2e-6), the first it is offered (its block row's own tile comes first, in column order):
        // the list must start from the pole's own buffer, or they are lost and its m-th neighbour
        // comes out about 4e-6 too far (a change of about 3e-8 in H).
        const int n = 300, d = 3, m = 4, nearest = 256;
        var random = new Random(12);
        float[] z = PoleAndCircle(n, pole: 296, i => i >= nearest && i < nearest + m ? 0.5 - 2e-6 - (1e-7 * (i - nearest)) : 0.5 + (2e-6 * random.NextDouble()));
        double got = Entropy.SphereKnn(z, n, d, m);
        double want = Reference(z, n, d, m);
        Assert.True(Math.Abs(got - want) <= 1e-9 * Math.Max(1, Math.Abs(want)), $"got {got:R}, want {want:R}");
    }

    /// <summary>
    /// n rows of S^2: row <paramref name="pole"/> the north pole, row i of the others at colatitude
    /// <paramref name="colatitude"/>(i) (called in row order) and longitude 2 pi i / (n - 1).
    /// </summary>
    private static float[] PoleAndCircle(int n, int pole, Func<int, double> colatitude)
    {
        const int d = 3;
        var z = new float[n * d];
        z[(pole * d) + 2] = 1f;
        for (int i = 0; i < n; i++)
        {
            if (i == pole)
            {
                continue;
            }

            double theta = colatitude(i), phi = 2 * Math.PI * i / (n - 1);
            z[(i * d) + 0] = (float)(Math.Sin(theta) * Math.Cos(phi));
            z[(i * d) + 1] = (float)(Math.Sin(theta) * Math.Sin(phi));
            z[(i * d) + 2] = (float)Math.Cos(theta);
        }

        return z;
    }

    [Fact]
    public void A_nan_in_the_first_row_is_reported_with_its_row_when_validation_is_off()
    {
        float[] z = Uniform(20, 3, 6);
        z[1] = float.NaN;
        var ex = Assert.Throws<ArgumentException>(() => Entropy.SphereKnn(z, 20, 3, 2, new ErOptions { ValidateInputs = false }));
        Assert.Contains("Row 0's similarities are not finite", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Exact_duplicates_are_refused_with_the_row()
    {
        float[] z = Uniform(20, 3, 5);
        Array.Copy(z, 0, z, 3 * 7, 3); // row 7 = row 0
        var ex = Assert.Throws<ArgumentException>(() => Entropy.SphereKnn(z, 20, 3, 1));
        Assert.Equal("z", ex.ParamName);
        Assert.Contains("Row 0", ex.Message, StringComparison.Ordinal);

        // With m = 2 the duplicate pair is fine: its second neighbour is elsewhere.
        Assert.True(double.IsFinite(Entropy.SphereKnn(z, 20, 3, 2)));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(16)]
    public void Uniform_samples_recover_the_sphere_area(int d)
    {
        // Five independent samples of n = 2000: the mean lies within 4 standard errors (from the
        // spread of the five) plus 0.02 nats of finite-n bias of log |S^(d-1)|.
        double truth = GroundTruth.UniformSphere(d);
        double[] estimates = [.. Enumerable.Range(0, 5).Select(s => Entropy.SphereKnn(Uniform(2000, d, (ulong)(100 + s)), 2000, d, 4))];
        double mean = estimates.Average();
        double sd = Math.Sqrt(estimates.Sum(e => (e - mean) * (e - mean)) / 4);
        Assert.True(Math.Abs(mean - truth) <= (4 * sd / Math.Sqrt(5)) + 0.02, $"mean {mean:F4} (sd {sd:F4}), truth {truth:F4}");
    }

    [Fact]
    public void The_value_does_not_depend_on_the_thread_count()
    {
        float[] z = Uniform(700, 12, 9);
        double one = Entropy.SphereKnn(z, 700, 12, 3, new ErOptions { MaxDegreeOfParallelism = 1 });
        double two = Entropy.SphereKnn(z, 700, 12, 3, new ErOptions { MaxDegreeOfParallelism = 2 });
        Assert.Equal(BitConverter.DoubleToInt64Bits(one), BitConverter.DoubleToInt64Bits(two));
    }

    [Fact]
    public void Bad_arguments_are_refused()
    {
        float[] z = Uniform(10, 3, 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => Entropy.SphereKnn(z, 10, 3, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Entropy.SphereKnn(z, 10, 3, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => Entropy.SphereKnn(new float[10], 10, 1, 1));
        var raw = (float[])z.Clone();
        raw[0] = 3f;
        Assert.Throws<ArgumentException>(() => Entropy.SphereKnn(raw, 10, 3, 1));
    }
}
