using System.Linq;
using ER.Managed.Estimation;

namespace ER.Managed.Tests.Estimation;

/// <summary>
/// kappa from the data (<see cref="KappaSelection"/>): the leave-one-out likelihood and its derivative
/// against a brute-force double evaluation and finite differences, the selected kappa against a
/// golden-section search on the same L, and the rule of thumb against the cited formula computed by
/// hand (closed-form Bessel functions for d = 2 and d = 3).
/// </summary>
public class KappaSelectionTests
{
    private static float[] VonMisesFisherSample(int n, int d, double kappa, ulong seed, int components = 1)
    {
        var sampler = new SphereSampler(seed);
        var means = new float[components * d];
        sampler.Uniform(components, d, means);
        var z = new float[n * d];
        if (components == 1)
        {
            sampler.VonMisesFisher(means, kappa, n, z);
        }
        else
        {
            sampler.Mixture(means, components, kappa, n, z);
        }

        return z;
    }

    /// <summary>L(kappa) and dL/dkappa from all pairs in double, the normalizer from the library.</summary>
    private static (double Value, double Derivative) BruteForce(float[] z, int n, int d, double kappa)
    {
        double lse = 0.0, expected = 0.0;
        for (int i = 0; i < n; i++)
        {
            double[] s = [.. Enumerable.Range(0, n).Where(j => j != i).Select(j => Enumerable.Range(0, d).Sum(t => (double)z[(i * d) + t] * z[(j * d) + t]))];
            double max = s.Max();
            double sum = s.Sum(v => Math.Exp(kappa * (v - max)));
            lse += (kappa * max) + Math.Log(sum);
            expected += s.Sum(v => v * Math.Exp(kappa * (v - max))) / sum;
        }

        return (VonMisesFisher.LogNormalizer(d, kappa) - Math.Log(n - 1) + (lse / n), -VonMisesFisher.BesselRatio(d, kappa) + (expected / n));
    }

    [Theory]
    [InlineData(60, 3, 0.5)]
    [InlineData(100, 8, 12.0)]
    [InlineData(80, 32, 150.0)]
    public void Likelihood_and_derivative_match_a_brute_force_double_evaluation(int n, int d, double kappa)
    {
        float[] z = VonMisesFisherSample(n, d, 20, (ulong)n);
        double value = KappaSelection.LeaveOneOutLogLikelihood(z, n, d, kappa, out double derivative);
        (double wantValue, double wantDerivative) = BruteForce(z, n, d, kappa);

        // Similarities are float32 (about 1e-7 each) and kappa multiplies them: 1e-6 relative to kappa-sized terms.
        Assert.True(Math.Abs(value - wantValue) <= 1e-6 * Math.Max(1, kappa), $"L {value:R} vs {wantValue:R}");
        Assert.True(Math.Abs(derivative - wantDerivative) <= 2e-6, $"dL {derivative:R} vs {wantDerivative:R}");
    }

