using ER.Managed.Kernels.VmfNormalizer;
using System;
using ER.Managed.Numerics;
using ER.Managed.Terms;

namespace ER.Managed.Estimation;

/// <summary>
/// Kernel concentrations chosen from the data for the vMF kernel density estimate (and so for the
/// sphere entropy estimators): by likelihood cross-validation with the exact derivative, or by
/// García-Portugués's rule of thumb.
/// </summary>
/// <remarks>
/// Leave-one-out: <c>L(kappa) = (1/n) sum_i log((1/(n-1)) sum_{j != i} C_d(kappa) exp(kappa z_i.z_j))</c>, whose
/// derivative is exact, <c>dL/dkappa = -A_d(kappa) + (1/n) sum_i E_{j~i}[z_i.z_j]</c> (A_d = -d log C_d / d kappa
/// from the exact normalizer); its root is bracketed on log kappa from the rule of thumb's value
/// and found by Brent's method. Both methods are total on valid data: a likelihood largest as kappa
/// -&gt; 0 gives kappa = 0 (<see cref="KappaSelectionBoundary.Uniform"/>), one still rising at
/// <see cref="MaxKappa"/> gives that ceiling (<see cref="KappaSelectionBoundary.Concentrated"/>). Rule of thumb (García-Portugués 2013, Electronic Journal of
/// Statistics 7, 1655-1685, Proposition 2, as DirStats' <c>bw_dir_rot</c> implements it): with
/// q = d - 1 and kappâ the maximum-likelihood concentration of one vMF fitted to the data,
/// <c>h^(q+4) = 4 sqrt(pi) I_((q-1)/2)(kappâ)^2 / (kappâ^((q+1)/2) [2q I_((q+1)/2)(2 kappâ) + (2+q) kappâ I_((q+3)/2)(2 kappâ)] n)</c>
/// and the kernel concentration is <c>1/h^2</c>, all in log form with the exact log I_nu.
/// </remarks>
public static partial class KappaSelection
{
    /// <summary>Where the leave-one-out search's log-scale bracketing stops: below it, the limit kappa = 0 and the interval (0, MinKappa) are examined directly.</summary>
    public const double MinKappa = 1e-4;

    /// <summary>The largest concentration the searches return (with <see cref="KappaSelectionBoundary.Concentrated"/> where the likelihood still rises there).</summary>
    public const double MaxKappa = 1e6;

    // kappa to 1e-5 relative: far finer than a bandwidth needs, and about where the float32 similarities
    // make dL/dkappa noisy (Brent would fall back to bisection below it).
    private const double LogTolerance = 1e-5;
    private const int MaxEvaluations = 100;

    /// <summary>
    /// The leave-one-out log-likelihood L(kappa) of the vMF kernel density of unit rows, in nats per
    /// sample, and its exact derivative in kappa.
    /// </summary>
    /// <param name="z">The samples, rows x columns, unit rows.</param>
    /// <param name="rows">The number of samples n; at least 2.</param>
    /// <param name="columns">The dimension d; at least 1.</param>
    /// <param name="kappa">The kernel concentration; finite and at least 0 (and finite as a float); 0 is the uniform limit.</param>
    /// <param name="derivative">Receives dL/dkappa.</param>
    /// <param name="options">Validation and threading settings; null for <see cref="ErOptions.Default"/>.</param>
    /// <returns>L(kappa).</returns>
    /// <exception cref="ArgumentException">A shape mismatch or a row that is not unit.</exception>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than 2 rows, or a bad kappa.</exception>
    public static double LeaveOneOutLogLikelihood(ReadOnlySpan<float> z, int rows, int columns, double kappa, out double derivative, ErOptions? options = null)
    {
        options ??= ErOptions.Default;
        CheckSamples(z, rows, columns, options, minimumColumns: 1);
        Validation.CheckKappaForFloat(kappa);
        (double value, derivative) = LeaveOneOutLikelihood.Evaluate(z, rows, columns, kappa, options.EffectiveDegreeOfParallelism);
        return value;
    }

