using System;
using System.Buffers;
using ER.Managed.Kernels;

namespace ER.Managed.Terms;

/// <summary>
/// The sphere entropy's entry points after validation: the fused tiles of
/// <see cref="FusedSphereEntropy"/> for every estimator, reduced by <see cref="SphereReduction"/>,
/// so that <see cref="Entropy"/> only checks arguments and calls one of these.
/// </summary>
internal static class SphereEntropy
{
    /// <summary>H for unit rows z (k x d), with the constant c already chosen; k &gt;= 2 when leaving one out.</summary>
    internal static double Value(ReadOnlySpan<float> z, int k, int d, double kappa, double c, EntropyReduction reduction, int degree)
    {
        using SphereForwardState state = FusedSphereEntropy.Forward(z, k, d, (float)kappa, SphereReduction.LeavesOneOut(reduction), keepCache: false, degree, KernelIsa.Best);
        return SphereReduction.Value(state.Lse, c, reduction);
    }

    /// <summary>H, dH/dz into <paramref name="gradient"/> and dH/dkappa, given c and dc/dkappa.</summary>
    internal static SphereTermResult WithGradient(ReadOnlySpan<float> z, int k, int d, double kappa, double c, double dc, EntropyReduction reduction, Span<float> gradient, int degree)
    {
        using SphereForwardState state = FusedSphereEntropy.Forward(z, k, d, (float)kappa, SphereReduction.LeavesOneOut(reduction), keepCache: true, degree, KernelIsa.Best);
        double[] weights = ArrayPool<double>.Shared.Rent(k);
        try
        {
            Span<double> g = weights.AsSpan(0, k);
            SphereTermResult result = SphereReduction.Result(state.Lse, state.ExpectedSimilarity, c, dc, reduction, g);
            FusedSphereEntropy.Backward(z, k, d, (float)kappa, state, g, gradient, degree, KernelIsa.Best);
            return result;
        }
        finally
        {
            ArrayPool<double>.Shared.Return(weights);
        }
    }
}
