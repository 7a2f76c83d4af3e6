using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ER.Managed.Kernels.Gemm;

/// <summary>
/// A row-major B packed once and used a slice at a time: the entropy backward's <c>W_IJ Z_J</c> and
/// <c>W_IJ^T Z_I</c>, where each tile multiplies one 256-row block of Z.
/// </summary>
/// <remarks>
/// A row-major B is otherwise read in place (<see cref="Multiply(ReadOnlySpan{float}, int, bool, ReadOnlySpan{float}, int, bool, Span{float}, int, int, int, int, bool, KernelWidth)"/>):
/// packing it per product costs as much as it saves. Packed once for all the tiles of a sweep, its
/// micro-panels are read as one sequential stream instead of NR floats every d floats, and the
/// 256-deep products ran 3-4% faster (one Zen 5 core, AVX2 kernel, Z at d = 128 in memory: 102
/// against 105-106 GFLOP/s) for a copy the size of Z.
/// </remarks>
internal static partial class GemmKernel
{
    /// <summary>
    /// Packs a row-major depth x columns matrix B (row stride <paramref name="columns"/>) in slices of
    /// <paramref name="sliceDepth"/> rows for <paramref name="kernel"/>: slice s starts at
    /// <c>s sliceDepth RoundUp(columns, NR)</c>, its micro-panel q at <c>q kc NR</c> within it (the layout of
    /// <see cref="PackTransposedB(ReadOnlySpan{float}, int, int, MicroKernelId)"/>), columns past the
    /// last zero.
    /// </summary>
    internal static PackedOperand PackRowMajorB(ReadOnlySpan<float> b, int depth, int columns, int sliceDepth, MicroKernelId kernel)
    {
        int nr = MicroKernels.Describe(kernel).Columns, padded = RoundUp(columns, nr);
        var operand = new PackedOperand(columns, depth, nr, sliceDepth, kernel, padded * depth);
        ref float source = ref MemoryMarshal.GetReference(b);
        for (int pc = 0; pc < depth; pc += sliceDepth)
        {
            int kc = Math.Min(sliceDepth, depth - pc);
            Span<float> slice = operand.Buffer.AsSpan(pc * padded, padded * kc);
            for (int jr = 0; jr < columns; jr += nr)
            {
                ref float target = ref MicroPanel(slice, jr, columns, nr, kc, out int filled);
                for (int p = 0; p < kc; p++)
                {
                    CopyRun(ref Unsafe.Add(ref source, ((pc + p) * columns) + jr), ref Unsafe.Add(ref target, p * nr), filled);
                }
            }
        }

        return operand;
    }

    /// <summary>
    /// <c>C (+)= op(A) B_s</c>: slice <paramref name="slice"/> of a B packed by
    /// <see cref="PackRowMajorB(ReadOnlySpan{float}, int, int, int, MicroKernelId)"/> (kc x columns, kc its depth), op(A) m x kc (A stored m x kc, row
    /// stride lda, or kc x m when <paramref name="transA"/>), C m x columns.
    /// </summary>
    internal static void MultiplyPackedSlice(ReadOnlySpan<float> a, int lda, bool transA, PackedOperand b, int slice, Span<float> c, int ldc, int m, bool accumulate)
    {
        var work = new PackedSliceWork(a, lda, transA, b, slice, c, ldc, m, accumulate);
        MicroKernels.Run(b.Kernel, ref work);
    }

    private readonly ref struct PackedSliceWork(ReadOnlySpan<float> a, int lda, bool transA, PackedOperand b, int slice, Span<float> c, int ldc, int m, bool accumulate) : IWithMicroKernel
    {
        private readonly ReadOnlySpan<float> _a = a;
        private readonly Span<float> _c = c;

        public void Run<TKernel>()
            where TKernel : struct, IMicroKernel => MultiplyPackedSlice<TKernel>(_a, lda, transA, b, slice, _c, ldc, m, accumulate);
    }

    private static void MultiplyPackedSlice<TKernel>(ReadOnlySpan<float> a, int lda, bool transA, PackedOperand b, int slice, Span<float> c, int ldc, int m, bool accumulate)
        where TKernel : struct, IMicroKernel
    {
        int pc = slice * b.SliceDepth, kc = Math.Min(b.SliceDepth, b.Depth - pc), n = b.Rows;
        float[] aPack = ArrayPool<float>.Shared.Rent(PacksA<TKernel>(n) ? RoundUp(Math.Min(KernelBlocking<TKernel>.Value.MC, m), TKernel.Rows) * kc : 1);
        float[] scratch = ArrayPool<float>.Shared.Rent(ScratchLength<TKernel>(kc));
        try
        {
            // A holds just this slice's depth: its columns start at 0.
            MultiplyBySlice<TKernel>(a, lda, transA, 0, kc, PackedBlock<TKernel>(b, RoundUp(n, b.Panel), pc, kc, 0, n), n, m, c, ldc, accumulate, aPack, scratch);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(aPack);
            ArrayPool<float>.Shared.Return(scratch);
        }
    }
}
