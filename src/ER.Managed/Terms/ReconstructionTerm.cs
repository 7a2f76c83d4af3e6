using System;
using ER.Managed.Kernels;

namespace ER.Managed.Terms;

/// <summary>The reconstruction terms between paired rows of two views.</summary>
internal static class ReconstructionTerm
{
    /// <summary><c>(1/k) sum_i &lt;a_i, b_i&gt;</c>, dots in float, their sum in double.</summary>
    internal static double MeanRowDot(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int k, int d, KernelWidth width)
    {
        double sum = 0.0;
        for (int i = 0; i < k; i++)
        {
            sum += DotKernel.Run(a.Slice(i * d, d), b.Slice(i * d, d), width);
        }

        return sum / k;
    }

    /// <summary>
    /// The discrete reconstruction
    /// <c>(1/k) sum_i 0.5 (-sum_c a_ic log(b_ic + eps) - sum_c b_ic log(a_ic + eps))</c>.
    /// </summary>
    internal static double Discrete(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int k, int d, KernelWidth width)
    {
        double sum = 0.0;
        for (int i = 0; i < k; i++)
        {
            sum += CrossLogKernel.Run(a.Slice(i * d, d), b.Slice(i * d, d), DiscreteEntropyTerm.Epsilon, width);
        }

        return -0.5 * sum / k;
    }

    /// <summary>The discrete reconstruction and its gradients, <c>dR/da_ic = (1/(2k)) (-log(b_ic + eps) - b_ic / (a_ic + eps))</c> and symmetrically.</summary>
    internal static double DiscreteBackward(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int k, int d, Span<float> gradA, Span<float> gradB, KernelWidth width)
    {
        double sum = 0.0;
        float scale = (float)(0.5 / k);
        for (int i = 0; i < k; i++)
        {
            sum += CrossLogGradientKernel.Run(
                a.Slice(i * d, d), b.Slice(i * d, d), gradA.Slice(i * d, d), gradB.Slice(i * d, d), DiscreteEntropyTerm.Epsilon, scale, width);
        }

        return -0.5 * sum / k;
    }

    /// <summary>The sphere reconstruction's gradients, <c>dR/da_i = -(kappa/k) b_i</c>, <c>dR/db_i = -(kappa/k) a_i</c>.</summary>
    internal static void SphereGradient(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int k, double kappa, Span<float> gradA, Span<float> gradB, KernelWidth width)
    {
        float factor = (float)(-kappa / k);
        gradA.Clear();
        gradB.Clear();
        AddKernel.Run(b, gradA, factor, width);
        AddKernel.Run(a, gradB, factor, width);
    }
}