    /// <summary>
    /// The concentration that maximizes the leave-one-out log-likelihood (a root of its exact
    /// derivative, bracketed on log kappa and found by Brent's method to 1e-5 in log kappa). Total on
    /// valid data: where the likelihood is largest as kappa -&gt; 0 (data no more concentrated than
    /// uniform) it returns kappa = 0 with <see cref="KappaSelectionBoundary.Uniform"/>; where it still
    /// rises at <see cref="MaxKappa"/> (near-duplicate rows) it returns <see cref="MaxKappa"/> with
    /// <see cref="KappaSelectionBoundary.Concentrated"/>.
    /// </summary>
    /// <param name="z">The samples, rows x columns, unit rows.</param>
    /// <param name="rows">The number of samples n; at least 2.</param>
    /// <param name="columns">The dimension d; at least 2.</param>
    /// <param name="options">Validation and threading settings; null for <see cref="ErOptions.Default"/>.</param>
    /// <returns>kappa, L(kappa), the number of likelihood evaluations and the boundary flag.</returns>
    /// <remarks>
    /// Below <see cref="MinKappa"/> the search looks at the limit itself: the slope at kappa = 0 is
    /// the mean similarity of distinct rows, <c>(||sum_i z_i||^2 - n) / (n (n - 1))</c> for unit rows; where it
    /// is not positive the maximum is at 0, else it lies in (0, <see cref="MinKappa"/>) and is found there.
    /// </remarks>
    /// <exception cref="ArgumentException">Bad samples (not unit, not finite), or every row pointing the same way (no kernel density to fit).</exception>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than 2 rows or columns.</exception>
    public static KappaSelectionResult LeaveOneOut(ReadOnlySpan<float> z, int rows, int columns, ErOptions? options = null)
    {
        options ??= ErOptions.Default;
        CheckSamples(z, rows, columns, options, minimumColumns: 2);
        int degree = options.EffectiveDegreeOfParallelism;
        int evaluations = 0;
        double lastKappa = double.NaN, lastValue = double.NaN;
        double SlopeAt(double kappa, ReadOnlySpan<float> samples)
        {
            evaluations++;
            (double value, double derivative) = LeaveOneOutLikelihood.Evaluate(samples, rows, columns, kappa, degree);
            lastKappa = kappa;
            lastValue = value;
            return derivative;
        }

        double Slope(double t, ReadOnlySpan<float> samples) => SlopeAt(Math.Exp(t), samples);

        // Bracket a sign change of dL/dkappa, + below and - above, stepping by factors of 4 from the rule of thumb.
        double ruleOfThumb = RuleOfThumbKappa(z, rows, columns, out _);
        double start = double.IsFinite(ruleOfThumb) && ruleOfThumb > 0 ? Math.Clamp(ruleOfThumb, 1e-2, 1e4) : 1.0;
        double low = Math.Log(start), high = low;
        double slopeLow = Slope(low, z), slopeHigh = slopeLow;
        double step = Math.Log(4.0);
        if (slopeLow > 0)
        {
            while (slopeHigh > 0)
            {
                low = high;
                slopeLow = slopeHigh;
                high += step;
                if (high > Math.Log(MaxKappa))
                {
                    SlopeAt(MaxKappa, z);
                    return new KappaSelectionResult(MaxKappa, lastValue, evaluations, KappaSelectionMethod.LeaveOneOut, KappaSelectionBoundary.Concentrated);
                }

                slopeHigh = Slope(high, z);
            }
        }
        else
        {
            while (slopeLow <= 0)
            {
                high = low;
                slopeHigh = slopeLow;
                low -= step;
                if (low < Math.Log(MinKappa))
                {
                    return NearZero(z, Math.Exp(high), slopeHigh, SlopeAt, () => (lastKappa, lastValue, evaluations));
                }

                slopeLow = Slope(low, z);
            }
        }

        double t = BrentRoot(low, high, slopeLow, slopeHigh, LogTolerance, z, Slope);
        if (Math.Exp(t) != lastKappa)
        {
            Slope(t, z);
        }

        return new KappaSelectionResult(Math.Exp(t), lastValue, evaluations, KappaSelectionMethod.LeaveOneOut);
    }

