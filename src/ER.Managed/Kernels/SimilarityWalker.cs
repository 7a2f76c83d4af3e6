using ER.Managed.Kernels.Gemm;

namespace ER.Managed.Kernels;

/// <summary>
/// The one way blocks of a product with a transposed matrix, <c>C = A B^T</c>, are formed: the
/// similarity <c>S = Z Z^T</c> of the fused entropy (forward, backward, sharded), the strips of
/// the leave-one-out and kNN estimators, <c>Gram.Compute</c> and <c>Gram.MultiplyTransposed</c>.
/// B^T is packed once, for the width's micro-kernel, when it has one (else the plain dot-product
/// path of <see cref="GemmKernel"/> runs); a block row of A is packed once for all its products
/// when the caller asks (<see cref="Rows"/>). Every element of C comes from one micro-kernel
/// accumulation over the depth in a fixed order, so a block does not depend on how the caller
/// tiles C, on which rows share a block row, or on threads.
/// </summary>
/// <remarks>
/// The operands are pinned by the caller (<c>fixed</c>) for the walker's lifetime; block rows are
/// independent, so callers run them in parallel (<see cref="Parallelism.For"/>).
/// </remarks>
internal sealed class SimilarityWalker : IDisposable
{
    private readonly PinnedFloats _a;
    private readonly PinnedFloats _b;
    private readonly PackedOperand? _packedB;

    /// <summary>Prepares <c>A B^T</c> for A (rows x depth) and B (bRows x depth), row-major; B^T packed with <paramref name="degree"/> threads.</summary>
    internal SimilarityWalker(PinnedFloats a, PinnedFloats b, int bRows, int depth, int degree, KernelWidth width)
    {
        _a = a;
        _b = b;
        BRows = bRows;
        Depth = depth;
        Width = width;
        _packedB = GemmKernel.HasMicroKernel(width) ? GemmKernel.PackTransposedB(b.Span, bRows, depth, width, degree) : null;
    }

    /// <summary>Prepares <c>Z Z^T</c>.</summary>
    internal SimilarityWalker(PinnedFloats z, int rows, int depth, int degree, KernelWidth width)
        : this(z, z, rows, depth, degree, width)
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
        }
        else if (rows.Packed is not null)
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
            GemmKernel.MultiplyPacked(rows.Packed!, 0, rows.Count, _packedB, j0, n, c, ldc, accumulate: false);
        }
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
