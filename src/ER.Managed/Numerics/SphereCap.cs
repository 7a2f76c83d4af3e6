namespace ER.Managed.Numerics;

/// <summary>
/// The area of a spherical cap on S^(d-1) in log form,
/// <c>Cap_d(theta) = |S^(d-2)| int_0^theta sin^(d-2)(t) dt</c>, from the chord c = ||x - y|| of two
/// unit vectors whose angle is theta (<c>theta = 2 asin(c/2)</c>), accurate for tiny angles and any d.
/// </summary>
/// <remarks>
/// With <c>x = sin^2 theta = c^2 (1 - c^2/4)</c> and <c>1 - x = (1 - c^2/2)^2</c> (both from c, so a
/// tiny angle keeps its digits), <c>int_0^theta sin^(d-2) = B_x((d-1)/2, 1/2) / 2</c> for theta up to
/// pi/2 and <c>B((d-1)/2, 1/2) - B_x((d-1)/2, 1/2) / 2</c> beyond, where B_x is the incomplete beta
/// function, computed as <c>x^a (1-x)^b / a</c> times its continued fraction (modified Lentz) in log
/// form, through the symmetry <c>B_x(a, b) = B(a, b) - B_(1-x)(b, a)</c> where the fraction would
/// converge slowly. d = 2 gives the arc length 2 theta, d = 3 the cap 2 pi (1 - cos theta).
/// </remarks>
internal static class SphereCap
{
    private const int MaxContinuedFractionSteps = 100_000;

    /// <summary>log Cap_d(theta) for d &gt;= 2 and the squared chord c^2 in (0, 4] of the cap's angular radius.</summary>
    internal static double LogArea(int dimension, double chordSquared)
    {
        double a = 0.5 * (dimension - 1);
        const double b = 0.5;
        double x = chordSquared * (1.0 - (0.25 * chordSquared));
        double oneMinusX = (1.0 - (0.5 * chordSquared)) * (1.0 - (0.5 * chordSquared));
        double logComplete = LogBeta(a, b);
        double logIntegral;
        if (chordSquared <= 2.0)
        {
            logIntegral = LogIncompleteBeta(a, b, x, oneMinusX, logComplete) - SpecialFunctions.Log2;
        }
        else
        {
            // Beyond pi/2: the whole integral minus the cap of the antipode's angle pi - theta.
            double logRest = x > 0.0 ? LogIncompleteBeta(a, b, x, oneMinusX, logComplete) - SpecialFunctions.Log2 : double.NegativeInfinity;
            logIntegral = logComplete + SpecialFunctions.Log1p(-Math.Exp(logRest - logComplete));
        }

        return SpecialFunctions.LogSphereArea(dimension - 1) + logIntegral;
    }

    /// <summary>log B(a, b) = lgamma(a) + lgamma(b) - lgamma(a + b).</summary>
    internal static double LogBeta(double a, double b) =>
        SpecialFunctions.LogGamma(a) + SpecialFunctions.LogGamma(b) - SpecialFunctions.LogGamma(a + b);

    /// <summary>log B_x(a, b) for x in (0, 1], with 1 - x given separately (it may carry more digits than 1 - x would).</summary>
    internal static double LogIncompleteBeta(double a, double b, double x, double oneMinusX, double logComplete)
    {
        if (oneMinusX == 0.0)
        {
            return logComplete;
        }

        if (x < (a + 1.0) / (a + b + 2.0))
        {
            return LogDirect(a, b, x, oneMinusX);
        }

        // B_x(a, b) = B(a, b) - B_(1-x)(b, a), the subtracted part below half of B(a, b) here.
        double logRest = LogDirect(b, a, oneMinusX, x);
        return logComplete + SpecialFunctions.Log1p(-Math.Exp(logRest - logComplete));
    }

    /// <summary><c>log(x^a (1-x)^b / a * CF)</c>, Numerical Recipes' continued fraction for the incomplete beta.</summary>
    private static double LogDirect(double a, double b, double x, double oneMinusX)
    {
        const double Tiny = 1e-300;
        double qab = a + b, qap = a + 1.0, qam = a - 1.0;
        double c = 1.0;
        double d = 1.0 - (qab * x / qap);
        d = Math.Abs(d) < Tiny ? Tiny : d;
        d = 1.0 / d;
        double h = d;
        for (int m = 1; m <= MaxContinuedFractionSteps; m++)
        {
            int m2 = 2 * m;
            double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
            d = 1.0 + (aa * d);
            d = Math.Abs(d) < Tiny ? Tiny : d;
            c = 1.0 + (aa / c);
            c = Math.Abs(c) < Tiny ? Tiny : c;
            d = 1.0 / d;
            h *= d * c;
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
            d = 1.0 + (aa * d);
            d = Math.Abs(d) < Tiny ? Tiny : d;
            c = 1.0 + (aa / c);
            c = Math.Abs(c) < Tiny ? Tiny : c;
            d = 1.0 / d;
            double delta = d * c;
            h *= delta;
            if (Math.Abs(delta - 1.0) <= 1e-16)
            {
                return (a * Math.Log(x)) + (b * Math.Log(oneMinusX)) - Math.Log(a) + Math.Log(h);
            }
        }

        throw new InvalidOperationException($"The incomplete beta continued fraction did not converge for a = {a}, b = {b}, x = {x}.");
    }
}
