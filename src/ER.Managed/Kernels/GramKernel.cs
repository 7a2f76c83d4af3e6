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
    /// <summary>
    /// Rows of C a work item computes: a multiple of every micro-kernel's NR (64, 16), so block row
    /// starts fall on panels of the packed Z^T; 16 work items at k = 4096 balance two threads.
    /// </summary>
    internal const int BlockRows = 256;

    internal static unsafe void Compute(ReadOnlySpan<float> z, int k, int d, Span<float> c, int degree, KernelWidth width)
    {
        int blocks = (k + BlockRows - 1) / BlockRows;

        // Z^T is packed once for all block rows (BlockRows is a multiple of every NR).
        using PackedOperand? packed = GemmKernel.HasMicroKernel(width) ? GemmKernel.PackTransposedB(z, k, d, width, degree) : null;
        fixed (float* zp = z)
        fixed (float* cp = c)
        {
            var zh = new PinnedFloats(zp, z.Length);
            var ch = new PinnedFloats(cp, c.Length);
            Parallelism.For(blocks, degree, block => ComputeBlockRow(zh.Span, packed, k, d, ch.Span, block * BlockRows, width));
        }
    }

    private static void ComputeBlockRow(ReadOnlySpan<float> z, PackedOperand? packed, int k, int d, Span<float> c, int start, KernelWidth width)
    {
        int rows = Math.Min(BlockRows, k - start);
        ReadOnlySpan<float> a = z.Slice(start * d, rows * d);
        Span<float> target = c[((start * k) + start)..];
        if (packed is not null)
        {
            GemmKernel.MultiplyPacked(a, d, false, packed, start, k - start, target, k, rows, accumulate: false);
        }
        else
        {
            GemmKernel.Multiply(a, d, false, z[(start * d)..], d, true, target, k, rows, k - start, d, accumulate: false, width);
        }

        // Mirror the part right of this block's diagonal square into the columns below it, in
        // 32 x 32 squares so that both the reads and the transposed writes stay within a few
        // hundred cache lines (a plain column-by-column copy misses on every write).
        const int Square = 32;
        for (int j0 = start + rows; j0 < k; j0 += Square)
        {
            int j1 = Math.Min(k, j0 + Square);
            for (int i0 = 0; i0 < rows; i0 += Square)
            {
                int i1 = Math.Min(rows, i0 + Square);
                for (int j = j0; j < j1; j++)
                {
                    Span<float> mirrored = c.Slice((j * k) + start, rows);
                    for (int i = i0; i < i1; i++)
                    {
                        mirrored[i] = c[((start + i) * k) + j];
                    }
                }
            }
        }
    }

    /// <summary>
    /// <c>A B^T</c> (aRows x bRows) on the packed GEMM: B^T packed once for all block rows of A (not
    /// once per block row), block rows in parallel, each element from one GEMM call in a fixed order.
    /// </summary>
    internal static unsafe void MultiplyTransposed(ReadOnlySpan<float> a, int aRows, ReadOnlySpan<float> b, int bRows, int columns, Span<float> result, int degree, KernelWidth width)
    {
        int blocks = (aRows + BlockRows - 1) / BlockRows;

        // B^T is packed once for all block rows of A (not once per block row).
        using PackedOperand? packed = GemmKernel.HasMicroKernel(width) ? GemmKernel.PackTransposedB(b, bRows, columns, width, degree) : null;
        fixed (float* ap = a)
        fixed (float* bp = b)
        fixed (float* cp = result)
        {
            var ah = new PinnedFloats(ap, a.Length);
            var bh = new PinnedFloats(bp, b.Length);
            var ch = new PinnedFloats(cp, result.Length);
            Parallelism.For(blocks, degree, block =>
            {
                int start = block * BlockRows, m = Math.Min(BlockRows, aRows - start);
                ReadOnlySpan<float> rows = ah.Span.Slice(start * columns, m * columns);
                Span<float> target = ch.Span[(start * bRows)..];
                if (packed is not null)
                {
                    GemmKernel.MultiplyPacked(rows, columns, false, packed, 0, bRows, target, bRows, m, accumulate: false);
                }
                else
                {
                    GemmKernel.Multiply(rows, columns, false, bh.Span, columns, true, target, bRows, m, bRows, columns, accumulate: false, width);
                }
            });
        }
    }
}
