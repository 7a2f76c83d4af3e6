using System;
using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ER.Managed.Kernels.Gemm;

/// <summary>
/// <c>C (+)= op(A) op(B)</c> for row-major float matrices, op(A) m x k and op(B) k x n, where each
/// operand is stored as is or transposed (<c>transA</c>: A is stored k x m; <c>transB</c>: B is
/// stored n x k, as in <c>Z Z^T</c>). Blocked BLIS-style (see <see cref="GemmBlocking"/>) around
/// the AVX-512 or AVX2 micro-kernel; below AVX2 the simple dot-product path of
/// <see cref="MatrixProductKernel"/>. Single-threaded: callers split the work.
/// </summary>
/// <remarks>
/// The micro-kernel broadcasts A one element at a time and loads B a row of NR floats at a time,
/// reading both through strides. So A is never packed (its MR rows are read in place, stored
/// either way), nor is a B stored as is (its rows already hold NR contiguous floats); only a
/// transposed B is packed into NR-wide micro-panels, per KC x NC block, or once for many
/// products with <see cref="PackTransposedB"/>. Partial tiles at the edges go through small
/// zero-padded copies so that no read leaves the operands.
/// </remarks>
internal static class GemmKernel
{
    /// <summary>Whether <paramref name="width"/> has a micro-kernel (else the simple path runs).</summary>
    internal static bool HasMicroKernel(KernelWidth width) => width is KernelWidth.V512 or KernelWidth.V256;

    internal static void Multiply(
        ReadOnlySpan<float> a, int lda, bool transA,
        ReadOnlySpan<float> b, int ldb, bool transB,
        Span<float> c, int ldc,
        int m, int n, int k, bool accumulate, KernelWidth width)
    {
        if (m == 0 || n == 0)
        {
            return;
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

            return;
        }

        switch (width)
        {
            case KernelWidth.V512:
                Blocked<MicroKernel512>(a, lda, transA, b, ldb, transB, c, ldc, m, n, k, accumulate);
                break;
            case KernelWidth.V256:
                Blocked<MicroKernel256>(a, lda, transA, b, ldb, transB, c, ldc, m, n, k, accumulate);
                break;
            default:
                Simple(a, lda, transA, b, ldb, transB, c, ldc, m, n, k, accumulate, width);
                break;
        }
    }

    /// <summary>
    /// Packs <c>op(B) = X^T</c> for a row-major rows x depth matrix X once, for many products
    /// (<see cref="MultiplyPacked"/>). Slice s (KC deep) starts at s * KC * RoundUp(rows, NR), its
    /// micro-panel q at q * kc * NR within it.
    /// </summary>
    internal static unsafe PackedOperand PackTransposedB(ReadOnlySpan<float> x, int rows, int depth, KernelWidth width, int degree = 1)
    {
        int nr = width switch
        {
            KernelWidth.V512 => MicroKernel512.NR,
            KernelWidth.V256 => MicroKernel256.NR,
            _ => throw new ArgumentOutOfRangeException(nameof(width), width, "No micro-kernel for this width."),
        };
        int padded = RoundUp(rows, nr);
        var operand = new PackedOperand(rows, depth, nr, width, padded * depth);

        // Work items: groups of 16 micro-panels of one slice (each written by exactly one item).
        const int PanelsPerItem = 16;
        int slices = (depth + GemmBlocking.KC - 1) / GemmBlocking.KC;
        int groups = (padded / nr + PanelsPerItem - 1) / PanelsPerItem;
        float[] buffer = operand.Buffer;
        fixed (float* xp = x)
        {
            var xh = new PinnedFloats(xp, x.Length);
            Parallelism.For(slices * groups, degree, item =>
            {
                int pc = item / groups * GemmBlocking.KC, kc = Math.Min(GemmBlocking.KC, depth - pc);
                int j0 = item % groups * PanelsPerItem * nr, n = Math.Min(PanelsPerItem * nr, rows - j0);
                if (n > 0)
                {
                    PackTransposed(xh.Span, depth, pc, kc, j0, n, nr, buffer.AsSpan((pc * padded) + (j0 * kc), RoundUp(n, nr) * kc));
                }
            });
        }

        return operand;
    }

