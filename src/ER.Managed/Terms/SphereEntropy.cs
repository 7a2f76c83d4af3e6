using System.Buffers;
using ER.Managed.Kernels;

namespace ER.Managed.Terms;

/// <summary>
/// The sphere entropy's entry points after validation: the fused tiles of
/// <see cref="FusedSphereEntropy"/> for every estimator (from kappa = <see cref="ExactRows.FromKappa"/> up,
/// the rows of <see cref="ExactRows"/>), reduced by <see cref="SphereReduction"/>,
/// so that <see cref="Entropy"/> only checks arguments and calls one of these.
/// </summary>
internal static class SphereEntropy
{
    /// <summary>H for unit rows z (k x d), with the constant c already chosen; k &gt;= 2 when leaving one out.</summary>
    internal static double Value(ReadOnlySpan<float> z, int k, int d, double kappa, double c, EntropyReduction reduction, int degree)
    {
        double[] buffer = ArrayPool<double>.Shared.Rent(k);
        try
        {
            States(z, k, d, kappa, SphereReduction.LeavesOneOut(reduction), buffer.AsSpan(0, k), default, degree);
            return SphereReduction.Value(buffer.AsSpan(0, k), c, reduction);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Every row's state, <c>LSE_i</c> into <paramref name="lse"/> and <c>sum_j P_ij s_ij</c> into
    /// <paramref name="expected"/> (k each; empty where only the LSEs are wanted, which spares the fused
    /// forward its sums of E s), by the fused forward or, from kappa = <see cref="ExactRows.FromKappa"/>
    /// up, by <see cref="ExactRows"/>: the one place that chooses.
    /// </summary>
    internal static void States(ReadOnlySpan<float> z, int k, int d, double kappa, bool leaveOneOut, Span<double> lse, Span<double> expected, int degree)
    {
        if (kappa >= ExactRows.FromKappa)
        {
            double[]? scratch = expected.IsEmpty ? ArrayPool<double>.Shared.Rent(k) : null;
            try
            {
                ExactRows.States(z, k, d, kappa, leaveOneOut, 0, k, lse, scratch is null ? expected : scratch.AsSpan(0, k), degree, KernelIsa.Best);
            }
            finally
            {
                PooledArrays.ReturnIfRented(scratch);
            }

            return;
        }

        using SphereForwardState state = FusedSphereEntropy.Forward(
            z, k, d, (float)kappa, leaveOneOut, keepCache: false, degree, KernelIsa.Best, expectedSimilarity: !expected.IsEmpty);
        state.Lse.CopyTo(lse);
        if (!expected.IsEmpty)
        {
            state.ExpectedSimilarity.CopyTo(expected);
        }
    }

    /// <summary>H, dH/dz into <paramref name="gradient"/> and dH/dkappa, given c and dc/dkappa.</summary>
    internal static SphereTermResult WithGradient(ReadOnlySpan<float> z, int k, int d, double kappa, double c, double dc, EntropyReduction reduction, Span<float> gradient, int degree)
    {
        if (kappa >= ExactRows.FromKappa)
        {
            return ExactWithGradient(z, k, d, kappa, c, dc, reduction, gradient, degree);
        }

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

    /// <summary><see cref="WithGradient"/> by <see cref="ExactRows"/>, from kappa = <see cref="ExactRows.FromKappa"/> up.</summary>
    private static SphereTermResult ExactWithGradient(ReadOnlySpan<float> z, int k, int d, double kappa, double c, double dc, EntropyReduction reduction, Span<float> gradient, int degree)
    {
        double[] buffer = ArrayPool<double>.Shared.Rent(3 * k);
        try
        {
            Span<double> lse = buffer.AsSpan(0, k), expected = buffer.AsSpan(k, k), g = buffer.AsSpan(2 * k, k);
            bool leaveOneOut = SphereReduction.LeavesOneOut(reduction);
            ExactRows.States(z, k, d, kappa, leaveOneOut, 0, k, lse, expected, degree, KernelIsa.Best);
            SphereTermResult result = SphereReduction.Result(lse, expected, c, dc, reduction, g);
            ExactRows.Gradient(z, k, d, kappa, leaveOneOut, lse, g, 0, k, gradient, degree, KernelIsa.Best);
            return result;
        }
        finally
        {
            ArrayPool<double>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// The kappa the sphere entropy computes with: the float32 nearest to it, which scales the float32
    /// similarities, also for the constant c. Both grow like kappa and H is their difference, so they
    /// must use the same kappa: at kappa = 1e8 the float rounding of kappa alone (6e-8 relative) would
    /// move c against the similarities by 6 nats. H itself moves by dH/dkappa times the rounding, at
    /// most a few 1e-7 nats (dH/dkappa falls like 1/kappa).
    /// </summary>
    internal static double AsSimilarityKappa(double kappa) => (float)kappa;
}
