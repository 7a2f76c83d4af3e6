using System.Threading;
using ER.Managed.Kernels.Gemm;

namespace ER.Managed.Kernels;

/// <summary>
/// The one way blocks of a product with a transposed matrix, <c>C = A B^T</c>, are formed: the
/// similarity <c>S = Z Z^T</c> of the fused entropy (forward, backward, sharded), the strips of
/// the leave-one-out and kNN estimators, <c>Gram.Compute</c> and <c>Gram.MultiplyTransposed</c>.
/// B^T is packed once, for the width's micro-kernel, when it has one (else the plain dot-product
/// path of <see cref="GemmKernel"/> runs), a chunk of columns at a time by the first product that
/// needs it (<see cref="EnsurePacked"/>); a block row of A is packed once for all its products
/// when the caller asks (<see cref="Rows"/>). Every element of C comes from one micro-kernel
/// accumulation over the depth in a fixed order, so a block does not depend on how the caller
/// tiles C, on which rows share a block row, or on threads.
/// </summary>
/// <remarks>
/// The operands are pinned by the caller (<c>fixed</c>) for the walker's lifetime; block rows are
/// independent, so callers run them in parallel (<see cref="Parallelism.For"/>). Packing B^T on
/// demand overlaps it with the other threads' products: packed up front, as a parallel region of
/// its own, it read Z from memory on both cores while neither multiplied: 220-340 us of a 1.93 ms
/// 1024 x 512 Gram on two Zen 5 cores (AVX-512, Z not in cache), which took 1.70-1.76 ms so.
/// </remarks>
internal sealed class SimilarityWalker : IDisposable
{
    private readonly PinnedFloats _a;
    private readonly PinnedFloats _b;
    private readonly PackedOperand? _packedB;

    /// <summary>Per chunk of <see cref="ChunkColumns"/> columns of the packed B^T: <see cref="Unpacked"/>, <see cref="Packing"/> or <see cref="Packed"/>.</summary>
    private readonly int[] _chunkStates;

    /// <summary>
    /// Columns of B^T packed together on first use: a multiple of every micro-kernel's NR, and the
    /// Gram's block rows, so that a block row's own rows are packed as one chunk; 256 columns at d =
    /// 512 are 512 KiB, long enough for the other thread's products to hide them.
    /// </summary>
    internal const int ChunkColumns = 256;

    private const int Unpacked = 0, Packing = 1, Packed = 2;

    /// <summary>Prepares <c>A B^T</c> for A (rows x depth) and B (bRows x depth), row-major; B^T is packed as products need it.</summary>
    internal SimilarityWalker(PinnedFloats a, PinnedFloats b, int bRows, int depth, KernelWidth width)
    {
        _a = a;
        _b = b;
        BRows = bRows;
        Depth = depth;
        Width = width;
        _packedB = MicroKernels.For(width) is { } kernel ? GemmKernel.AllocateTransposedB(bRows, depth, kernel) : null;
        _chunkStates = new int[_packedB is null ? 0 : (bRows + ChunkColumns - 1) / ChunkColumns];
    }

    /// <summary>Prepares <c>Z Z^T</c>.</summary>
    internal SimilarityWalker(PinnedFloats z, int rows, int depth, KernelWidth width)
        : this(z, z, rows, depth, width)
    {
    }

    /// <summary>Rows of B: the columns of C.</summary>
    internal int BRows { get; }

    /// <summary>The inner dimension d.</summary>
    internal int Depth { get; }

    internal KernelWidth Width { get; }

    /// <summary>
    /// Rows [i0, i0 + m) of A, the left operand of one block row's products: packed once now when
    /// <paramref name="pack"/> and a micro-kernel runs (worth it when the block row has several
    /// products), else read in place by each product.
    /// </summary>
    internal RowBlock Rows(int i0, int m, bool pack) =>
        new(i0, m, pack && _packedB is not null ? GemmKernel.PackA(_a.Span.Slice(i0 * Depth, m * Depth), Depth, m, Depth, _packedB.Kernel) : null);

    /// <summary>
    /// <c>C (+)= A[rows] B[j0..j0+n)^T</c> into c (rows.Count x n, row stride ldc); j0 must be a
    /// multiple of every micro-kernel's NR (64) unless it is 0.
    /// </summary>
    internal void Product(RowBlock rows, int j0, int n, Span<float> c, int ldc, bool accumulate) =>
        Product(rows, 0, rows.Count, j0, n, c, ldc, accumulate);