    /// <summary>
    /// <c>C (+)= op(A) X[j0..j0+n)^T</c> with X packed by <see cref="PackTransposedB"/> (same depth);
    /// j0 must be a multiple of the packing's NR.
    /// </summary>
    internal static void MultiplyPacked(ReadOnlySpan<float> a, int lda, bool transA, PackedOperand b, int j0, int n, Span<float> c, int ldc, int m, bool accumulate)
    {
        if (b.Width == KernelWidth.V512)
        {
            MultiplyPacked<MicroKernel512>(a, lda, transA, b, j0, n, c, ldc, m, accumulate);
        }
        else
        {
            MultiplyPacked<MicroKernel256>(a, lda, transA, b, j0, n, c, ldc, m, accumulate);
        }
    }

    private static void MultiplyPacked<TKernel>(ReadOnlySpan<float> a, int lda, bool transA, PackedOperand b, int j0, int n, Span<float> c, int ldc, int m, bool accumulate)
        where TKernel : struct, IMicroKernel
    {
        int depth = b.Depth, padded = RoundUp(b.Rows, b.Panel);
        float[] scratch = ArrayPool<float>.Shared.Rent(ScratchLength<TKernel>(Math.Min(GemmBlocking.KC, depth)));
        try
        {
            for (int pc = 0; pc < depth; pc += GemmBlocking.KC)
            {
                int kc = Math.Min(GemmBlocking.KC, depth - pc);
                ReadOnlySpan<float> bSlice = b.Buffer.AsSpan((pc * padded) + (j0 * kc), RoundUp(n, b.Panel) * kc);
                var operands = new Operands(a, lda, transA, pc, bSlice, TKernel.Columns, packedB: true);
                MacroKernel<TKernel>(operands, m, n, kc, c, ldc, accumulate || pc > 0, scratch);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scratch);
        }
    }

    private static void Blocked<TKernel>(
        ReadOnlySpan<float> a, int lda, bool transA,
        ReadOnlySpan<float> b, int ldb, bool transB,
        Span<float> c, int ldc,
        int m, int n, int k, bool accumulate)
        where TKernel : struct, IMicroKernel
    {
        int nr = TKernel.Columns;
        const int KC = GemmBlocking.KC, MC = GemmBlocking.MC, NC = GemmBlocking.NC;
        int kcMax = Math.Min(KC, k);
        float[]? bBuffer = transB ? ArrayPool<float>.Shared.Rent(RoundUp(Math.Min(NC, n), nr) * kcMax) : null;
        float[] scratch = ArrayPool<float>.Shared.Rent(ScratchLength<TKernel>(kcMax));
        try
        {
            for (int jc = 0; jc < n; jc += NC)
            {
                int nc = Math.Min(NC, n - jc);
                for (int pc = 0; pc < k; pc += KC)
                {
                    int kc = Math.Min(KC, k - pc);
                    bool add = accumulate || pc > 0;
                    ReadOnlySpan<float> bBlock;
                    if (bBuffer is not null)
                    {
                        PackTransposed(b, ldb, pc, kc, jc, nc, nr, bBuffer);
                        bBlock = bBuffer;
                    }
                    else
                    {
                        bBlock = b[((pc * ldb) + jc)..];
                    }

                    for (int ic = 0; ic < m; ic += MC)
                    {
                        int mc = Math.Min(MC, m - ic);
                        ReadOnlySpan<float> aBlock = transA ? a[ic..] : a[(ic * lda)..];
                        var operands = new Operands(aBlock, lda, transA, pc, bBlock, bBuffer is not null ? nr : ldb, packedB: bBuffer is not null);
                        MacroKernel<TKernel>(operands, mc, nc, kc, c[((ic * ldc) + jc)..], ldc, add, scratch);
                    }
                }
            }
        }
        finally
        {
            if (bBuffer is not null)
            {
                ArrayPool<float>.Shared.Return(bBuffer);
            }

            ArrayPool<float>.Shared.Return(scratch);
        }
    }

