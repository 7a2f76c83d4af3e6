using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace ER.Managed.Kernels.Gemm;

/// <summary>The macro-kernel: one kc-deep slice of an MC x NC block of C as MR x NR micro-kernel calls.</summary>
internal static partial class GemmKernel
{
    /// <summary>
    /// The B operand of a macro-kernel call: packed micro-panels (stride NR) or a row-major block read
    /// in place (stride ldb). <see cref="Next"/> is the packed micro-panel that follows the block in
    /// memory (the next column block's first, usually the next call's), or empty.
    /// </summary>
    private readonly ref struct BOperand(ReadOnlySpan<float> data, int stride, bool packed, ReadOnlySpan<float> next = default)
    {
        internal readonly ReadOnlySpan<float> Data = data;
        internal readonly int Stride = stride;
        internal readonly bool Packed = packed;
        internal readonly ReadOnlySpan<float> Next = next;
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
        int panelCalls = (mc + mr - 1) / mr;
        bool prefetchB = b.Packed && PrefetchesPanel(nr * kc, CacheSizes.Current);
        for (int jr = 0; jr < nc; jr += nr)
        {
            int nrValid = Math.Min(nr, nc - jr);
            ref float bPanel = ref b.Packed ? ref Unsafe.Add(ref bRef, jr * kc) : ref Unsafe.Add(ref bRef, jr);
            ReadOnlySpan<float> nextPanel = prefetchB ? NextPackedPanel(b, jr, nr, nc, kc) : default;
            int linesPerCall = ((nextPanel.Length / FloatsPerLine) + panelCalls - 1) / panelCalls, line = 0;
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

                PrefetchLines(nextPanel, line, linesPerCall);
                line += linesPerCall;
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

    private const int FloatsPerLine = 64 / sizeof(float);

    /// <summary>
    /// The packed B micro-panel after the one at column jr (past the block's last, the one that
    /// follows the block in the packing, <see cref="BOperand.Next"/>). A B read in place has none to
    /// prefetch: its next panel, prefetched the same way, ran no faster (the backward's products at d = 128).
    /// </summary>
    private static ReadOnlySpan<float> NextPackedPanel(in BOperand b, int jr, int nr, int nc, int kc)
    {
        int start = (jr + nr) * kc;
        return jr + nr < nc ? b.Data.Slice(start, Math.Min(nr * kc, b.Data.Length - start)) : b.Next;
    }

    /// <summary>
    /// Whether a panel of this many floats is prefetched: when it and the current one fit in L1D
    /// together (8 KiB at NR = 16 and depth 128). A larger panel is not: it would push the current
    /// one out, and its lines would compete with the kernel's own loads (the AVX-512 Gram 1024 x 512,
    /// 128 KiB panels, ran 286-290 against 290-338 GFLOP/s with them prefetched).
    /// </summary>
    internal static bool PrefetchesPanel(int floats, CacheSizes caches) => 2L * floats * sizeof(float) <= caches.L1Data;

    /// <summary>
    /// Asks for <paramref name="count"/> cache lines of the next B micro-panel from line
    /// <paramref name="first"/> on: the macro-kernel asks for a few before each micro-kernel call, so
    /// that the panel is in cache when its turn comes.
    /// </summary>
    /// <remarks>
    /// Without it the first call on each panel waited for the panel from memory whenever the packed
    /// B was larger than the caches (the similarity tiles of a large batch walk all of the packed
    /// Z^T, 32 MiB at 65536 x 128): on one Zen 5 core, the AVX2 micro-kernel over depth-128 panels
    /// streamed from memory ran at 107 GFLOP/s, and at 111-113 with the next panel prefetched this
    /// way (112-116 with the panels in cache). Hardware prefetchers did not cover it: a panel is
    /// read in one burst, once per MC rows, then not again. x86 only (.NET has no portable prefetch).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void PrefetchLines(ReadOnlySpan<float> panel, int first, int count)
    {
        if (!Sse.IsSupported)
        {
            return;
        }

        int end = Math.Min(first + count, panel.Length / FloatsPerLine);
        fixed (float* start = panel)
        {
            for (int line = first; line < end; line++)
            {
                Sse.Prefetch0(start + (line * FloatsPerLine));
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
