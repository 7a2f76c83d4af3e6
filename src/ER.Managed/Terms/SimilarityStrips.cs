using System.Buffers;
using ER.Managed.Kernels;

namespace ER.Managed.Terms;

/// <summary>
/// Walks the similarity matrix <c>S = Z Z^T</c> a strip of <see cref="StripRows"/> rows at a time on
/// the packed GEMM (Z^T packed once), strips in parallel, handing each strip to a callback that
/// reduces its rows: for per-row quantities that the fused entropy does not compute (the
/// leave-one-out estimator, the mixture bounds). Each row's result depends only on its strip, so
/// results do not depend on the thread count.
/// </summary>
internal static class SimilarityStrips
{
    internal const int StripRows = 64;

    /// <summary>Called with the strip's first row, its row count and the strip (rows x k, row-major, unscaled dot products).</summary>
    internal delegate void StripAction(int firstRow, int rows, float[] strip);

    internal static unsafe void ForEach(ReadOnlySpan<float> z, int k, int d, int degree, KernelWidth width, StripAction action)
    {
        int strips = (k + StripRows - 1) / StripRows;
        fixed (float* zp = z)
        {
            using var walker = new SimilarityWalker(new PinnedFloats(zp, z.Length), k, d, width);
            Parallelism.For(strips, degree, strip =>
            {
                int r0 = strip * StripRows, m = Math.Min(StripRows, k - r0);
                float[] buffer = ArrayPool<float>.Shared.Rent(m * k);
                try
                {
                    using (SimilarityWalker.RowBlock rows = walker.Rows(r0, m, pack: false))
                    {
                        walker.Product(rows, 0, k, buffer, k, accumulate: false);
                    }

                    action(r0, m, buffer);
                }
                finally
                {
                    ArrayPool<float>.Shared.Return(buffer);
                }
            });
        }
    }
}