    /// <summary>
    /// The search below <see cref="MinKappa"/>, where the likelihood still falls: the slope at kappa = 0
    /// decides between the limit (kappa = 0) and a maximum in (0, <paramref name="high"/>), found by
    /// Brent's method on kappa itself (log kappa has no room for 0).
    /// </summary>
    private static KappaSelectionResult NearZero(
        ReadOnlySpan<float> z, double high, double slopeHigh, SlopeFunction slopeAt, Func<(double Kappa, double Value, int Evaluations)> last)
    {
        double slopeZero = slopeAt(0.0, z);
        if (slopeZero <= 0)
        {
            (_, double value, int evaluations) = last();
            return new KappaSelectionResult(0.0, value, evaluations, KappaSelectionMethod.LeaveOneOut, KappaSelectionBoundary.Uniform);
        }

        double kappa = BrentRoot(0.0, high, slopeZero, slopeHigh, LogTolerance * high, z, slopeAt);
        (double lastKappa, _, _) = last();
        if (kappa != lastKappa)
        {
            slopeAt(kappa, z);
        }

        (_, double atKappa, int count) = last();
        return new KappaSelectionResult(kappa, atKappa, count, KappaSelectionMethod.LeaveOneOut);
    }

    /// <summary>
    /// García-Portugués's (2013) rule-of-thumb concentration for the vMF kernel (see the class remarks),
    /// with L at that concentration for comparison. Total on valid data like <see cref="LeaveOneOut(ReadOnlySpan{float}, int, int, ErOptions?)"/>:
    /// samples whose mean resultant is 0 (or so small that the rule's kappa underflows) give kappa = 0
    /// with <see cref="KappaSelectionBoundary.Uniform"/>; a rule's kappa above <see cref="MaxKappa"/>
    /// gives <see cref="MaxKappa"/> with <see cref="KappaSelectionBoundary.Concentrated"/>.
    /// </summary>
    /// <param name="z">The samples, rows x columns, unit rows.</param>
    /// <param name="rows">The number of samples n; at least 2.</param>
    /// <param name="columns">The dimension d; at least 2.</param>
    /// <param name="options">Validation and threading settings; null for <see cref="ErOptions.Default"/>.</param>
    /// <returns>kappa, L(kappa), the Newton steps of the one-vMF fit and the boundary flag.</returns>
    /// <exception cref="ArgumentException">Bad samples, or samples all in one direction (the vMF fit has no finite concentration).</exception>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than 2 rows or columns.</exception>
    public static KappaSelectionResult RuleOfThumb(ReadOnlySpan<float> z, int rows, int columns, ErOptions? options = null)
    {
        options ??= ErOptions.Default;
        CheckSamples(z, rows, columns, options, minimumColumns: 2, "The rule of thumb needs at least 2 rows: one vMF fitted to a single row has infinite concentration.");
        double kappa = RuleOfThumbKappa(z, rows, columns, out int steps);
        KappaSelectionBoundary boundary = KappaSelectionBoundary.None;
        if (!(kappa > 0) || (float)kappa == 0f)
        {
            kappa = 0.0;
            boundary = KappaSelectionBoundary.Uniform;
        }
        else if (!(kappa <= MaxKappa))
        {
            kappa = MaxKappa;
            boundary = KappaSelectionBoundary.Concentrated;
        }

        (double value, _) = LeaveOneOutLikelihood.Evaluate(z, rows, columns, kappa, options.EffectiveDegreeOfParallelism);
        return new KappaSelectionResult(kappa, value, steps, KappaSelectionMethod.RuleOfThumb, boundary);
    }

