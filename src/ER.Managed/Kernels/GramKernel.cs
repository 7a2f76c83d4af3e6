using System;
using ER.Managed.Kernels.Gemm;

namespace ER.Managed.Kernels;

/// <summary>
/// The Gram matrix <c>C = Z Z^T</c> (k x k) of a k x d row-major matrix, on the packed GEMM.
/// C is symmetric: each block row computes only the blocks on and right of the diagonal and
/// mirrors them below it, so every off-diagonal product is computed once. Block rows run in
/// parallel; every element is produced by one GEMM call in a fixed order, so the result is the
/// same bit for bit whatever the thread count.
/// </summary>
internal static class GramKernel
{
    /// <summary>Rows of C a work item computes (a multiple of both micro-kernels' MR = 6 would not matter: edges are handled).</summary>
    internal const int BlockRows = 256;

    internal static unsafe void Compute(ReadOnlySpan<float> z, int k, int d, Span<float> c, int degree, KernelWidth width)
    {
        int blocks = (k + BlockRows - 1) / BlockRows;
        fixed (float* zp = z)
        fixed (float* cp = c)
        {
            var zh = new PinnedFloats(zp, z.Length);
            var ch = new PinnedFloats(cp, c.Length);
            Parallelism.For(blocks, degree, block => ComputeBlockRow(zh.Span, k, d, ch.Span, block * BlockRows, width));
        }
    }

    private static void ComputeBlockRow(ReadOnlySpan<float> z, int k, int d, Span<float> c, int start, KernelWidth width)
    {
        int rows = Math.Min(BlockRows, k - start);
        GemmKernel.Multiply(
            z.Slice(start * d, rows * d), d, transA: false,
            z[(start * d)..], d, transB: true,
            c[((start * k) + start)..], k,
            rows, k - start, d, accumulate: false, width);

        // Mirror the part right of this block's diagonal square into the columns below it.
        for (int i = 0; i < rows; i++)
        {
            int row = start + i;
            for (int j = start + rows; j < k; j++)
            {
                c[(j * k) + row] = c[(row * k) + j];
            }
        }
    }
}
