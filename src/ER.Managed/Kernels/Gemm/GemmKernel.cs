using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace ER.Managed.Kernels.Gemm;

/// <summary>
/// <c>C (+)= op(A) op(B)</c> for row-major float matrices, op(A) m x k and op(B) k x n, where each
/// operand is stored as is or transposed (<c>transA</c>: A is stored k x m; <c>transB</c>: B is
/// stored n x k, as in <c>Z Z^T</c>). Blocked BLIS-style (see <see cref="GemmBlocking"/>) around the
/// micro-kernel that <see cref="MicroKernels"/> picks for the width; the scalar width takes a plain
/// dot-product path. Single-threaded: callers split the work.
/// </summary>
/// <remarks>
/// A is packed, per block, into the micro-kernel's layout: its MC x KC block into MR-tall
/// micro-panels (MR floats a step), edges zero-padded once while packing, so the micro-kernel
/// reads one sequential stream of A however A is stored; only where few columns of B reuse it
/// (<c>PacksA</c>: n below 32 lanes) do the x86 kernels read A in place instead (a row-major A
/// as MR strided rows, a transposed one as a run of MR floats a step). A
/// transposed B (the Z of <c>Z Z^T</c>) is packed likewise into NR-wide micro-panels; a row-major B
/// already holds NR contiguous floats a step and is read in place (packing it for each product cost
/// the fused entropy's backward 15-25% at d = 1000 on Zen 5). Partial tiles of C, and partial edge panels of
/// operands read in place, go through small zero-padded scratch copies. Operands used by many
/// products are packed once: <see cref="PackTransposedB(ReadOnlySpan{float}, int, int, MicroKernelId)"/>
/// for <c>Z^T</c>, <see cref="PackA(ReadOnlySpan{float}, int, int, int, MicroKernelId)"/> for a block row of Z,
/// <see cref="PackRowMajorB(ReadOnlySpan{float}, int, int, int, MicroKernelId)"/> for the Z that the
/// entropy backward's recomputed tiles multiply, one 256-row slice a tile.
/// </remarks>
internal static partial class GemmKernel
{
    internal static void Multiply(
        ReadOnlySpan<float> a, int lda, bool transA,
        ReadOnlySpan<float> b, int ldb, bool transB,
        Span<float> c, int ldc,
        int m, int n, int k, bool accumulate, KernelWidth width)
    {
        if (MicroKernels.For(width, n) is MicroKernelId kernel)
        {
            Multiply(a, lda, transA, b, ldb, transB, c, ldc, m, n, k, accumulate, kernel);
        }
        else if (!Degenerate(c, ldc, m, n, k, accumulate))
        {
            Simple(a, lda, transA, b, ldb, transB, c, ldc, m, n, k, accumulate, width);
        }
    }

    /// <summary>As above with a given micro-kernel (tests drive each one directly).</summary>
    internal static void Multiply(
        ReadOnlySpan<float> a, int lda, bool transA,
        ReadOnlySpan<float> b, int ldb, bool transB,
        Span<float> c, int ldc,
        int m, int n, int k, bool accumulate, MicroKernelId kernel)
    {
        if (Degenerate(c, ldc, m, n, k, accumulate))
        {
            return;
        }

        var work = new BlockedWork(a, lda, transA, b, ldb, transB, c, ldc, m, n, k, accumulate);
        MicroKernels.Run(kernel, ref work);
    }

    private readonly ref struct BlockedWork(ReadOnlySpan<float> a, int lda, bool transA, ReadOnlySpan<float> b, int ldb, bool transB, Span<float> c, int ldc, int m, int n, int k, bool accumulate) : IWithMicroKernel
    {
        private readonly ReadOnlySpan<float> _a = a, _b = b;
        private readonly Span<float> _c = c;

        public void Run<TKernel>()
            where TKernel : struct, IMicroKernel => Blocked<TKernel>(_a, lda, transA, _b, ldb, transB, _c, ldc, m, n, k, accumulate);
    }

