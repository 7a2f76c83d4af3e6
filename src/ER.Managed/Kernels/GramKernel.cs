using System.Runtime.CompilerServices;
using ER.Managed.Kernels.Gemm;

namespace ER.Managed.Kernels;

/// <summary>
/// The Gram matrix <c>C = Z Z^T</c> (k x k) of a k x d row-major matrix, on the packed GEMM.
/// C is symmetric: each block row computes the blocks right of its diagonal square, and of the
/// square itself bands of rows from a panel boundary at or left of their first row on; everything
/// below is mirrored, so almost every off-diagonal product is computed once. Block rows run in
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
        fixed (float* zp = z)
        fixed (float* cp = c)
        {
            var ch = new PinnedFloats(cp, c.Length);

            // Z^T is packed a chunk at a time by the first block row that needs it.
            using var walker = new SimilarityWalker(new PinnedFloats(zp, z.Length), k, d, width);
            Parallelism.For(blocks, degree, block => ComputeBlockRow(walker, k, ch.Span, block * BlockRows));
        }
    }

    /// <summary>
    /// Columns of a block row computed before they are mirrored: a multiple of every NR, and small
    /// enough (256 x 512 floats, 512 KiB) that the mirror reads them back from L2 rather than from
    /// memory; the block row's rows are packed once for all its chunks.
    /// </summary>
    private const int ColumnChunk = 512;

    private static void ComputeBlockRow(SimilarityWalker walker, int k, Span<float> c, int start)
    {
        int rows = Math.Min(BlockRows, k - start);
        using SimilarityWalker.RowBlock block = walker.Rows(start, rows, pack: true);
        for (int j0 = start; j0 < k; j0 += ColumnChunk)
        {
            int columns = Math.Min(ColumnChunk, k - j0);
            if (j0 == start)
            {
                DiagonalSquare(walker, block, k, c, start, rows);
                if (columns > rows)
                {
                    walker.Product(block, start + rows, columns - rows, c[((start * k) + start + rows)..], k, accumulate: false);
                }
            }
            else
            {
                walker.Product(block, j0, columns, c[((start * k) + j0)..], k, accumulate: false);
            }

            Mirror(c, k, start, rows, Math.Max(j0, start + rows), j0 + columns);
        }
    }

    /// <summary>
    /// The block's diagonal square C[start..start+rows)^2, computed on and above its diagonal only
    /// at the granularity the packed operands allow: the rows in bands (<see cref="DiagonalBandEnd"/>),
    /// band b from column b NR on; the entries left of each band are mirrored, as soon as the band is
    /// done (the rows above it, which hold them, come first), in the mirror's strips (one transpose a band wrote its columns across all the band's rows,
    /// lines that share an L1D set at a power-of-two k: the 1024 x 512 Gram ran 5% slower so).
    /// Computing the whole square instead took 17% more products in a 1024 x 512 Gram (one square
    /// of 256 rows in each of its 4 block rows) and 4.6% more at 4096 x 2048.
    /// </summary>
    private static void DiagonalSquare(SimilarityWalker walker, SimilarityWalker.RowBlock block, int k, Span<float> c, int start, int rows)
    {
        (int mr, int nr) = DiagonalPanels(walker.Width);
        for (int band = 0, first = 0; first < rows; band++)
        {
            int end = DiagonalBandEnd(band, rows, mr, nr), column = band * nr;
            walker.Product(block, first, end - first, start + column, rows - column, c[(((start + first) * k) + start + column)..], k, accumulate: false);

            // The band's rows lack columns [0, column): the rows above the band have them.
            Mirror(c, k, start, column, start + first, start + end);
            first = end;
        }
    }

    /// <summary>
    /// The end of band <paramref name="band"/> of a diagonal square of <paramref name="rows"/> rows:
    /// band b starts where band b - 1 ends and computes from column b NR on, so each of its rows must
    /// be at least b NR, and it must start on a micro-panel of A (a multiple of MR): bands end at
    /// the multiples of MR just past each multiple of NR (66, 132, 192, 256 for the 6 x 64 kernel).
    /// </summary>
    internal static int DiagonalBandEnd(int band, int rows, int mr, int nr) =>
        Math.Min(rows, (((band + 1) * nr) + mr - 1) / mr * mr);

    /// <summary>
    /// Entries of C that <see cref="Compute"/> forms by a product (each over the whole depth) for k
    /// rows on the micro-kernel of <paramref name="width"/>: the blocks right of the diagonal squares
    /// and the squares' bands; the rest is mirrored.
    /// </summary>
    internal static double ExecutedProducts(int k, KernelWidth width)
    {
        (int mr, int nr) = DiagonalPanels(width);
        double products = 0;
        for (int start = 0; start < k; start += BlockRows)
        {
            int rows = Math.Min(BlockRows, k - start);
            products += (double)rows * (k - start - rows);
            for (int band = 0, first = 0; first < rows; band++)
            {
                int end = DiagonalBandEnd(band, rows, mr, nr);
                products += (double)(end - first) * (rows - (band * nr));
                first = end;
            }
        }

        return products;
    }

    /// <summary>
    /// MR and band width of the diagonal squares for the micro-kernel of <paramref name="width"/>
    /// (the one <see cref="SimilarityWalker"/> packs for): its MR and NR, or 1 and 16 on the
    /// dot-product path, where any row and column could start a band, but one band per row would
    /// cost a call per row.
    /// </summary>
    private static (int RowPanel, int BandWidth) DiagonalPanels(KernelWidth width) =>
        MicroKernels.For(width) is { } kernel && MicroKernels.Describe(kernel) is var info ? (info.Rows, info.Columns) : (1, 16);

    /// <summary>
    /// Copies C[start..start+rows, j0..j1) (above and right of the entries it fills) to the columns
    /// below it, a strip of 8 columns at a time over all the block's rows: each strip writes 8 rows
    /// of C below the diagonal, each one contiguous run of the block's width, while the rows it
    /// reads, just computed, are still in L2. Walking the strip's rows in 8 x 8 squares instead,
    /// with the columns inner, sent every square's writes to 8 other rows (other pages, cold lines):
    /// the mirror took 9-11% of the Gram 4096 x 2048 on one Zen 5 core (AVX-512), 1-3% this way,
    /// measured against the same build with the mirror switched off (on the AVX2 path, two cores,
    /// the Gram went from 84% to 88% of the FMA peak).
    /// </summary>
    private static void Mirror(Span<float> c, int k, int start, int rows, int j0, int j1)
    {
        const int StripColumns = 8;
        ref float origin = ref c[0];
        for (int j = j0; j < j1; j += StripColumns)
        {
            TransposeKernel.Transpose(
                ref Unsafe.Add(ref origin, ((nint)start * k) + j), (nuint)k,
                ref Unsafe.Add(ref origin, ((nint)j * k) + start), (nuint)k,
                rows, Math.Min(StripColumns, j1 - j));
        }
    }

    /// <summary>
    /// <c>A B^T</c> (aRows x bRows) on the packed GEMM: B^T packed once for all block rows of A (not
    /// once per block row), block rows in parallel, each element from one GEMM call in a fixed order.
    /// </summary>
    internal static unsafe void MultiplyTransposed(ReadOnlySpan<float> a, int aRows, ReadOnlySpan<float> b, int bRows, int columns, Span<float> result, int degree, KernelWidth width)
    {
        int blocks = (aRows + BlockRows - 1) / BlockRows;
        fixed (float* ap = a)
        fixed (float* bp = b)
        fixed (float* cp = result)
        {
            var ch = new PinnedFloats(cp, result.Length);

            // B^T is packed once for all block rows of A (not once per block row), a chunk at a time.
            using var walker = new SimilarityWalker(new PinnedFloats(ap, a.Length), new PinnedFloats(bp, b.Length), bRows, columns, width);
            Parallelism.For(blocks, degree, block =>
            {
                int start = block * BlockRows;
                using SimilarityWalker.RowBlock rows = walker.Rows(start, Math.Min(BlockRows, aRows - start), pack: false);
                walker.Product(rows, 0, bRows, ch.Span[(start * bRows)..], bRows, accumulate: false);
            });
        }
    }
}