    [Theory]
    [InlineData(3, 2.0, 1, 10, 8)]
    [InlineData(3, 30.0, 1, 11, 4)]
    [InlineData(16, 40.0, 1, 8, 8)]
    [InlineData(8, 50.0, 4, 9, 9)]
    [InlineData(64, 200.0, 1, 8, 8)]
    public void The_searches_converge_superlinearly_not_by_bisection(int d, double dataKappa, int components, int evaluations, int fitEvaluations)
    {
        // Brent's method on the leave-one-out slope and the bracketed Newton iteration of the vMF
        // fit both fall back to bisection where a step misbehaves, so a wrong interpolation or
        // derivative still gave the right kappa, only in more steps: bisection needs about 17 halvings
        // of a factor-4 bracket to 1e-5 in log kappa, and about 47 of a width-1 bracket to 1e-14.
        // Counts stay far below those (the brackets' own evaluations included, so that a poor start
        // of either search costs evaluations too): at most one more than this implementation takes
        // here natively (one for the last bits that the likelihood's float32 sums and the libm's exp
        // and log may round otherwise on another ISA).
        const int n = 400;
        float[] z = VonMisesFisherSample(n, d, dataKappa, (ulong)(d + components), components);

        // Rows of norms up to 4e-4 from 1 (inside the unit-norm tolerance): the fit must use their
        // directions (z_i / |z_i|), which unit rows cannot tell from z_i * |z_i|.
        for (int i = 0; i < n; i++)
        {
            float scale = (float)(1 + (4e-4 * Math.Sin(i)));
            foreach (ref float v in z.AsSpan(i * d, d))
            {
                v *= scale;
            }
        }

        KappaSelectionResult loo = KappaSelection.LeaveOneOut(z, n, d);
        Assert.Equal(KappaSelectionBoundary.None, loo.Boundary);
        Assert.True(loo.Iterations <= evaluations + 1, $"leave-one-out: {loo.Iterations} likelihood evaluations");
        KappaSelectionResult rule = KappaSelection.RuleOfThumb(z, n, d);
        Assert.True(rule.Iterations <= fitEvaluations + 1, $"rule of thumb: {rule.Iterations} evaluations of the vMF fit");

        // The Newton fit solves A_d(kappa) = R to 1e-14 in log kappa: A_d at its kappa gives back
        // the sample's mean resultant length to 1e-11 relative (the Bessel ratio is good to 1e-13).
        double resultant = MeanResultantLength(z, n, d);
        double fitted = KappaSelection.MaximumLikelihoodConcentration(z, n, d, out _);
        Assert.True(Math.Abs(VonMisesFisher.BesselRatio(d, fitted) - resultant) <= 1e-11 * resultant, $"A_d({fitted:R}) vs R {resultant:R}");
    }

    private static double MeanResultantLength(float[] z, int n, int d)
    {
        var sum = new double[d];
        for (int i = 0; i < n; i++)
        {
            double norm = Math.Sqrt(Enumerable.Range(0, d).Sum(t => (double)z[(i * d) + t] * z[(i * d) + t]));
            for (int j = 0; j < d; j++)
            {
                sum[j] += z[(i * d) + j] / norm;
            }
        }

        return Math.Sqrt(sum.Sum(v => v * v)) / n;
    }

    [Theory]
    [InlineData(3, 2.0)]
    [InlineData(16, 40.0)]
    public void The_derivative_matches_finite_differences(int d, double kappa)
    {
        float[] z = VonMisesFisherSample(300, d, 30, 4);
        KappaSelection.LeaveOneOutLogLikelihood(z, 300, d, kappa, out double derivative);
        double h = 1e-3 * kappa;
        double plus = KappaSelection.LeaveOneOutLogLikelihood(z, 300, d, kappa + h, out _);
        double minus = KappaSelection.LeaveOneOutLogLikelihood(z, 300, d, kappa - h, out _);
        double central = (plus - minus) / (2 * h);

        // Central differences err by O(h^2 L''') plus the float32 rounding of kappa (1e-7 / h).
        Assert.True(Math.Abs(central - derivative) <= 1e-4 * Math.Max(1, Math.Abs(derivative)), $"{derivative:R} vs {central:R}");
    }

