using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ER.Managed.Kernels.Gemm;

/// <summary>Packing: A into MR-row micro-panels and B into NR-column micro-panels, zero-padded at the edges.</summary>
internal static partial class GemmKernel
{
    /// <summary>op(A)[ic..ic+mc, pc..pc+kc) packed into <paramref name="aPack"/>, or in place.</summary>
    private static AOperand APanels<TKernel>(ReadOnlySpan<float> a, int lda, bool transA, int ic, int mc, int pc, int kc, bool packA, float[] aPack)
        where TKernel : struct, IMicroKernel
    {
        if (packA)
        {
            PackA(a, lda, transA, ic, mc, pc, kc, TKernel.Rows, aPack);
            return new AOperand(aPack, 0, packed: true);
        }

        return transA
            ? new AOperand(a[((pc * lda) + ic)..], lda, packed: false, transposed: true)
            : new AOperand(a[((ic * lda) + pc)..], lda, packed: false);
    }

    /// <summary>
    /// Packs <c>op(A)[ic..ic+mc, pc..pc+kc)</c> into MR-tall micro-panels: panel q, step p, row r at
    /// <c>q kc MR + p MR + r</c>; rows past mc are zero. A is stored m x k (row stride lda) or, when
    /// <paramref name="transposed"/>, k x m.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackA(ReadOnlySpan<float> a, int lda, bool transposed, int ic, int mc, int pc, int kc, int mr, Span<float> packed)
    {
        ref float source = ref MemoryMarshal.GetReference(a);
        for (int ir = 0; ir < mc; ir += mr)
        {
            ref float target = ref MicroPanel(packed, ir, mc, mr, kc, out int rows);
            if (transposed)
            {
                // A(i, p) = a[p lda + i]: each step copies `rows` contiguous floats.
                for (int p = 0; p < kc; p++)
                {
                    CopyRun(ref Unsafe.Add(ref source, ((pc + p) * lda) + ic + ir), ref Unsafe.Add(ref target, p * mr), rows);
                }
            }
            else
            {
                // A(i, p) = a[i lda + p]: the panel is the transpose of `rows` rows of A.
                TransposeKernel.Transpose(ref Unsafe.Add(ref source, ((ic + ir) * lda) + pc), (nuint)lda, ref target, (nuint)mr, rows, kc);
            }
        }
    }

    /// <summary>
    /// Packs <c>op(B)[pc..pc+kc, jc..jc+nc)</c> of a transposed B (stored n x k, row stride ldb, as Z
    /// in <c>Z Z^T</c>) into NR-wide micro-panels: panel q, step p, column j at <c>q kc NR + p NR + j</c>;
    /// columns past nc are zero. (A row-major B is read in place, never packed.)
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackBPanels(ReadOnlySpan<float> b, int ldb, int pc, int kc, int jc, int nc, int nr, Span<float> packed)
    {
        ref float source = ref MemoryMarshal.GetReference(b);
        for (int jr = 0; jr < nc; jr += nr)
        {
            ref float target = ref MicroPanel(packed, jr, nc, nr, kc, out int columns);

            // Four source rows at a time along the whole depth: four sequential read streams that
            // the prefetchers follow, the writes landing in the panel (at most KC x NR floats, in
            // L2). Runs of 16 steps over all NR rows instead, which kept the lines written in L1,
            // read NR streams at once and packed Z^T 16-36% slower (Zen 5, two threads, medians:
            // 4096 x 2048 2.11 against 1.68 ms with the AVX-512 kernel's panels, 2.00 against 1.53
            // with the AVX2 kernel's; 65536 x 128 2.10 against 1.77 and 2.71 against 1.73 ms).
            TransposeKernel.Transpose(ref Unsafe.Add(ref source, ((jc + jr) * ldb) + pc), (nuint)ldb, ref target, (nuint)nr, columns, kc);
        }
    }

    /// <summary>
    /// The micro-panel of a packing that starts at row or column <paramref name="first"/> of
    /// <paramref name="extent"/> (<paramref name="width"/> x kc floats, MR or NR wide), with how many of its
    /// rows or columns are real in <paramref name="filled"/>; an edge panel is cleared first, so what
    /// lies past the edge is zero and the micro-kernel needs no edge case.
    /// </summary>
    private static ref float MicroPanel(Span<float> packed, int first, int extent, int width, int kc, out int filled)
    {
        filled = Math.Min(width, extent - first);
        Span<float> panel = packed.Slice(first * kc, width * kc);
        if (filled < width)
        {
            panel.Clear();
        }

        return ref MemoryMarshal.GetReference(panel);
    }

    /// <summary>
    /// Copies <paramref name="count"/> floats (a step of a transposed A's micro-panel: MR or fewer)
    /// with 128-bit registers, the last one overlapping its predecessor rather than a scalar tail: the
    /// packing loop copies one short run a step, where a call to a general copy cost more than the copy.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyRun(ref float source, ref float target, int count)
    {
        if (count >= 4)
        {
            int last = count - 4;
            for (int i = 0; i < last; i += 4)
            {
                Vector128.LoadUnsafe(ref source, (nuint)i).StoreUnsafe(ref target, (nuint)i);
            }

            Vector128.LoadUnsafe(ref source, (nuint)last).StoreUnsafe(ref target, (nuint)last);
        }
        else
        {
            for (int i = 0; i < count; i++)
            {
                Unsafe.Add(ref target, i) = Unsafe.Add(ref source, i);
            }
        }
    }
}
