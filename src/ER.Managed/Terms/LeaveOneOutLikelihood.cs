using System;
using System.Buffers;
using ER.Managed.Kernels;
using System.Numerics.Tensors;

namespace ER.Managed.Terms;

/// <summary>
/// The leave-one-out log-likelihood of the vMF kernel density estimate and its derivative in kappa:
/// <c>L(kappa) = log C_d(kappa) - log(n - 1) + (1/n) sum_i LSE_i</c>, <c>LSE_i = log sum_{j != i} exp(kappa z_i.z_j)</c>,
/// <c>dL/dkappa = -A_d(kappa) + (1/n) sum_i E_i</c>, <c>E_i = sum_{j != i} w_ij z_i.z_j</c> with
/// <c>w_ij = exp(kappa z_i.z_j - LSE_i)</c>. One walk over the similarity strips (about one entropy
/// forward); each row's LSE and E are shifted by that row's largest off-diagonal similarity, and the
/// row results are summed in double in row order, so the value does not depend on the thread count.
/// </summary>
internal static class LeaveOneOutLikelihood
{
    /// <summary>L(kappa) and dL/dkappa for unit rows z (n x d, n &gt;= 2).</summary>
    internal static (double Value, double Derivative) Evaluate(ReadOnlySpan<float> z, int n, int d, double kappa, int degree)
    {
        var lse = new double[n];
        var expected = new double[n];
        float scale = (float)kappa;
        KernelWidth width = KernelIsa.Best;
        SimilarityStrips.ForEach(z, n, d, degree, width, (r0, count, strip) =>
        {
            float[] rented = ArrayPool<float>.Shared.Rent(n);
            try
            {
                Span<float> weights = rented.AsSpan(0, n);
                for (int r = 0; r < count; r++)
                {
                    int i = r0 + r;
                    Span<float> row = strip.AsSpan(r * n, n);
                    row[i] = float.NegativeInfinity;
                    float max = TensorPrimitives.Max(row);
                    row[i] = max; // finite, and its weight is zeroed below
                    ExpMapKernel.Run(row, weights, scale, -scale * max, width);
                    weights[i] = 0f;
                    double sum = SumKernel.Run(weights, width);
                    lse[i] = ((double)scale * max) + Math.Log(sum);
                    expected[i] = TensorPrimitives.Dot(row, weights) / sum;
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(rented);
            }
        });

        double lseTotal = 0.0, expectedTotal = 0.0;
        for (int i = 0; i < n; i++)
        {
            lseTotal += lse[i];
            expectedTotal += expected[i];
        }

        double value = VonMisesFisher.LogNormalizerUnchecked(d, kappa) - Math.Log(n - 1) + (lseTotal / n);
        double derivative = -VonMisesFisher.BesselRatioUnchecked(d, kappa) + (expectedTotal / n);
        return (value, derivative);
    }
}
