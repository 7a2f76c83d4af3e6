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
}