    /// <summary>Where the macro-kernel reads its operands: A in place (row-major or transposed, from inner index pc on), B packed or in place.</summary>
    private readonly ref struct Operands(ReadOnlySpan<float> a, int lda, bool transA, int pc, ReadOnlySpan<float> b, int bStride, bool packedB)
    {
        internal readonly ReadOnlySpan<float> A = a;
        internal readonly int Lda = lda;
        internal readonly bool TransA = transA;
        internal readonly int Pc = pc;
        internal readonly ReadOnlySpan<float> B = b;

        /// <summary>Packed: NR (panels are kc x NR); in place: ldb.</summary>
        internal readonly int BStride = bStride;
        internal readonly bool PackedB = packedB;
    }

    /// <summary>Scratch for edge tiles: an MR x kc copy of A, a kc x NR copy of B and an MR x NR tile of C.</summary>
    private static int ScratchLength<TKernel>(int kc)
        where TKernel : struct, IMicroKernel =>
        (TKernel.Rows * kc) + (kc * TKernel.Columns) + (TKernel.Rows * TKernel.Columns);

    /// <summary>
    /// The macro-kernel: <c>C[0..mc, 0..nc) (+)= op(A)[0..mc, pc..pc+kc) op(B)[pc..pc+kc, 0..nc)</c>
    /// (for packed B: its kc-deep block). Partial tiles read zero-padded copies and write through a scratch tile.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MacroKernel<TKernel>(in Operands o, int mc, int nc, int kc, Span<float> c, int ldc, bool add, float[] scratch)
        where TKernel : struct, IMicroKernel
    {
        int mr = TKernel.Rows, nr = TKernel.Columns;
        Span<float> aEdge = scratch.AsSpan(0, mr * kc);
        Span<float> bEdge = scratch.AsSpan(mr * kc, kc * nr);
        Span<float> cEdge = scratch.AsSpan((mr * kc) + (kc * nr), mr * nr);
        ref float aRef = ref MemoryMarshal.GetReference(o.A);
        ref float bRef = ref MemoryMarshal.GetReference(o.B);
        ref float cRef = ref MemoryMarshal.GetReference(c);

        // A[r, p] of this slice sits at aRef + (r * rowStride) + ((pc + p) * step).
        nuint rowStride = o.TransA ? 1 : (nuint)o.Lda;
        nuint step = o.TransA ? (nuint)o.Lda : 1;
        for (int jr = 0; jr < nc; jr += nr)
        {
            int nrValid = Math.Min(nr, nc - jr);
            ref float bPanel = ref o.PackedB ? ref Unsafe.Add(ref bRef, jr * kc) : ref Unsafe.Add(ref bRef, jr);
            nuint bStep = (nuint)o.BStride;
            if (!o.PackedB && nrValid < nr)
            {
                // In-place B: copy the partial panel, zero-padded, so the kernel's NR-wide loads stay inside.
                bEdge.Clear();
                for (int p = 0; p < kc; p++)
                {
                    o.B.Slice((p * o.BStride) + jr, nrValid).CopyTo(bEdge.Slice(p * nr, nrValid));
                }

                bPanel = ref MemoryMarshal.GetReference(bEdge);
                bStep = (nuint)nr;
            }

            for (int ir = 0; ir < mc; ir += mr)
            {
                int mrValid = Math.Min(mr, mc - ir);
                ref float cTile = ref Unsafe.Add(ref cRef, (ir * ldc) + jr);
                ref float aPanel = ref Unsafe.Add(ref aRef, (nint)((nuint)ir * rowStride) + (nint)((nuint)o.Pc * step));
                nuint aRowStride = rowStride, aStep = step;
                if (mrValid < mr)
                {
                    // Missing rows of A would be read past its end: use a zero-padded packed copy.
                    aEdge.Clear();
                    for (int r = 0; r < mrValid; r++)
                    {
                        for (int p = 0; p < kc; p++)
                        {
                            aEdge[(p * mr) + r] = Unsafe.Add(ref aPanel, (nint)(((nuint)r * rowStride) + ((nuint)p * step)));
                        }
                    }

                    aPanel = ref MemoryMarshal.GetReference(aEdge);
                    aRowStride = 1;
                    aStep = (nuint)mr;
                }

                if (mrValid == mr && nrValid == nr)
                {
                    TKernel.Run(ref aPanel, aRowStride, aStep, ref bPanel, bStep, kc, ref cTile, (nuint)ldc, add);
                }
                else
                {
                    TKernel.Run(ref aPanel, aRowStride, aStep, ref bPanel, bStep, kc, ref MemoryMarshal.GetReference(cEdge), (nuint)nr, accumulate: false);
                    StoreEdge(cEdge, nr, ref cTile, ldc, mrValid, nrValid, add);
                }
            }
        }
    }