    /// <summary>
    /// The maximum-likelihood concentration of one vMF fitted to unit rows: the root of
    /// <c>A_d(kappa) = R</c>, R the mean resultant length, solved as <c>1 - A_d(kappa) = 1 - R</c> on
    /// log kappa by Newton's method inside a bracket (bisection where a step leaves it).
    /// </summary>
    /// <remarks>
    /// A tight cluster has R within 1e-10 of 1 and kappa near 1e10: there 1 - R formed from R keeps
    /// about 6 digits and 1 - A from A about as few, so Newton on <c>A = R</c> wanders until its step
    /// cap. Both sides are formed without cancellation instead: <c>1 - R^2 = (1/n) sum_i |u_i - u|^2</c>
    /// (u_i the rows normalized in double, u their mean), and <c>kappa (1 - A_d)</c> from the Bessel
    /// ratio's continued fraction.
    /// </remarks>
    internal static double MaximumLikelihoodConcentration(ReadOnlySpan<float> z, int n, int d, out int steps)
    {
        var mean = new double[d];
        var inverseNorms = new double[n];
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<float> row = z.Slice(i * d, d);
            double norm = 0.0;
            foreach (float v in row)
            {
                norm += (double)v * v;
            }

            inverseNorms[i] = 1.0 / Math.Sqrt(norm);
            for (int t = 0; t < d; t++)
            {
                mean[t] += row[t] * inverseNorms[i] / n;
            }
        }

