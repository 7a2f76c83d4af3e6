using System;
using System.Buffers;
using ER.Managed.Kernels;

namespace ER.Managed.Terms;

/// <summary>
/// The sphere entropy's entry points after validation: each picks the algorithm (the fused tiles
/// of <see cref="FusedSphereEntropy"/>, or the unfused strips of <see cref="SphereEntropyTerm"/>
/// when a row sum would underflow, which needs rows far from unit norm at a huge kappa) and the
/// kernel width, so that <see cref="Entropy"/> only checks arguments and calls one of these.
/// </summary>
internal static class SphereEntropy
{
    /// <summary>H for unit rows z (k x d), with the constant c already chosen.</summary>
    internal static double Value(ReadOnlySpan<float> z, int k, int d, double kappa, double c, EntropyReduction reduction, int degree)
    {
        using FusedSphereEntropy.ForwardState? state = FusedSphereEntropy.Forward(z, k, d, (float)kappa, keepCache: false, degree, KernelIsa.Best);
        if (state is not null)
        {
            return SphereEntropyTerm.Value(state.Lse, c, reduction);
        }

        // Rows far from unit norm at a huge kappa: the unfused path shifts each row by its own maximum.
        double[] lse = ArrayPool<double>.Shared.Rent(k);
        try
        {
            Span<double> rowLse = lse.AsSpan(0, k);
            SphereEntropyTerm.RowLogSumExp(z, k, d, (float)kappa, rowLse, KernelIsa.Best);
            return SphereEntropyTerm.Value(rowLse, c, reduction);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(lse);
        }
    }

    /// <summary>H, dH/dz into <paramref name="gradient"/> and dH/dkappa, given c and dc/dkappa.</summary>
    internal static SphereTermResult WithGradient(ReadOnlySpan<float> z, int k, int d, double kappa, double c, double dc, EntropyReduction reduction, Span<float> gradient, int degree)
    {
        using FusedSphereEntropy.ForwardState? state = FusedSphereEntropy.Forward(z, k, d, (float)kappa, keepCache: true, degree, KernelIsa.Best);
        if (state is null)
        {
            (double value, double kappaGradient) = SphereEntropyTerm.Backward(z, k, d, kappa, c, dc, reduction, gradient, KernelIsa.Best);
            return new SphereTermResult(value, kappaGradient);
        }

        double[] weights = ArrayPool<double>.Shared.Rent(k);
        try
        {
            Span<double> g = weights.AsSpan(0, k);
            SphereTermResult result = SphereEntropyTerm.Result(state.Lse, state.ExpectedSimilarity, c, dc, reduction, g);
            FusedSphereEntropy.Backward(z, k, d, (float)kappa, state, g, gradient, degree, KernelIsa.Best);
            return result;
        }
        finally
        {
            ArrayPool<double>.Shared.Return(weights);
        }
    }

    /// <summary>Joe's estimator without the self-pair: <c>c + log(k - 1) - mean_i log sum_{j != i} exp(kappa z_i.z_j)</c>; k &gt;= 2.</summary>
    internal static double LeaveOneOut(ReadOnlySpan<float> z, int k, int d, double kappa, double c, int degree)
    {
        double[] buffer = ArrayPool<double>.Shared.Rent(k);
        try
        {
            float scale = (float)kappa;
            SimilarityStrips.ForEach(z, k, d, degree, KernelIsa.Best, (r0, m, strip) =>
            {
                for (int r = 0; r < m; r++)
                {
                    Span<float> row = strip.AsSpan(r * k, k);
                    row[r0 + r] = float.NegativeInfinity;
                    buffer[r0 + r] = LogSumExpKernel.Run(row, scale, KernelIsa.Best);
                }
            });

            double sum = 0;
            for (int i = 0; i < k; i++)
            {
                sum += buffer[i];
            }

            return c + Math.Log(k - 1) - (sum / k);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(buffer);
        }
    }
}