    /// <summary>Handles empty products (m, n or k zero); true when nothing is left to do.</summary>
    private static bool Degenerate(Span<float> c, int ldc, int m, int n, int k, bool accumulate)
    {
        if (m == 0 || n == 0)
        {
            return true;
        }

        if (k == 0)
        {
            if (!accumulate)
            {
                for (int i = 0; i < m; i++)
                {
                    c.Slice(i * ldc, n).Clear();
                }
            }

            return true;
        }

        return false;
    }

    /// <summary>
    /// Packs <c>op(B) = X^T</c> for a row-major rows x depth matrix X once, for many products
    /// (<see cref="MultiplyPacked(ReadOnlySpan{float}, int, bool, PackedOperand, int, int, Span{float}, int, int, bool)"/>), for the width's micro-kernel. Slice s (KC deep) starts at
    /// <c>s KC RoundUp(rows, NR)</c>, its micro-panel q at <c>q kc NR</c> within it.
    /// </summary>
    internal static PackedOperand PackTransposedB(ReadOnlySpan<float> x, int rows, int depth, KernelWidth width) =>
        PackTransposedB(x, rows, depth, MicroKernels.For(width) ?? throw new ArgumentOutOfRangeException(nameof(width), width, "No micro-kernel for this width."));

    internal static PackedOperand PackTransposedB(ReadOnlySpan<float> x, int rows, int depth, MicroKernelId kernel)
    {
        PackedOperand operand = AllocateTransposedB(rows, depth, kernel);
        PackTransposedBColumns(x, operand, 0, rows);
        return operand;
    }

    /// <summary>
    /// The buffer of <see cref="PackTransposedB(ReadOnlySpan{float}, int, int, MicroKernelId)"/>'s
    /// packing, not yet filled: <see cref="PackTransposedBColumns"/> fills it a range of columns at a
    /// time, so that a caller can pack each range just before its first product needs it.
    /// </summary>
    internal static PackedOperand AllocateTransposedB(int rows, int depth, MicroKernelId kernel)
    {
        MicroKernelInfo info = MicroKernels.Describe(kernel);
        return new PackedOperand(rows, depth, info.Columns, info.Blocking.KC, kernel, RoundUp(rows, info.Columns) * depth);
    }

    /// <summary>
    /// Packs columns [j0, j0 + n) of <c>X^T</c> (rows [j0, j0 + n) of X) into <paramref name="operand"/>
    /// at every depth slice; j0 a multiple of its NR, and n too unless the range ends at the last
    /// column. Ranges packed separately, in any order or on any thread, give the same buffer as one
    /// range over all the columns.
    /// </summary>
    internal static void PackTransposedBColumns(ReadOnlySpan<float> x, PackedOperand operand, int j0, int n)
    {
        int depth = operand.Depth, nr = operand.Panel, kcBlock = operand.SliceDepth;
        int padded = RoundUp(operand.Rows, nr);
        Span<float> buffer = operand.Buffer;
        for (int pc = 0; pc < depth; pc += kcBlock)
        {
            int kc = Math.Min(kcBlock, depth - pc);
            PackBPanels(x, depth, pc, kc, j0, n, nr, buffer.Slice((pc * padded) + (j0 * kc), RoundUp(n, nr) * kc));
        }
    }

    /// <summary>
    /// <c>C (+)= op(A) X[j0..j0+n)^T</c> with X packed by <see cref="PackTransposedB(ReadOnlySpan{float}, int, int, MicroKernelId)"/> (same depth);
    /// j0 must be a multiple of the packing's NR.
    /// </summary>
    internal static void MultiplyPacked(ReadOnlySpan<float> a, int lda, bool transA, PackedOperand b, int j0, int n, Span<float> c, int ldc, int m, bool accumulate)
    {
        var work = new PackedBWork(a, lda, transA, b, j0, n, c, ldc, m, accumulate);
        MicroKernels.Run(b.Kernel, ref work);
    }

    private readonly ref struct PackedBWork(ReadOnlySpan<float> a, int lda, bool transA, PackedOperand b, int j0, int n, Span<float> c, int ldc, int m, bool accumulate) : IWithMicroKernel
    {
        private readonly ReadOnlySpan<float> _a = a;
        private readonly Span<float> _c = c;

        public void Run<TKernel>()
            where TKernel : struct, IMicroKernel => MultiplyPacked<TKernel>(_a, lda, transA, b, j0, n, _c, ldc, m, accumulate);
    }

