using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ER.Managed.Kernels.Gemm;

/// <summary>The macro-kernel: one kc-deep slice of an MC x NC block of C as MR x NR micro-kernel calls.</summary>
internal static partial class GemmKernel
{
    /// <summary>The B operand of a macro-kernel call: packed micro-panels (stride NR) or a row-major block read in place (stride ldb).</summary>
    private readonly ref struct BOperand(ReadOnlySpan<float> data, int stride, bool packed)
    {
        internal readonly ReadOnlySpan<float> Data = data;
        internal readonly int Stride = stride;
        internal readonly bool Packed = packed;
    }

    /// <summary>Scratch for edges: a kc x NR zero-padded copy of an in-place B's partial panel, an MR x NR tile of C and an MR x kc panel of an in-place A.</summary>
    private static int ScratchLength<TKernel>(int kc)
        where TKernel : struct, IMicroKernel =>
        (kc * TKernel.Columns) + (TKernel.Rows * TKernel.Columns) + (TKernel.Rows * kc);

    /// <summary>
    /// The macro-kernel: <c>C[0..mc, 0..nc) (+)= Apacked B</c> over one kc-deep slice, one micro-kernel
    /// call per MR x NR tile; a partial tile of C goes through scratch, and so does the partial
    /// right-edge panel of an in-place B (zero-padded, so the kernel's NR-wide loads stay inside).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MacroKernel<TKernel>(in AOperand a, in BOperand b, int mc, int nc, int kc, Span<float> c, int ldc, bool add, float[] scratch)
        where TKernel : struct, IMicroKernel
    {
        int mr = TKernel.Rows, nr = TKernel.Columns;
        Span<float> bEdge = scratch.AsSpan(0, kc * nr);
        Span<float> cEdge = scratch.AsSpan(kc * nr, mr * nr);
        Span<float> aEdge = scratch.AsSpan((kc * nr) + (mr * nr), mr * kc);
        ref float aRef = ref MemoryMarshal.GetReference(a.Data);
        ref float bRef = ref MemoryMarshal.GetReference(b.Data);
        ref float cRef = ref MemoryMarshal.GetReference(c);
        ref float edge = ref MemoryMarshal.GetReference(cEdge);
        nuint aRowStride = a.Packed || a.Transposed ? 1 : (nuint)a.Lda;
        nuint aStep = a.Packed ? (nuint)mr : a.Transposed ? (nuint)a.Lda : 1;
        for (int jr = 0; jr < nc; jr += nr)
        {
            int nrValid = Math.Min(nr, nc - jr);
            ref float bPanel = ref b.Packed ? ref Unsafe.Add(ref bRef, jr * kc) : ref Unsafe.Add(ref bRef, jr);
            nuint bStep = (nuint)b.Stride;
            if (!b.Packed && nrValid < nr)
            {
                bEdge.Clear();
                for (int p = 0; p < kc; p++)
                {
                    b.Data.Slice((p * b.Stride) + jr, nrValid).CopyTo(bEdge.Slice(p * nr, nrValid));
                }

                bPanel = ref MemoryMarshal.GetReference(bEdge);
                bStep = (nuint)nr;
            }

            for (int ir = 0; ir < mc; ir += mr)
            {
                int mrValid = Math.Min(mr, mc - ir);
                ref float aPanel = ref Unsafe.Add(ref aRef, a.Packed ? ir * kc : a.Transposed ? ir : ir * a.Lda);
                nuint rowStride = aRowStride, step = aStep;
                if (!a.Packed && mrValid < mr)
                {
                    // In-place A: the missing rows would be read past its end; pack this panel, zero-padded.
                    PackA(a.Data, a.Lda, a.Transposed, ir, mrValid, 0, kc, mr, aEdge);
                    aPanel = ref MemoryMarshal.GetReference(aEdge);
                    rowStride = 1;
                    step = (nuint)mr;
                }

                ref float cTile = ref Unsafe.Add(ref cRef, (ir * ldc) + jr);
                if (mrValid == mr && nrValid == nr)
                {
                    TKernel.Run(ref aPanel, rowStride, step, ref bPanel, bStep, kc, ref cTile, (nuint)ldc, add);
                }
                else
                {
                    TKernel.Run(ref aPanel, rowStride, step, ref bPanel, bStep, kc, ref edge, (nuint)nr, accumulate: false);
                    StoreEdge(cEdge, nr, ref cTile, ldc, mrValid, nrValid, add);
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
}
