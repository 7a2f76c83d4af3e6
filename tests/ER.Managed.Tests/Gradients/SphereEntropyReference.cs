using System.Threading.Tasks;

namespace ER.Managed.Tests.Gradients;

/// <summary>
/// The sphere entropy, its gradient and its kappa derivative in double straight from SPEC.md's
/// formulas (all k x k similarities held, row-wise log-sum-exp shifted by each row's own maximum),
/// for float32 inputs: the "float64 truth" that the float32 kernels are compared with. Only
/// the constant c and dc/dkappa come from <see cref="VonMisesFisher"/>. The leave-one-out estimator
/// masks the self-pairs (P_ii = 0), counts k - 1 terms and weighs the rows uniformly.
/// </summary>
internal static class SphereEntropyReference
{
    internal static (double Value, double[] Gradient, double KappaGradient) Compute(float[] z, int k, int d, double kappa, EntropyReduction reduction)
    {
        // s_ij = z_i . z_j in double (products of floats are exact in double; sums round at 1e-16).
        var s = new double[k * k];
        Parallel.For(0, k, i =>
        {
            for (int j = 0; j < k; j++)
            {
                double dot = 0;
                for (int t = 0; t < d; t++)
                {
                    dot += (double)z[(i * d) + t] * z[(j * d) + t];
                }

                s[(i * k) + j] = dot;
            }
        });

        bool leaveOneOut = reduction == EntropyReduction.LeaveOneOut;
        double Exponent(int i, int j) => leaveOneOut && i == j ? double.NegativeInfinity : kappa * s[(i * k) + j];
        var lse = new double[k];
        var p = new double[k * k];
        for (int i = 0; i < k; i++)
        {
            double max = double.NegativeInfinity;
            for (int j = 0; j < k; j++)
            {
                max = Math.Max(max, Exponent(i, j));
            }

            double sum = 0;
            for (int j = 0; j < k; j++)
            {
                sum += Math.Exp(Exponent(i, j) - max);
            }

            lse[i] = max + Math.Log(sum);
            for (int j = 0; j < k; j++)
            {
                p[(i * k) + j] = Math.Exp(Exponent(i, j) - lse[i]);
            }
        }

        // u: the weights of the reduction (uniform, or softmax(-l) = softmax(LSE)); g_i = dH/dl_i.
        var u = new double[k];
        bool uniform = reduction is EntropyReduction.Average or EntropyReduction.LeaveOneOut;
        if (uniform)
        {
            Array.Fill(u, 1.0 / k);
        }
        else
        {
            double max = double.NegativeInfinity;
            foreach (double v in lse)
            {
                max = Math.Max(max, v);
            }

            double total = 0;
            for (int i = 0; i < k; i++)
            {
                u[i] = Math.Exp(lse[i] - max);
                total += u[i];
            }

            for (int i = 0; i < k; i++)
            {
                u[i] /= total;
            }
        }

        double meanLse = 0;
        for (int i = 0; i < k; i++)
        {
            meanLse += u[i] * lse[i];
        }

        var g = new double[k];
        for (int i = 0; i < k; i++)
        {
            g[i] = uniform ? u[i] : u[i] * (1.0 + lse[i] - meanLse);
        }

        double c = VonMisesFisher.Constant(d, kappa);
        double value = c + Math.Log(leaveOneOut ? k - 1 : k) - meanLse;

        // dH/dz_i = -kappa sum_j (g_i P_ij + g_j P_ji) z_j; dH/dkappa = dc/dkappa - sum_i g_i sum_j P_ij s_ij.
        var gradient = new double[k * d];
        Parallel.For(0, k, i =>
        {
            for (int j = 0; j < k; j++)
            {
                double w = (g[i] * p[(i * k) + j]) + (g[j] * p[(j * k) + i]);
                for (int t = 0; t < d; t++)
                {
                    gradient[(i * d) + t] -= kappa * w * z[(j * d) + t];
                }
            }
        });

        double expected = 0;
        for (int i = 0; i < k; i++)
        {
            for (int j = 0; j < k; j++)
            {
                expected += p[(i * k) + j] == 0 ? 0 : g[i] * p[(i * k) + j] * s[(i * k) + j];
            }
        }

        return (value, gradient, VonMisesFisher.ConstantDerivative(d, kappa) - expected);
    }
}