    private static void MultiplyPacked<TKernel>(ReadOnlySpan<float> a, int lda, bool transA, PackedOperand b, int j0, int n, Span<float> c, int ldc, int m, bool accumulate)
        where TKernel : struct, IMicroKernel
    {
        int depth = b.Depth, padded = RoundUp(b.Rows, b.Panel), kcBlock = b.SliceDepth, mcBlock = KernelBlocking<TKernel>.Value.MC;
        int kcMax = Math.Min(kcBlock, depth);
        float[] aPack = ArrayPool<float>.Shared.Rent(RoundUp(Math.Min(mcBlock, m), TKernel.Rows) * kcMax);
        float[] scratch = ArrayPool<float>.Shared.Rent(ScratchLength<TKernel>(kcMax));
        try
        {
            for (int pc = 0; pc < depth; pc += kcBlock)
            {
                int kc = Math.Min(kcBlock, depth - pc);
                MultiplyBySlice<TKernel>(a, lda, transA, pc, kc, PackedBlock<TKernel>(b, padded, pc, kc, j0, n), n, m, c, ldc, accumulate || pc > 0, aPack, scratch);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(aPack);
            ArrayPool<float>.Shared.Return(scratch);
        }
    }

    /// <summary>
    /// <c>C (+)= op(A)[.., pc..pc+kc) B</c> for one packed kc-deep slice B of n columns: A's MC-row
    /// blocks packed (or read in place, <see cref="PacksA"/>) into <paramref name="aPack"/>, one
    /// macro-kernel call each.
    /// </summary>
    private static void MultiplyBySlice<TKernel>(ReadOnlySpan<float> a, int lda, bool transA, int pc, int kc, in BOperand b, int n, int m, Span<float> c, int ldc, bool add, float[] aPack, float[] scratch)
        where TKernel : struct, IMicroKernel
    {
        int mcBlock = KernelBlocking<TKernel>.Value.MC;
        bool packA = PacksA<TKernel>(n);
        for (int ic = 0; ic < m; ic += mcBlock)
        {
            int mc = Math.Min(mcBlock, m - ic);
            AOperand aBlock = APanels<TKernel>(a, lda, transA, ic, mc, pc, kc, packA, aPack);
            MacroKernel<TKernel>(aBlock, b, mc, n, kc, c[(ic * ldc)..], ldc, add, scratch);
        }
    }

    /// <summary>
    /// Packs a row-major rows x depth matrix X (row stride ld) once as the A operand of many products
    /// (<see cref="MultiplyPacked(PackedOperand, int, int, PackedOperand, int, int, Span{float}, int, bool)"/>): slice s
    /// (KC deep) starts at <c>s KC RoundUp(rows, MR)</c>, its micro-panel q at <c>q kc MR</c> within it.
    /// </summary>
    internal static PackedOperand PackA(ReadOnlySpan<float> x, int ld, int rows, int depth, MicroKernelId kernel)
    {
        MicroKernelInfo info = MicroKernels.Describe(kernel);
        int mr = info.Rows, kcBlock = info.Blocking.KC, padded = RoundUp(rows, mr);
        var operand = new PackedOperand(rows, depth, mr, kcBlock, kernel, padded * depth);
        for (int pc = 0; pc < depth; pc += kcBlock)
        {
            int kc = Math.Min(kcBlock, depth - pc);
            PackA(x, ld, transposed: false, 0, rows, pc, kc, mr, operand.Buffer.AsSpan(pc * padded, padded * kc));
        }

        return operand;
    }

    /// <summary>
    /// <c>C (+)= A[i0..i0+m) X[j0..j0+n)^T</c> with A packed by <see cref="PackA(ReadOnlySpan{float}, int, int, int, MicroKernelId)"/> and X by
    /// <see cref="PackTransposedB(ReadOnlySpan{float}, int, int, MicroKernelId)"/>, for the same
    /// kernel and depth; i0 a multiple of MR, j0 a multiple of NR; row i0 of A is row 0 of C. Nothing
    /// is packed here: the products of a block row of the similarity matrix share one packed A.
    /// </summary>
    internal static void MultiplyPacked(PackedOperand a, int i0, int m, PackedOperand b, int j0, int n, Span<float> c, int ldc, bool accumulate)
    {
        if (a.Kernel != b.Kernel || a.Depth != b.Depth)
        {
            throw new ArgumentException("Both operands must be packed for the same micro-kernel and depth.", nameof(a));
        }

        if (i0 < 0 || i0 % a.Panel != 0 || m < 0 || i0 + m > a.Rows)
        {
            throw new ArgumentOutOfRangeException(nameof(i0), $"Rows [{i0}, {i0 + m}) must start on a micro-panel ({a.Panel} rows) and lie within A's {a.Rows} rows.");
        }

        var work = new PackedAbWork(a, i0, m, b, j0, n, c, ldc, accumulate);
        MicroKernels.Run(b.Kernel, ref work);
    }

    private readonly ref struct PackedAbWork(PackedOperand a, int i0, int m, PackedOperand b, int j0, int n, Span<float> c, int ldc, bool accumulate) : IWithMicroKernel
    {
        private readonly Span<float> _c = c;

        public void Run<TKernel>()
            where TKernel : struct, IMicroKernel => MultiplyPacked<TKernel>(a, i0, m, b, j0, n, _c, ldc, accumulate);
    }

    private static void MultiplyPacked<TKernel>(PackedOperand a, int i0, int m, PackedOperand b, int j0, int n, Span<float> c, int ldc, bool accumulate)
        where TKernel : struct, IMicroKernel
    {
        int depth = b.Depth, paddedA = RoundUp(a.Rows, a.Panel), paddedB = RoundUp(b.Rows, b.Panel), kcBlock = b.SliceDepth;
        int mcBlock = KernelBlocking<TKernel>.Value.MC;
        float[] scratch = ArrayPool<float>.Shared.Rent(ScratchLength<TKernel>(Math.Min(kcBlock, depth)));
        try
        {
            for (int pc = 0; pc < depth; pc += kcBlock)
            {
                int kc = Math.Min(kcBlock, depth - pc);
                var bSlice = PackedBlock<TKernel>(b, paddedB, pc, kc, j0, n);
                ReadOnlySpan<float> aSlice = a.Buffer.AsSpan(pc * paddedA, paddedA * kc);
                for (int ic = 0; ic < m; ic += mcBlock)
                {
                    int mc = Math.Min(mcBlock, m - ic);
                    MacroKernel<TKernel>(new AOperand(aSlice[((i0 + ic) * kc)..], 0, packed: true), bSlice, mc, n, kc, c[(ic * ldc)..], ldc, accumulate || pc > 0, scratch);
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scratch);
        }
    }

    /// <summary>Columns j0..j0+n of slice pc of a packed B, with the micro-panel after them in that slice (if any) as the one to prefetch.</summary>
    private static BOperand PackedBlock<TKernel>(PackedOperand b, int padded, int pc, int kc, int j0, int n)
        where TKernel : struct, IMicroKernel
    {
        int start = (pc * padded) + (j0 * kc), length = RoundUp(n, b.Panel) * kc;
        int sliceEnd = (pc * padded) + (padded * kc);
        int nextLength = Math.Min(b.Panel * kc, sliceEnd - (start + length));
        return new BOperand(b.Buffer.AsSpan(start, length), TKernel.Columns, packed: true, b.Buffer.AsSpan(start + length, nextLength));
    }

    private static void Blocked<TKernel>(
        ReadOnlySpan<float> a, int lda, bool transA,
        ReadOnlySpan<float> b, int ldb, bool transB,
        Span<float> c, int ldc,
        int m, int n, int k, bool accumulate)
        where TKernel : struct, IMicroKernel
    {
        (int kcBlock, int mcBlock, int ncBlock) = KernelBlocking<TKernel>.Value;
        int mr = TKernel.Rows, nr = TKernel.Columns, kcMax = Math.Min(kcBlock, k);

        // A transposed B (Z in Z^T) is packed into NR-wide micro-panels; a row-major B already holds
        // NR contiguous floats a step and is read in place (its partial right-edge panel is copied).
        float[]? bPack = transB ? ArrayPool<float>.Shared.Rent(RoundUp(Math.Min(ncBlock, n), nr) * kcMax) : null;
        float[] aPack = ArrayPool<float>.Shared.Rent(RoundUp(Math.Min(mcBlock, m), mr) * kcMax);
        float[] scratch = ArrayPool<float>.Shared.Rent(ScratchLength<TKernel>(kcMax));
        try
        {
            for (int jc = 0; jc < n; jc += ncBlock)
            {
                int nc = Math.Min(ncBlock, n - jc);
                for (int pc = 0; pc < k; pc += kcBlock)
                {
                    int kc = Math.Min(kcBlock, k - pc);
                    BOperand bBlock;
                    if (bPack is not null)
                    {
                        PackBPanels(b, ldb, pc, kc, jc, nc, nr, bPack);
                        bBlock = new BOperand(bPack, nr, packed: true);
                    }
                    else
                    {
                        bBlock = new BOperand(b[((pc * ldb) + jc)..], ldb, packed: false);
                    }

                    for (int ic = 0; ic < m; ic += mcBlock)
                    {
                        int mc = Math.Min(mcBlock, m - ic);
                        AOperand aBlock = APanels<TKernel>(a, lda, transA, ic, mc, pc, kc, PacksA<TKernel>(n), aPack);
                        MacroKernel<TKernel>(aBlock, bBlock, mc, nc, kc, c[((ic * ldc) + jc)..], ldc, accumulate || pc > 0, scratch);
                    }
                }
            }
        }
        finally
        {
            if (bPack is not null)
            {
                ArrayPool<float>.Shared.Return(bPack);
            }

            ArrayPool<float>.Shared.Return(aPack);
            ArrayPool<float>.Shared.Return(scratch);
        }
    }

    /// <summary>
    /// The A operand of a macro-kernel call: packed MR panels (kc deep), or a block read in place by
    /// kernels that read strided A, from its first row and column pc: row-major (row stride lda) or,
    /// when <c>Transposed</c>, stored k x m (A(i, p) at <c>p lda + i</c>).
    /// </summary>
    private readonly ref struct AOperand(ReadOnlySpan<float> data, int lda, bool packed, bool transposed = false)
    {
        internal readonly ReadOnlySpan<float> Data = data;
        internal readonly int Lda = lda;
        internal readonly bool Packed = packed;
        internal readonly bool Transposed = transposed;
    }

    /// <summary>
    /// Whether a product with n columns packs A. Packing costs about a cycle an element of A, the
    /// product n / (2 lanes) cycles an element (two FMA pipes), so packing pays from n = 32 lanes on
    /// (its cost then under about 6%); below that a row-major A is read in place by the kernels that
    /// can (at d = 128 the entropy backward's 256 x 256 weight tiles took 25% longer packed, on
    /// AVX-512). The same holds for a transposed A, read in place as MR contiguous floats a step
    /// (the entropy backward's transposed weight tiles at d = 128: 163 against 144 GFLOP/s packed on
    /// one Zen 5 core with AVX-512, 87-89 against 86-88 with AVX2, once the tile's row stride is
    /// not a multiple of 1 KiB; at such a stride the AVX2 kernel fell to 75).
    /// </summary>
    private static bool PacksA<TKernel>(int n)
        where TKernel : struct, IMicroKernel =>
        !TKernel.ReadsStridedA || PackAMode switch
        {
            "always" => true,
            "never" => false,
            _ => n >= 32 * Lanes<TKernel>(),
        };

    /// <summary><c>ER_GEMM_PACK_A</c> = always | never | auto (default): an experiment switch for the rule in <see cref="PacksA"/>.</summary>
    private static readonly string PackAMode = Environment.GetEnvironmentVariable("ER_GEMM_PACK_A") ?? "auto";

    /// <summary>Floats a register holds for the kernel: NR over the registers a row of its tile takes (4 for the 64-wide kernel, else 2).</summary>
    private static int Lanes<TKernel>()
        where TKernel : struct, IMicroKernel => TKernel.Columns >= 64 ? TKernel.Columns / 4 : TKernel.Columns / 2;

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;
}
