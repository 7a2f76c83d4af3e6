using System.Linq;

namespace ER.Managed.Tests.Gradients;

/// <summary>
/// Plain double-precision implementations of every term, straight from SPEC.md, for central
/// finite differences. Independent of the library's kernels; only the constant c comes from
/// <see cref="VonMisesFisher"/> (itself tested against mpmath and the golden table).
/// </summary>
internal static class DoubleReference
{
    internal const double Eps = 1e-7;

    internal static double SphereEntropy(double[] z, int k, int d, double kappa, EntropyReduction reduction, NormalizerMode normalizer = NormalizerMode.Exact)
    {
        double c = VonMisesFisher.Constant(d, kappa, normalizer);
        double[] l = RowLogSumExp(z, k, d, kappa).Select(lse => c + Math.Log(k) - lse).ToArray();
        if (reduction == EntropyReduction.Average)
        {
            return l.Average();
        }

        double lmax = l.Select(v => -v).Max();
        double[] w = l.Select(v => Math.Exp(-v - lmax)).ToArray();
        double total = w.Sum();
        return l.Select((v, i) => w[i] / total * v).Sum();
    }

    /// <summary><c>LSE_i = log sum_j exp(kappa s_ij)</c> in double, the self-pair left out where <paramref name="leaveOneOut"/>.</summary>
    internal static double[] RowLogSumExp(double[] z, int k, int d, double kappa, bool leaveOneOut = false)
    {
        var lse = new double[k];
        var s = new double[k];
        for (int i = 0; i < k; i++)
        {
            for (int j = 0; j < k; j++)
            {
                double dot = 0;
                for (int t = 0; t < d; t++)
                {
                    dot += z[(i * d) + t] * z[(j * d) + t];
                }

                s[j] = leaveOneOut && j == i ? double.NegativeInfinity : kappa * dot;
            }

            double max = s.Max();
            lse[i] = max + Math.Log(s.Sum(v => Math.Exp(v - max)));
        }

        return lse;
    }

    internal static double DiscreteEntropy(double[] w, int k, int d, EntropyReduction reduction)
    {
        double h = 0;
        for (int c = 0; c < d; c++)
        {
            double m = 0;
            for (int i = 0; i < k; i++)
            {
                m += w[(i * d) + c];
            }

            m /= k;
            h += reduction == EntropyReduction.Average ? Math.Log(m + Eps) / d : m * Math.Log(m + Eps);
        }

        return -h;
    }

    internal static double SphereReconstruction(double[] a, double[] b, int k, int d, double kappa, NormalizerMode normalizer = NormalizerMode.Exact)
    {
        double c = VonMisesFisher.Constant(d, kappa, normalizer);
        double sum = 0;
        for (int i = 0; i < k * d; i++)
        {
            sum += a[i] * b[i];
        }

        return c - (kappa * sum / k);
    }

    internal static double DiscreteReconstruction(double[] a, double[] b, int k, int d)
    {
        double sum = 0;
        for (int i = 0; i < k * d; i++)
        {
            sum += (a[i] * Math.Log(b[i] + Eps)) + (b[i] * Math.Log(a[i] + Eps));
        }

        return -0.5 * sum / k;
    }

    internal static double[] Normalize(double[] x, int k, int d)
    {
        var z = new double[x.Length];
        for (int i = 0; i < k; i++)
        {
            double norm = Math.Sqrt(Enumerable.Range(0, d).Sum(t => x[(i * d) + t] * x[(i * d) + t]));
            for (int t = 0; t < d; t++)
            {
                z[(i * d) + t] = x[(i * d) + t] / norm;
            }
        }

        return z;
    }

    internal static double[] Softmax(double[] x, int k, int d, double temperature)
    {
        var p = new double[x.Length];
        for (int i = 0; i < k; i++)
        {
            double max = Enumerable.Range(0, d).Max(t => x[(i * d) + t] / temperature);
            double sum = Enumerable.Range(0, d).Sum(t => Math.Exp((x[(i * d) + t] / temperature) - max));
            for (int t = 0; t < d; t++)
            {
                p[(i * d) + t] = Math.Exp((x[(i * d) + t] / temperature) - max) / sum;
            }
        }

        return p;
    }

    /// <summary>Central difference of f at x along every coordinate (step h relative to max(1, |x_i|)).</summary>
    internal static double[] Gradient(Func<double[], double> f, double[] x, double h = 1e-5)
    {
        var g = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            double step = h * Math.Max(1.0, Math.Abs(x[i]));
            double keep = x[i];
            x[i] = keep + step;
            double plus = f(x);
            x[i] = keep - step;
            double minus = f(x);
            x[i] = keep;
            g[i] = (plus - minus) / (2 * step);
        }

        return g;
    }

    internal static double Derivative(Func<double, double> f, double x, double h = 1e-6)
    {
        double step = h * Math.Max(1.0, Math.Abs(x));
        return (f(x + step) - f(x - step)) / (2 * step);
    }

    internal static double[] ToDouble(float[] x) => x.Select(v => (double)v).ToArray();
}