    /// <summary>
    /// Packs <c>op(B)[pc.., jc..] = b[jc.., pc..]^T</c> (kc x nc, b stored n x k with row stride ldb) into
    /// micro-panels of nr columns: panel q, step p, column j at q*kc*nr + p*nr + j; zero-padded.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackTransposed(ReadOnlySpan<float> b, int ldb, int pc, int kc, int jc, int nc, int nr, Span<float> packed)
    {
        for (int jr = 0; jr < nc; jr += nr)
        {
            int columns = Math.Min(nr, nc - jr);
            Span<float> panel = packed.Slice(jr * kc, nr * kc);
            if (columns < nr)
            {
                panel.Clear();
            }

            ref float target = ref MemoryMarshal.GetReference(panel);
            for (int j = 0; j < columns; j++)
            {
                ref float source = ref MemoryMarshal.GetReference(b.Slice(((jc + jr + j) * ldb) + pc, kc));
                for (int p = 0; p < kc; p++)
                {
                    Unsafe.Add(ref target, (p * nr) + j) = Unsafe.Add(ref source, p);
                }
            }
        }
    }

    private static void StoreEdge(ReadOnlySpan<float> tile, int nr, ref float c, int ldc, int rows, int columns, bool add)
    {
        for (int r = 0; r < rows; r++)
        {
            for (int j = 0; j < columns; j++)
            {
                ref float target = ref Unsafe.Add(ref c, (r * ldc) + j);
                target = add ? target + tile[(r * nr) + j] : tile[(r * nr) + j];
            }
        }
    }

    /// <summary>The simple path: dot products over contiguous rows, transposing an operand into scratch where needed.</summary>
    private static void Simple(
        ReadOnlySpan<float> a, int lda, bool transA,
        ReadOnlySpan<float> b, int ldb, bool transB,
        Span<float> c, int ldc,
        int m, int n, int k, bool accumulate, KernelWidth width)
    {
        float[]? aCopy = null;
        float[]? bCopy = null;
        try
        {
            // Bring A to m x k row-major and B to n x k row-major (B^T), then C_ij = <A_i, B_j>.
            ReadOnlySpan<float> rowsA = transA || lda != k ? Dense(a, lda, transA, m, k, out aCopy) : a[..(m * k)];
            ReadOnlySpan<float> rowsB = !transB || ldb != k ? Dense(b, ldb, !transB, n, k, out bCopy) : b[..(n * k)];
            for (int i = 0; i < m; i++)
            {
                ReadOnlySpan<float> ai = rowsA.Slice(i * k, k);
                Span<float> ci = c.Slice(i * ldc, n);
                for (int j = 0; j < n; j++)
                {
                    float dot = DotKernel.Run(ai, rowsB.Slice(j * k, k), width);
                    ci[j] = accumulate ? ci[j] + dot : dot;
                }
            }
        }
        finally
        {
            if (aCopy is not null)
            {
                ArrayPool<float>.Shared.Return(aCopy);
            }

            if (bCopy is not null)
            {
                ArrayPool<float>.Shared.Return(bCopy);
            }
        }
    }

    /// <summary>Copies a rows x k matrix, stored as is (stride ld) or transposed (k x rows, stride ld), into a dense rows x k buffer.</summary>
    private static ReadOnlySpan<float> Dense(ReadOnlySpan<float> source, int ld, bool transposed, int rows, int k, out float[] buffer)
    {
        buffer = ArrayPool<float>.Shared.Rent(rows * k);
        for (int r = 0; r < rows; r++)
        {
            for (int p = 0; p < k; p++)
            {
                buffer[(r * k) + p] = transposed ? source[(p * ld) + r] : source[(r * ld) + p];
            }
        }

        return buffer.AsSpan(0, rows * k);
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;
}