    [Theory]
    [InlineData(3, 10.0, 1)]
    [InlineData(10, 50.0, 3)]
    [InlineData(64, 200.0, 4)]
    public void The_selected_kappa_maximizes_L_as_a_golden_section_search_finds_it(int d, double dataKappa, int components)
    {
        const int n = 400;
        float[] z = VonMisesFisherSample(n, d, dataKappa, (ulong)(d + components), components);
        KappaSelectionResult result = KappaSelection.LeaveOneOut(z, n, d);
        Assert.Equal(KappaSelectionMethod.LeaveOneOut, result.Method);
        Assert.InRange(result.Iterations, 2, 20);

        // Golden-section search on log kappa over a bracket around the answer, 80 steps (1e-16 of its width).
        double Negative(double t) => -KappaSelection.LeaveOneOutLogLikelihood(z, n, d, Math.Exp(t), out _);
        double a = Math.Log(result.Kappa) - 2, b = Math.Log(result.Kappa) + 2;
        double ratio = (Math.Sqrt(5) - 1) / 2;
        double c = b - (ratio * (b - a)), e = a + (ratio * (b - a));
        double fc = Negative(c), fe = Negative(e);
        for (int step = 0; step < 80; step++)
        {
            if (fc < fe)
            {
                b = e; e = c; fe = fc; c = b - (ratio * (b - a)); fc = Negative(c);
            }
            else
            {
                a = c; c = e; fc = fe; e = a + (ratio * (b - a)); fe = Negative(e);
            }
        }

        double golden = Math.Exp(0.5 * (a + b));

        // A golden-section search on L locates a flat maximum only to about sqrt(noise / L'') (L's float32
        // noise is about kappa 1e-7): kappa agrees to 1e-2 relative; the derivative at the selected kappa
        // is what pins it (below a thousandth of its size at half that kappa).
        Assert.True(Math.Abs(result.Kappa - golden) <= 1e-2 * golden, $"Brent {result.Kappa:R}, golden {golden:R}");
        KappaSelection.LeaveOneOutLogLikelihood(z, n, d, result.Kappa, out double slopeAtRoot);
        KappaSelection.LeaveOneOutLogLikelihood(z, n, d, result.Kappa / 2, out double slopeBelow);
        Assert.True(Math.Abs(slopeAtRoot) <= 1e-3 * Math.Abs(slopeBelow), $"dL/dkappa {slopeAtRoot:R} at the selection, {slopeBelow:R} at half of it");
        // L is evaluated from float32 similarities scaled by float32(kappa): it is a function with steps
        // of about kappa * 1e-7, which a golden-section search can land on either side of.
        double goldenValue = -Negative(Math.Log(golden));
        Assert.True(result.LogLikelihood >= goldenValue - (1e-6 * Math.Max(1, golden)), $"L {result.LogLikelihood:R} at the selected kappa, {goldenValue:R} at the golden-section maximum");
        Assert.Equal(KappaSelection.LeaveOneOutLogLikelihood(z, n, d, result.Kappa, out _), result.LogLikelihood);
    }

    [Fact]
    public void Rule_of_thumb_on_the_circle_matches_the_formula_by_hand()
    {
        // q = 1: 1/h^2 = (kappâ n (2 I_1(2 kappâ) + 3 kappâ I_2(2 kappâ)) / (4 sqrt(pi) I_0(kappâ)^2))^(2/5),
        // kappâ solving I_1/I_0 = R̄; Bessel functions by their power series in double.
        const int n = 500;
        float[] z = VonMisesFisherSample(n, 2, 4.0, 8);
        double resultant = Resultant(z, n, 2);
        double kappaHat = Bisect(k => BesselSeries(1, k) / BesselSeries(0, k) - resultant);
        double byHand = Math.Pow(kappaHat * n * ((2 * BesselSeries(1, 2 * kappaHat)) + (3 * kappaHat * BesselSeries(2, 2 * kappaHat))) / (4 * Math.Sqrt(Math.PI) * Math.Pow(BesselSeries(0, kappaHat), 2)), 0.4);
        KappaSelectionResult result = KappaSelection.RuleOfThumb(z, n, 2);
        Assert.Equal(KappaSelectionMethod.RuleOfThumb, result.Method);
        Assert.True(Math.Abs(result.Kappa - byHand) <= 1e-9 * byHand, $"{result.Kappa:R} vs {byHand:R}");
    }

    [Fact]
    public void Rule_of_thumb_on_the_sphere_matches_the_closed_form_by_hand()
    {
        // q = 2 (DirStats' closed form, without the paper's typo): h^6 = 8 sinh^2(kappâ) /
        // (kappâ (-2 kappâ cosh(2 kappâ) + (1 + 4 kappâ^2) sinh(2 kappâ)) n), kappâ solving coth k - 1/k = R̄.
        const int n = 400;
        float[] z = VonMisesFisherSample(n, 3, 6.0, 9);
        double resultant = Resultant(z, n, 3);
        double kappaHat = Bisect(k => (1 / Math.Tanh(k)) - (1 / k) - resultant);
        double h6 = 8 * Math.Pow(Math.Sinh(kappaHat), 2) / (kappaHat * ((-2 * kappaHat * Math.Cosh(2 * kappaHat)) + ((1 + (4 * kappaHat * kappaHat)) * Math.Sinh(2 * kappaHat))) * n);
        double byHand = Math.Pow(h6, -2.0 / 6.0);
        double got = KappaSelection.RuleOfThumb(z, n, 3).Kappa;
        Assert.True(Math.Abs(got - byHand) <= 1e-9 * byHand, $"{got:R} vs {byHand:R}");
    }

