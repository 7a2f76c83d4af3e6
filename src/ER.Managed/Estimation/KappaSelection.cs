using ER.Managed.Kernels.VmfNormalizer;
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
    /// <param name="kappa">The kernel concentration; from 0 (the uniform limit) to <see cref="Entropy.MaxKappa"/>.</param>
    /// <param name="derivative">Receives dL/dkappa.</param>
    /// <param name="options">Validation and threading settings; null for <see cref="ErOptions.Default"/>.</param>
    /// <returns>L(kappa).</returns>
    /// <exception cref="ArgumentException">A shape mismatch or a row that is not unit.</exception>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than 2 rows, or a bad kappa.</exception>
    public static double LeaveOneOutLogLikelihood(ReadOnlySpan<float> z, int rows, int columns, double kappa, out double derivative, ErOptions? options = null)
    {
        options ??= ErOptions.Default;
        CheckSamples(z, rows, columns, options);
        Validation.CheckTermKappa(kappa);
        (double value, derivative) = LeaveOneOutLikelihood.Evaluate(z, rows, columns, kappa, options.EffectiveDegreeOfParallelism);
        return value;
    }

    /// <summary>
    /// The concentration that maximizes the leave-one-out log-likelihood (a root of its exact
    /// derivative, bracketed on log kappa and found by Brent's method to 1e-5 in log kappa). Total on
    /// valid data: where the likelihood is largest as kappa -&gt; 0 (data no more concentrated than
    /// uniform) it returns kappa = 0 with <see cref="KappaSelectionBoundary.Uniform"/>; where it still
    /// rises at <see cref="MaxKappa"/> (near-duplicate rows) it returns <see cref="MaxKappa"/> with
    /// <see cref="KappaSelectionBoundary.Concentrated"/>, as for rows that all point the same way (a
    /// collapsed batch).
    /// </summary>
    /// <param name="z">The samples, rows x columns, unit rows.</param>
    /// <param name="rows">The number of samples n; at least 2.</param>
    /// <param name="columns">The dimension d; at least 1 (d = 1, rows of +1 and -1, starts its search at kappa = 1: the rule of thumb needs d &gt;= 2).</param>
    /// <param name="options">Validation and threading settings; null for <see cref="ErOptions.Default"/>.</param>
    /// <returns>kappa, L(kappa), the number of likelihood evaluations and the boundary flag.</returns>
    /// <remarks>
    /// Below <see cref="MinKappa"/> the search looks at the limit itself: the slope at kappa = 0 is
    /// the mean similarity of distinct rows, <c>(||sum_i z_i||^2 - n) / (n (n - 1))</c> for unit rows; where it
    /// is not positive the maximum is at 0, else it lies in (0, <see cref="MinKappa"/>) and is found there.
    /// </remarks>
    /// <exception cref="ArgumentException">Bad samples: a shape mismatch, or (when validating) a row that is not finite or not unit.</exception>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than 2 rows, or fewer than 1 column.</exception>
    public static KappaSelectionResult LeaveOneOut(ReadOnlySpan<float> z, int rows, int columns, ErOptions? options = null)
    {
        options ??= ErOptions.Default;
        CheckSamples(z, rows, columns, options);
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

        // Bracket a sign change of dL/dkappa, + below and - above, stepping by factors of 4 from the rule
        // of thumb (which needs d >= 2; infinite for rows that all point the same way, where the search
        // climbs from 1e4 to the ceiling).
        double ruleOfThumb = columns >= 2 ? RuleOfThumbKappa(z, rows, columns, out _) : double.NaN;
        double start = ruleOfThumb > 0 ? Math.Clamp(ruleOfThumb, 1e-2, 1e4) : 1.0;
        double low = Math.Log(start), high = low;
        double slopeLow = Slope(low, z), slopeHigh = slopeLow;
        double step = Math.Log(4.0);
        if (slopeLow > 0)
        {
            // A slope of exactly 0 after positive ones keeps the climb going: at d = 1 with every row
            // the same, L rises to a finite supremum (0) and its slope, 2 e^(-2 kappa), rounds to 0
            // from kappa ~ 19 on; that is no maximum. Elsewhere an exact 0 is an accident of rounding
            // at most one step before the slope turns negative.
            while (slopeHigh >= 0)
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

        double t = BrentRoot.Find(low, high, slopeLow, slopeHigh, LogTolerance, MaxEvaluations, z, Slope);
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
        ReadOnlySpan<float> z, double high, double slopeHigh, BrentRoot.Function slopeAt, Func<(double Kappa, double Value, int Evaluations)> last)
    {
        double slopeZero = slopeAt(0.0, z);
        if (slopeZero <= 0)
        {
            (_, double value, int evaluations) = last();
            return new KappaSelectionResult(0.0, value, evaluations, KappaSelectionMethod.LeaveOneOut, KappaSelectionBoundary.Uniform);
        }

        double kappa = BrentRoot.Find(0.0, high, slopeZero, slopeHigh, LogTolerance * high, MaxEvaluations, z, slopeAt);
        (double lastKappa, _, _) = last();
        if (kappa != lastKappa)
        {
            slopeAt(kappa, z);
        }

        (_, double atKappa, int count) = last();
        return new KappaSelectionResult(kappa, atKappa, count, KappaSelectionMethod.LeaveOneOut);
    }

    /// <summary>The rule of thumb's concentration 1/h^2 (class remarks), in log form.</summary>
    internal static double RuleOfThumbKappa(ReadOnlySpan<float> z, int n, int d, out int evaluations)
    {
        double kappaHat = MaximumLikelihoodConcentration(z, n, d, out evaluations);
        if (kappaHat == 0.0 || double.IsPositiveInfinity(kappaHat))
        {
            return kappaHat;
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

    /// <summary>
    /// The checks both methods share: the shape, at least 2 rows, unit rows (when validating), and
    /// for the rule of thumb (<paramref name="ruleOfThumb"/>) d &gt;= 2; the leave-one-out search takes
    /// any d &gt;= 1, which the shape check already asks for.
    /// </summary>
    private static void CheckSamples(ReadOnlySpan<float> z, int rows, int columns, ErOptions options, bool ruleOfThumb = false)
    {
        Validation.CheckShape(z.Length, rows, columns, nameof(z));
        if (rows < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(rows), rows, ruleOfThumb
                ? "The rule of thumb needs at least 2 rows: one vMF fitted to a single row has infinite concentration."
                : "Leaving one out needs at least 2 rows.");
        }

        if (ruleOfThumb && columns < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(columns), columns,
                "The rule of thumb needs d >= 2 (it is derived for spheres of dimension 1 and more); the leave-one-out search takes d = 1.");
        }

        if (options.ValidateInputs)
        {
            Validation.CheckUnitRows(z, rows, columns, options.UnitNormTolerance, nameof(z), options.EffectiveDegreeOfParallelism);
        }
    }
}