        double spread = 0.0, resultantSquared = 0.0;
        bool oneDirection = true;
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<float> row = z.Slice(i * d, d);
            for (int t = 0; t < d; t++)
            {
                double u = row[t] * inverseNorms[i];
                double difference = u - mean[t];
                spread += difference * difference;
                oneDirection &= u == z[t] * inverseNorms[0];
            }
        }

        foreach (double m in mean)
        {
            resultantSquared += m * m;
        }

        double resultant = Math.Sqrt(resultantSquared);
        double oneMinusResultant = (spread / n) / (1.0 + resultant);
        steps = 0;
        if (oneDirection || !(oneMinusResultant > 0))
        {
            throw new ArgumentException("Every row points the same way: one vMF fitted to them has infinite concentration.", nameof(z));
        }

        if (oneMinusResultant >= 1.0)
        {
            return 0.0;
        }

        // F(t) = log(1 - A_d(e^t)) - log(1 - R) falls strictly in t = log kappa; its slope is
        // -kappa^2 A'/c with c = kappa (1 - A_d) and kappa^2 A' = kappa (2c - (d - 1)) + c (d - 1 - c).
        double target = Math.Log(oneMinusResultant);
        double F(double t, out double slope)
        {
            double kappa = Math.Exp(t);
            VmfScalar.BesselRatio((0.5 * d) - 1.0, kappa, out double c);
            double curvature = (kappa * ((2.0 * c) - (d - 1))) + (c * (d - 1 - c));
            slope = -curvature / c;
            return Math.Log(c) - t - target;
        }

        // Banerjee et al.'s approximation as the start, then a bracket by steps of e.
        double start = resultant * (d - resultantSquared) / (oneMinusResultant * (1.0 + resultant));
        double x = Math.Log(Math.Clamp(start, 1e-300, 1e300));
        double fx = F(x, out double dfx);
        double low = x, high = x;
        bool startTooLarge = fx < 0;
        while (fx < 0 && low > -690)
        {
            high = low;
            low -= 1.0;
            fx = F(low, out dfx);
            x = low;
        }

        while (!startTooLarge && fx > 0 && high < 690)
        {
            low = high;
            high += 1.0;
            fx = F(high, out dfx);
            x = high;
        }

        while (steps < 200 && high - low > 1e-14 * Math.Max(1.0, Math.Abs(x)))
        {
            steps++;
            if (fx == 0)
            {
                break;
            }

            if (fx > 0)
            {
                low = x;
            }
            else
            {
                high = x;
            }

            double next = dfx < 0 ? x - (fx / dfx) : double.NaN;
            if (!(next > low && next < high))
            {
                next = 0.5 * (low + high);
            }

            if (Math.Abs(next - x) <= 1e-14 * Math.Max(1.0, Math.Abs(x)))
            {
                x = next;
                break;
            }

            x = next;
            fx = F(x, out dfx);
        }

        return Math.Exp(x);
    }

    /// <summary>The rule of thumb's concentration 1/h^2 (class remarks), in log form.</summary>
    internal static double RuleOfThumbKappa(ReadOnlySpan<float> z, int n, int d, out int steps)
    {
        double kappaHat = MaximumLikelihoodConcentration(z, n, d, out steps);
        if (kappaHat == 0.0)
        {
            return 0.0;
        }

        double q = d - 1;
        double logNumerator = Math.Log(4.0) + (0.5 * SpecialFunctions.LogPi) + (2.0 * VmfScalar.LogBesselI(0.5 * (q - 1), kappaHat));
        double first = Math.Log(2.0 * q) + VmfScalar.LogBesselI(0.5 * (q + 1), 2.0 * kappaHat);
        double second = Math.Log(2.0 + q) + Math.Log(kappaHat) + VmfScalar.LogBesselI(0.5 * (q + 3), 2.0 * kappaHat);
        double larger = Math.Max(first, second);
        double logSum = larger + Math.Log(Math.Exp(first - larger) + Math.Exp(second - larger));
        double logDenominator = (0.5 * (q + 1) * Math.Log(kappaHat)) + Math.Log(n) + logSum;
        double logH = (logNumerator - logDenominator) / (q + 4);
        return Math.Exp(-2.0 * logH);
    }

    private static void CheckSamples(ReadOnlySpan<float> z, int rows, int columns, ErOptions options, int minimumColumns, string tooFewRows = "Leaving one out needs at least 2 rows.")
    {
        Validation.CheckShape(z.Length, rows, columns, nameof(z));
        if (rows < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(rows), rows, tooFewRows);
        }

        if (columns < minimumColumns)
        {
            throw new ArgumentOutOfRangeException(nameof(columns), columns, $"Choosing kappa needs d >= {minimumColumns}.");
        }

        if (options.ValidateInputs)
        {
            Validation.CheckUnitRows(z, rows, columns, options.UnitNormTolerance, nameof(z), options.EffectiveDegreeOfParallelism);
        }
    }

    private delegate double SlopeFunction(double x, ReadOnlySpan<float> z);

    /// <summary>Brent's root finder (inverse quadratic interpolation, secant, bisection) on [a, b] with f(a) &gt; 0 &gt; f(b), to <paramref name="accuracy"/> in x.</summary>
    private static double BrentRoot(double a, double b, double fa, double fb, double accuracy, ReadOnlySpan<float> z, SlopeFunction f)
    {
        double tolerance = 0.5 * accuracy;
        double c = a, fc = fa, d = b - a, e = d;
        for (int iteration = 0; iteration < MaxEvaluations; iteration++)
        {
            if ((fb > 0 && fc > 0) || (fb < 0 && fc < 0))
            {
                c = a;
                fc = fa;
                d = b - a;
                e = d;
            }

            if (Math.Abs(fc) < Math.Abs(fb))
            {
                a = b;
                b = c;
                c = a;
                fa = fb;
                fb = fc;
                fc = fa;
            }

            double middle = 0.5 * (c - b);
            if (Math.Abs(middle) <= tolerance || fb == 0.0)
            {
                return b;
            }

            if (Math.Abs(e) >= tolerance && Math.Abs(fa) > Math.Abs(fb))
            {
                double s = fb / fa, p, q;
                if (a == c)
                {
                    p = 2.0 * middle * s;
                    q = 1.0 - s;
                }
                else
                {
                    double qa = fa / fc, r = fb / fc;
                    p = s * ((2.0 * middle * qa * (qa - r)) - ((b - a) * (r - 1.0)));
                    q = (qa - 1.0) * (r - 1.0) * (s - 1.0);
                }

                if (p > 0)
                {
                    q = -q;
                }

                p = Math.Abs(p);
                if (2.0 * p < Math.Min((3.0 * middle * q) - Math.Abs(tolerance * q), Math.Abs(e * q)))
                {
                    e = d;
                    d = p / q;
                }
                else
                {
                    d = middle;
                    e = d;
                }
            }
            else
            {
                d = middle;
                e = d;
            }

            a = b;
            fa = fb;
            b += Math.Abs(d) > tolerance ? d : Math.CopySign(tolerance, middle);
            fb = f(b, z);
        }

        return b;
    }
}