    [Fact]
    public void Duplicates_and_a_collapsed_batch_give_the_ceiling_with_a_flag_and_one_row_is_refused()
    {
        // Every row twice: the likelihood grows without bound with kappa; the search returns its ceiling, flagged.
        float[] half = VonMisesFisherSample(50, 4, 5, 3);
        float[] doubled = [.. half, .. half];
        KappaSelectionResult result = KappaSelection.LeaveOneOut(doubled, 100, 4);
        Assert.Equal(KappaSelection.MaxKappa, result.Kappa);
        Assert.Equal(KappaSelectionBoundary.Concentrated, result.Boundary);
        Assert.True(double.IsFinite(result.LogLikelihood));
        Assert.Equal(KappaSelection.LeaveOneOutLogLikelihood(doubled, 100, 4, KappaSelection.MaxKappa, out _), result.LogLikelihood);

        // All rows the same (a batch collapsed onto one point): L(kappa) = log C_d(kappa) + kappa
        // rises for ever, and the one-vMF fit behind the rule of thumb has no finite concentration;
        // both methods give the ceiling, flagged, with L there (valid data: not an exception).
        float[] same = [.. Enumerable.Repeat(new float[] { 0, 1, 0 }, 10).SelectMany(r => r)];
        double atCeiling = KappaSelection.LeaveOneOutLogLikelihood(same, 10, 3, KappaSelection.MaxKappa, out double slope);
        Assert.True(slope > 0, $"dL/dkappa {slope} at the ceiling");
        foreach (KappaSelectionResult collapsed in new[] { KappaSelection.LeaveOneOut(same, 10, 3), KappaSelection.RuleOfThumb(same, 10, 3) })
        {
            Assert.Equal(KappaSelection.MaxKappa, collapsed.Kappa);
            Assert.Equal(KappaSelectionBoundary.Concentrated, collapsed.Boundary);
            Assert.Equal(atCeiling, collapsed.LogLikelihood);
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => KappaSelection.LeaveOneOut(new float[] { 0, 1 }, 1, 2));
    }

    [Theory]
    [InlineData(1f)]
    [InlineData(-1f)]
    public void On_the_circle_s0_rows_that_all_agree_give_the_ceiling_not_a_spurious_maximum(float sign)
    {
        // L(kappa) = kappa - log(2 cosh kappa) rises to its supremum 0 as kappa -> infinity; its slope
        // 2 e^(-2 kappa) / (1 + e^(-2 kappa)) rounds to 0 from kappa ~ 19, where the search once
        // stopped and reported an interior maximum (kappa = 64, boundary None).
        float[] z = [.. Enumerable.Repeat(sign, 6)];
        KappaSelectionResult result = KappaSelection.LeaveOneOut(z, 6, 1);
        Assert.Equal(KappaSelection.MaxKappa, result.Kappa);
        Assert.Equal(KappaSelectionBoundary.Concentrated, result.Boundary);

        // L(1e6) = -log(1 + e^-2e6) = 0 to double precision.
        Assert.Equal(0.0, result.LogLikelihood, 1e-12);
    }