    /// <summary>
    /// The same for rows [offset, offset + count) of the block only, into c (count x n): offset a
    /// multiple of the micro-kernel's MR. Each element is the one the whole block's product gives.
    /// </summary>
    internal void Product(RowBlock rows, int offset, int count, int j0, int n, Span<float> c, int ldc, bool accumulate)
    {
        int first = rows.First + offset;
        if (_packedB is null)
        {
            GemmKernel.Multiply(_a.Span.Slice(first * Depth, count * Depth), Depth, false, _b.Span.Slice(j0 * Depth, n * Depth), Depth, true, c, ldc, count, n, Depth, accumulate, Width);
            return;
        }

        EnsurePacked(j0, n);
        if (rows.Packed is not null)
        {
            GemmKernel.MultiplyPacked(rows.Packed, offset, count, _packedB, j0, n, c, ldc, accumulate);
        }
        else
        {
            GemmKernel.MultiplyPacked(_a.Span.Slice(first * Depth, count * Depth), Depth, false, _packedB, j0, n, c, ldc, count, accumulate);
        }
    }

    /// <summary>
    /// Rows of the caller's own (m x depth, row-major; for example rows of A gathered from several
    /// blocks) as the left operand of <see cref="ProductOfRows"/>: packed once now where a micro-kernel
    /// runs. The span must stay unchanged while the block is used.
    /// </summary>
    internal RowBlock PackRows(ReadOnlySpan<float> a, int m) =>
        new(-1, m, _packedB is not null ? GemmKernel.PackA(a, Depth, m, Depth, _packedB.Kernel) : null);

    /// <summary>
    /// <c>C = A' B[j0..j0+n)^T</c> for the caller's rows A' (<paramref name="a"/>, packed by
    /// <see cref="PackRows"/> into <paramref name="rows"/>), into c (m x n, row stride ldc). Each element
    /// comes from the same accumulation as <see cref="Product(RowBlock, int, int, Span{float}, int, bool)"/> gives the same row of A.
    /// </summary>
    internal void ProductOfRows(RowBlock rows, ReadOnlySpan<float> a, int j0, int n, Span<float> c, int ldc)
    {
        if (_packedB is null)
        {
            GemmKernel.Multiply(a, Depth, false, _b.Span.Slice(j0 * Depth, n * Depth), Depth, true, c, ldc, rows.Count, n, Depth, accumulate: false, Width);
        }
        else
        {
            EnsurePacked(j0, n);
            GemmKernel.MultiplyPacked(rows.Packed!, 0, rows.Count, _packedB, j0, n, c, ldc, accumulate: false);
        }
    }

    /// <summary>
    /// Packs the chunks of B^T that columns [j0, j0 + n) fall in and no thread has packed yet; waits
    /// for a chunk that another thread is packing. A chunk's packing is the same bits whoever packs it.
    /// </summary>
    private void EnsurePacked(int j0, int n)
    {
        for (int chunk = j0 / ChunkColumns; chunk * ChunkColumns < j0 + n; chunk++)
        {
            ref int state = ref _chunkStates[chunk];
            var wait = default(SpinWait);
            int seen;
            while ((seen = Volatile.Read(ref state)) != Packed)
            {
                if (seen == Unpacked && Interlocked.CompareExchange(ref state, Packing, Unpacked) == Unpacked)
                {
                    PackChunk(chunk, ref state);
                    break;
                }

                // Another thread packs it (a few tens of microseconds); never a 1 ms sleep.
                wait.SpinOnce(sleep1Threshold: -1);
            }
        }
    }

    private void PackChunk(int chunk, ref int state)
    {
        try
        {
            int first = chunk * ChunkColumns;
            GemmKernel.PackTransposedBColumns(_b.Span, _packedB!, first, Math.Min(ChunkColumns, BRows - first));
        }
        catch
        {
            // Waiting threads take the chunk over (and meet the same exception).
            Volatile.Write(ref state, Unpacked);
            throw;
        }

        Volatile.Write(ref state, Packed);
    }

    public void Dispose() => _packedB?.Dispose();

    /// <summary>A block row of A: its first row, row count and, when packed, its packing (returned to the pool on <see cref="Dispose"/>).</summary>
    internal sealed class RowBlock(int first, int count, PackedOperand? packed) : IDisposable
    {
        internal int First { get; } = first;

        internal int Count { get; } = count;

        internal PackedOperand? Packed { get; } = packed;

        public void Dispose() => Packed?.Dispose();
    }
}
