using ER.Managed.Kernels.VmfNormalizer;
using ER.Managed.Numerics;
using ER.Managed.Terms;

namespace ER.Managed.Estimation;

/// <summary>García-Portugués's rule of thumb and the one-vMF fit behind it (see the class remarks in KappaSelection.cs).</summary>
public static partial class KappaSelection
{
    /// <summary>
    /// García-Portugués's (2013) rule-of-thumb concentration for the vMF kernel (see the class remarks),
    /// with L at that concentration for comparison. Total on valid data like <see cref="LeaveOneOut(ReadOnlySpan{float}, int, int, ErOptions?)"/>:
    /// samples whose mean resultant is 0 (or so small that the rule's kappa underflows) give kappa = 0
    /// with <see cref="KappaSelectionBoundary.Uniform"/>; a rule's kappa above <see cref="MaxKappa"/>
    /// gives <see cref="MaxKappa"/> with <see cref="KappaSelectionBoundary.Concentrated"/>, and so do
    /// samples that all point the same way (a collapsed batch), whose one-vMF fit and rule have no
    /// finite concentration.
    /// </summary>
    /// <param name="z">The samples, rows x columns, unit rows.</param>
    /// <param name="rows">The number of samples n; at least 2.</param>
    /// <param name="columns">The dimension d; at least 2.</param>
    /// <param name="options">Validation and threading settings; null for <see cref="ErOptions.Default"/>.</param>
    /// <returns>kappa, L(kappa), the evaluations of the one-vMF fit's equation (its bracket's and its Newton steps') and the boundary flag.</returns>
    /// <exception cref="ArgumentException">Bad samples: a shape mismatch, or (when validating) a row that is not finite or not unit.</exception>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than 2 rows or columns.</exception>
    public static KappaSelectionResult RuleOfThumb(ReadOnlySpan<float> z, int rows, int columns, ErOptions? options = null)
    {
        options ??= ErOptions.Default;
        CheckSamples(z, rows, columns, options, ruleOfThumb: true);
        double kappa = RuleOfThumbKappa(z, rows, columns, out int evaluations);
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
        return new KappaSelectionResult(kappa, value, evaluations, KappaSelectionMethod.RuleOfThumb, boundary);
    }

    /// <summary>
    /// The maximum-likelihood concentration of one vMF fitted to unit rows: the root of
    /// <c>A_d(kappa) = R</c>, R the mean resultant length, solved as <c>1 - A_d(kappa) = 1 - R</c> on
    /// log kappa by Newton's method inside a bracket (bisection where a step leaves it); +infinity where
    /// every row points the same way (R = 1). <paramref name="evaluations"/> counts the evaluations of
    /// the equation, those that bracket the root included (0 where no equation is solved).
    /// </summary>
    /// <remarks>
    /// A tight cluster has R within 1e-10 of 1 and kappa near 1e10: there 1 - R formed from R keeps
    /// about 6 digits and 1 - A from A about as few, so Newton on <c>A = R</c> wanders until its step
    /// cap. Both sides are formed without cancellation instead: <c>1 - R^2 = (1/n) sum_i |u_i - u|^2</c>
    /// (u_i the rows normalized in double, u their mean), and <c>kappa (1 - A_d)</c> from the Bessel
    /// ratio's continued fraction.
    /// </remarks>
    internal static double MaximumLikelihoodConcentration(ReadOnlySpan<float> z, int n, int d, out int evaluations)
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
        evaluations = 0;
        if (oneDirection || !(oneMinusResultant > 0))
        {
            return double.PositiveInfinity;
        }

        if (oneMinusResultant >= 1.0)
        {
            return 0.0;
        }

        // F(t) = log(1 - A_d(e^t)) - log(1 - R) falls strictly in t = log kappa; its slope is
        // -kappa^2 A'/c with c = kappa (1 - A_d) and kappa^2 A' = kappa (2c - (d - 1)) + c (d - 1 - c).
        double target = Math.Log(oneMinusResultant);
        int calls = 0;
        double F(double t, out double slope)
        {
            calls++;
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

        for (int step = 0; step < 200 && high - low > 1e-14 * Math.Max(1.0, Math.Abs(x)); step++)
        {
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

        evaluations = calls;
        return Math.Exp(x);
    }
}
