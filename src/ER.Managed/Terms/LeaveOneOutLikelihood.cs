using ER.Managed.Kernels.VmfNormalizer;
using System.Buffers;

namespace ER.Managed.Terms;

/// <summary>
/// The leave-one-out log-likelihood of the vMF kernel density estimate and its derivative in kappa:
/// <c>L(kappa) = log C_d(kappa) - log(n - 1) + (1/n) sum_i LSE_i</c>, <c>LSE_i = log sum_{j != i} exp(kappa z_i.z_j)</c>,
/// <c>dL/dkappa = -A_d(kappa) + (1/n) sum_i E_i</c>, <c>E_i = sum_{j != i} w_ij z_i.z_j</c> with
/// <c>w_ij = exp(kappa z_i.z_j - LSE_i)</c>: minus the leave-one-out entropy estimate and its kappa
/// derivative, from the sphere entropy's row states without the self-pairs (<see cref="SphereEntropy.States"/>), so
/// the value does not depend on the thread count and rows whose terms underflow take their own shift.
/// </summary>
internal static class LeaveOneOutLikelihood
{
    /// <summary>L(kappa) and dL/dkappa for unit rows z (n x d, n &gt;= 2); kappa &gt;= 0.</summary>
    internal static (double Value, double Derivative) Evaluate(ReadOnlySpan<float> z, int n, int d, double kappa, int degree)
    {
        kappa = SphereEntropy.AsSimilarityKappa(kappa);
        double lseTotal = 0.0, expectedTotal = 0.0;
        double[] buffer = ArrayPool<double>.Shared.Rent(2 * n);
        try
        {
            SphereEntropy.States(z, n, d, kappa, leaveOneOut: true, buffer.AsSpan(0, n), buffer.AsSpan(n, n), degree);
            for (int i = 0; i < n; i++)
            {
                lseTotal += buffer[i];
                expectedTotal += buffer[n + i];
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(buffer);
        }

        double value = VmfScalar.LogNormalizer(d, kappa) - Math.Log(n - 1) + (lseTotal / n);
        double derivative = -VmfScalar.BesselRatio(d, kappa) + (expectedTotal / n);
        return (value, derivative);
    }
}