    [Theory]
    [InlineData(3, 1)]
    [InlineData(5, 2)]
    [InlineData(7, 7)]
    public void On_the_circle_s0_the_leave_one_out_search_finds_the_closed_form_maximum(int plus, int minus)
    {
        // d = 1: rows are +1 or -1 and C_1(kappa) = 1 / (2 cosh kappa). A +1 row sees plus - 1 others
        // at s = 1 and minus at s = -1: L(kappa) = (1/n) [plus log((plus - 1) e^k + minus e^-k) +
        // minus log((minus - 1) e^k + plus e^-k)] - log(n - 1) - log(2 cosh k). Its maximum, found here
        // by bisection on a central difference of this closed form; the search stops at 1e-5 in
        // log kappa, so within 2e-5 relative.
        int n = plus + minus;
        float[] z = [.. Enumerable.Repeat(1f, plus), .. Enumerable.Repeat(-1f, minus)];
        double L(double k) =>
            (((plus * Math.Log(((plus - 1) * Math.Exp(k)) + (minus * Math.Exp(-k)))) + (minus * Math.Log(((minus - 1) * Math.Exp(k)) + (plus * Math.Exp(-k))))) / n)
            - Math.Log(n - 1) - Math.Log(2 * Math.Cosh(k));
        double Slope(double k) => (L(k * (1 + 1e-7)) - L(k * (1 - 1e-7))) / (2e-7 * k);

        KappaSelectionResult result = KappaSelection.LeaveOneOut(z, n, 1);
        if (Slope(1e-3) <= 0)
        {
            // Balanced classes: every other row is as likely the opposite one; L falls from kappa = 0.
            Assert.Equal(0.0, result.Kappa);
            Assert.Equal(KappaSelectionBoundary.Uniform, result.Boundary);
            return;
        }

        // The bracket's top stays where the slope is still resolved (it decays like e^-2k).
        double low = 1e-3, high = 10;
        Assert.True(Slope(high) < 0, $"slope {Slope(high)} at {high}");
        for (int i = 0; i < 200 && high - low > 1e-12 * high; i++)
        {
            double mid = 0.5 * (low + high);
            (Slope(mid) > 0 ? ref low : ref high) = mid;
        }

        Assert.Equal(KappaSelectionBoundary.None, result.Boundary);
        Assert.True(Math.Abs(result.Kappa - low) <= 2e-5 * low, $"{result.Kappa:R} vs {low:R}");
        // The library sums float32 exponentials (about 2e-7 relative each): 1e-6 in L.
        Assert.Equal(L(result.Kappa), result.LogLikelihood, 1e-6);
        Assert.Throws<ArgumentOutOfRangeException>(() => KappaSelection.RuleOfThumb(z, n, 1));
    }

