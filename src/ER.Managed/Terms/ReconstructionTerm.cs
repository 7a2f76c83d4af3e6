using System.Buffers;
using ER.Managed.Kernels;
using System.Numerics.Tensors;

namespace ER.Managed.Terms;

/// <summary>
/// The reconstruction terms between paired rows of two views. Work items are row ranges; each
/// row's value goes to its own slot and the slots are summed in row order, so results do not
/// depend on the thread count.
/// </summary>
internal static class ReconstructionTerm
{
    /// <summary>Rows a work item covers: about 256 KiB of each input, so items are long enough to amortize scheduling and many enough to balance.</summary>
    internal static int RowsPerItem(int d) => Math.Max(1, (1 << 16) / d);

    /// <summary><c>(1/k) sum_i &lt;a_i, b_i&gt;</c>, dots in float, their sum in double.</summary>
    internal static double MeanRowDot(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int k, int d, int degree, KernelWidth width) =>
        RowSum(a, b, default, default, k, d, degree, static (ai, bi, _, _, w) => TensorPrimitives.Dot(ai, bi), width) / k;

    /// <summary>
    /// The discrete reconstruction
    /// <c>(1/k) sum_i 0.5 (-sum_c a_ic log(b_ic + eps) - sum_c b_ic log(a_ic + eps))</c>.
    /// </summary>
    internal static double Discrete(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int k, int d, int degree, KernelWidth width) =>
        -0.5 * RowSum(a, b, default, default, k, d, degree, static (ai, bi, _, _, w) => CrossLogKernel.Run(ai, bi, DiscreteEntropyTerm.Epsilon, w), width) / k;

    /// <summary>The discrete reconstruction and its gradients, <c>dR/da_ic = (1/(2k)) (-log(b_ic + eps) - b_ic / (a_ic + eps))</c> and symmetrically.</summary>
    internal static double DiscreteBackward(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int k, int d, Span<float> gradA, Span<float> gradB, int degree, KernelWidth width)
    {
        float scale = (float)(0.5 / k);
        return -0.5 * RowSum(
            a, b, gradA, gradB, k, d, degree,
            (ai, bi, gai, gbi, w) => CrossLogGradientKernel.Run(ai, bi, gai, gbi, DiscreteEntropyTerm.Epsilon, scale, w),
            width) / k;
    }

    /// <summary>
    /// <c>(1/k) sum_i &lt;a_i, b_i&gt;</c> and the sphere reconstruction's gradients,
    /// <c>dR/da_i = -(kappa/k) b_i</c>, <c>dR/db_i = -(kappa/k) a_i</c>, in one pass over the rows.
    /// </summary>
    internal static double SphereBackward(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int k, int d, double kappa, Span<float> gradA, Span<float> gradB, int degree, KernelWidth width)
    {
        float factor = (float)(-kappa / k);
        return RowSum(
            a, b, gradA, gradB, k, d, degree,
            (ai, bi, gai, gbi, w) =>
            {
                bi.CopyTo(gai);
                ai.CopyTo(gbi);
                TensorPrimitives.Multiply(gai, factor, gai);
                TensorPrimitives.Multiply(gbi, factor, gbi);
                return TensorPrimitives.Dot(ai, bi);
            },
            width) / k;
    }

    private delegate double RowFunction(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> gradA, Span<float> gradB, KernelWidth width);

    /// <summary>sum_i f(a_i, b_i, gradA_i, gradB_i) over row ranges in parallel, summed in row order (gradients may be empty).</summary>
    private static unsafe double RowSum(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> gradA, Span<float> gradB, int k, int d, int degree, RowFunction f, KernelWidth width)
    {
        int rowsPerItem = RowsPerItem(d);
        int items = (k + rowsPerItem - 1) / rowsPerItem;
        double[] values = ArrayPool<double>.Shared.Rent(k);
        try
        {
            fixed (float* ap = a)
            fixed (float* bp = b)
            fixed (float* gap = gradA)
            fixed (float* gbp = gradB)
            {
                var ah = new PinnedFloats(ap, a.Length);
                var bh = new PinnedFloats(bp, b.Length);
                var gah = new PinnedFloats(gap, gradA.Length);
                var gbh = new PinnedFloats(gbp, gradB.Length);
                bool gradients = !gradA.IsEmpty;
                Parallelism.For(items, degree, item =>
                {
                    int start = item * rowsPerItem, end = Math.Min(k, start + rowsPerItem);
                    for (int i = start; i < end; i++)
                    {
                        values[i] = f(
                            ah.Span.Slice(i * d, d),
                            bh.Span.Slice(i * d, d),
                            gradients ? gah.Span.Slice(i * d, d) : default,
                            gradients ? gbh.Span.Slice(i * d, d) : default,
                            width);
                    }
                });
            }

            double sum = 0.0;
            for (int i = 0; i < k; i++)
            {
                sum += values[i];
            }

            return sum;
        }
        finally
        {
            ArrayPool<double>.Shared.Return(values);
        }
    }
}
