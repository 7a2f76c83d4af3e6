namespace ER.Managed.Numerics;

/// <summary>
/// Brent's root finder (inverse quadratic interpolation, secant, bisection; R. P. Brent, Algorithms
/// for Minimization without Derivatives, 1973, ch. 4, in the form of Numerical Recipes' zbrent) on a
/// bracket [a, b] where f changes sign from + to -.
/// </summary>
/// <remarks>
/// Each step interpolates through the last three points (the secant through two) and takes the
/// interpolated point only when it lies less than three quarters of the way from the best point to
/// the bracket's other end and the step is less than half the step before last; otherwise it bisects.
/// A smooth simple root is found superlinearly (order about 1.8), the jump of a step function in
/// about as many evaluations as bisection, a multiple root more slowly (a triple root to 1e-8 takes
/// 67 evaluations on [0, 1]). The function takes a span beside x because the likelihoods searched over are functions
/// of the samples, which a lambda cannot capture.
/// </remarks>
internal static class BrentRoot
{
    /// <summary>A function of x and of data that the caller passes through.</summary>
    internal delegate double Function(double x, ReadOnlySpan<float> data);

    /// <summary>
    /// A root of <paramref name="f"/> in [a, b] to <paramref name="accuracy"/> in x (the final bracket
    /// is at most that wide), from f(a) = <paramref name="fa"/> &gt; 0 &gt; f(b) = <paramref name="fb"/>; at most
    /// <paramref name="maxEvaluations"/> further evaluations of f, after which the best point so far is returned.
    /// </summary>
    internal static double Find(double a, double b, double fa, double fb, double accuracy, int maxEvaluations, ReadOnlySpan<float> data, Function f)
    {
        double tolerance = 0.5 * accuracy;
        double c = a, fc = fa, d = b - a, e = d;
        for (int iteration = 0; iteration < maxEvaluations; iteration++)
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
            fb = f(b, data);
        }

        return b;
    }
}