    [Fact]
    public void A_maximum_below_the_smallest_step_is_found_between_zero_and_that_step()
    {
        // Three rows of the circle at angles 0 and +-alpha with 2 cos(alpha) + cos(2 alpha) = 7.2e-5:
        // the mean similarity to the other rows is just positive, so L rises from kappa = 0 and turns
        // at kappa* ~ 8e-5, below the search's last step down (1e-4 to 4e-4), where it brackets
        // [0, that step] instead. The maximum by bisection on L's slope in double, from the float
        // rows: dL/dkappa = (1/n) sum_i sum_(j != i) s_ij e^(kappa s_ij) / sum_(j != i) e^(kappa s_ij) - A_2(kappa).
        const int n = 3, d = 2;
        double cosine = (-2 + Math.Sqrt(12 + (8 * 7.2e-5))) / 4, sine = Math.Sqrt(1 - (cosine * cosine));
        float[] z = [1, 0, (float)cosine, (float)sine, (float)cosine, -(float)sine];
        var s = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                s[i, j] = ((double)z[i * d] * z[j * d]) + ((double)z[(i * d) + 1] * z[(j * d) + 1]);
            }
        }

        double Slope(double kappa)
        {
            double sum = 0;
            for (int i = 0; i < n; i++)
            {
                double weighted = 0, total = 0;
                for (int j = 0; j < n; j++)
                {
                    if (j != i)
                    {
                        weighted += s[i, j] * Math.Exp(kappa * s[i, j]);
                        total += Math.Exp(kappa * s[i, j]);
                    }
                }

                sum += weighted / total;
            }

            return (sum / n) - VonMisesFisher.BesselRatio(d, kappa);
        }

        double low = 0, high = 1e-4;
        Assert.True(Slope(low) > 0 && Slope(high) < 0, $"slopes {Slope(low)} at 0, {Slope(high)} at 1e-4");
        for (int i = 0; i < 200; i++)
        {
            double middle = 0.5 * (low + high);
            (Slope(middle) > 0 ? ref low : ref high) = middle;
        }

        KappaSelectionResult result = KappaSelection.LeaveOneOut(z, n, d);
        Assert.Equal(KappaSelectionBoundary.None, result.Boundary);

        // The slope at kappa = 0 is the mean similarity, 2.4e-5, a difference of terms of 0.37 to
        // 0.73: the float32 similarities' rounding (6e-8 each) moves kappa* by about 0.5%.
        Assert.True(Math.Abs(result.Kappa - low) <= 1e-2 * low, $"{result.Kappa:R} vs {low:R}");
        Assert.Equal(KappaSelection.LeaveOneOutLogLikelihood(z, n, d, result.Kappa, out _), result.LogLikelihood);
    }

    [Fact]
    public void Rule_of_thumb_on_rows_whose_mean_is_zero_gives_kappa_zero_flagged_uniform()
    {
        // +-e1, +-e2: the mean resultant length is 0, so the one-vMF fit has concentration 0 (the
        // uniform distribution), and L there is log C_2(0) = -log(2 pi) for every row.
        float[] z = [1, 0, -1, 0, 0, 1, 0, -1];
        KappaSelectionResult result = KappaSelection.RuleOfThumb(z, 4, 2);
        Assert.Equal(0.0, result.Kappa);
        Assert.Equal(KappaSelectionBoundary.Uniform, result.Boundary);
        Assert.Equal(KappaSelectionMethod.RuleOfThumb, result.Method);
        Assert.Equal(KappaSelection.LeaveOneOutLogLikelihood(z, 4, 2, 0, out _), result.LogLikelihood);

        // Every term is exactly 1 at kappa = 0; 1e-12 leaves room for the logarithms' rounding.
        Assert.Equal(-Math.Log(2 * Math.PI), result.LogLikelihood, 1e-12);
    }

    [Fact]
    public void Too_few_rows_or_columns_are_refused_saying_which_method_needs_them()
    {
        var columns = Assert.Throws<ArgumentOutOfRangeException>(() => KappaSelection.RuleOfThumb([1, -1, 1], 3, 1));
        Assert.Equal("columns", columns.ParamName);
        Assert.Contains("rule of thumb needs d >= 2", columns.Message, StringComparison.Ordinal);

        var rows = Assert.Throws<ArgumentOutOfRangeException>(() => KappaSelection.RuleOfThumb([0, 1], 1, 2));
        Assert.Equal("rows", rows.ParamName);
        Assert.Contains("rule of thumb needs at least 2 rows", rows.Message, StringComparison.Ordinal);

        var leaveOneOutRows = Assert.Throws<ArgumentOutOfRangeException>(() => KappaSelection.LeaveOneOut([0, 1], 1, 2));
        Assert.Equal("rows", leaveOneOutRows.ParamName);
        Assert.Contains("Leaving one out needs at least 2 rows", leaveOneOutRows.Message, StringComparison.Ordinal);

        // One column is the circle S^0, which the leave-one-out search takes.
        Assert.Equal(KappaSelectionMethod.LeaveOneOut, KappaSelection.LeaveOneOut([1, -1, 1], 3, 1).Method);
    }

    [Fact]
    public void Results_do_not_depend_on_the_thread_count()
    {
        float[] z = VonMisesFisherSample(500, 8, 20, 5);
        KappaSelectionResult one = KappaSelection.LeaveOneOut(z, 500, 8, new ErOptions { MaxDegreeOfParallelism = 1 });
        KappaSelectionResult two = KappaSelection.LeaveOneOut(z, 500, 8, new ErOptions { MaxDegreeOfParallelism = 2 });
        Assert.Equal(one, two);
    }

    private static double Resultant(float[] z, int n, int d)
    {
        var mean = new double[d];
        for (int i = 0; i < n; i++)
        {
            double norm = Math.Sqrt(Enumerable.Range(0, d).Sum(t => (double)z[(i * d) + t] * z[(i * d) + t]));
            for (int t = 0; t < d; t++)
            {
                mean[t] += z[(i * d) + t] / norm / n;
            }
        }

        return Math.Sqrt(mean.Sum(v => v * v));
    }

    private static double Bisect(Func<double, double> increasing)
    {
        double low = 1e-8, high = 1e4;
        for (int i = 0; i < 200; i++)
        {
            double middle = Math.Sqrt(low * high);
            if (increasing(middle) < 0)
            {
                low = middle;
            }
            else
            {
                high = middle;
            }
        }

        return Math.Sqrt(low * high);
    }

    /// <summary>I_nu(x) for integer nu by its power series (fine in double for x up to about 50).</summary>
    private static double BesselSeries(int nu, double x)
    {
        double term = Math.Pow(x / 2, nu) / Enumerable.Range(1, nu).Aggregate(1.0, (p, k) => p * k);
        double sum = term;
        for (int k = 1; k < 500 && term > 1e-18 * sum; k++)
        {
            term *= x * x / 4 / (k * (k + nu));
            sum += term;
        }

        return sum;
    }
}
