using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Vec = System.Runtime.Intrinsics.Vector512<float>;
using VecOps = System.Runtime.Intrinsics.Vector512;

namespace ER.Managed.Kernels.Gemm;

/// <summary>
/// The AVX-512 micro-kernel: a 6 x 64 tile of C in 24 zmm accumulators (6 rows x 4 registers
/// of 16 floats). Each step of the inner loop loads 4 vectors of the packed B micro-panel and
/// broadcasts 6 scalars of the packed A micro-panel into 24 FMAs: 10 loads (and 4 prefetches of
/// B's lines two steps ahead) per 24 FMAs keeps both FMA pipes busy with load bandwidth to spare,
/// and 24 independent accumulators cover the FMA latency (4 cycles x 2 pipes = 8 in flight).
/// 24 + 4 + 1 of the 32 zmm registers are used.
/// </summary>
internal readonly struct MicroKernel512 : IMicroKernel
{
    internal const int MR = 6;
    internal const int NR = 64;

    public static string Name => "avx512-6x64";

    public static int Rows => MR;

    public static int Columns => NR;

    public static bool IsSupported => VecOps.IsHardwareAccelerated;

    public static bool CanRun => true;

    /// <summary>A is broadcast an element at a time, so it may also be read in place through strides.</summary>
    public static bool ReadsStridedA => true;

    /// <summary>
    /// The B micro-panel (KC x 64 floats = 256 B a step) cannot sit in L1D at a useful depth, so
    /// this kernel streams it from L2 and amortizes the C tile's traffic over a deep KC instead: the
    /// B micro-panel in a quarter of L2 (on Zen 5, 1 MiB L2: KC = 1024, the measured best for
    /// 4096 x 2048 x 1024 on one thread: KC 128 -> 103, 256 -> 115, 512 -> 144, 1024 -> 165,
    /// 2048 -> 154 GFLOP/s). L2 then belongs to the B micro-panel, so the A block, streamed past it
    /// once per B micro-panel, goes to half of this core's L3 share (or of L2 where that is larger):
    /// the larger MC reuses each B micro-panel, fetched from L3 or memory, over more A panels. On
    /// Zen 5 (4 MiB L3 a core) MC = 510 covers the Gram's 256-row block rows at once; the Gram
    /// 4096 x 2048 ran 5-8% faster than with the A block in half of L2 (MC = 126), back to back.
    /// </summary>
    public static GemmBlocking Blocking(CacheSizes caches) =>
        GemmBlocking.FromRule(caches, MR, NR, caches.L2, 4, aBlockCache: Math.Max(caches.L2, caches.L3));

    /// <summary>
    /// How far ahead of its B loads each step asks for B's four lines: two steps of a packed
    /// micro-panel. The panel streams from L2 (see <see cref="Blocking"/>), 256 bytes every 12 cycles
    /// at the FMA peak, and on an Intel Xeon (Emerald Rapids, 2 MiB L2) the hardware prefetchers
    /// did not keep L1D ahead of it: the loop alone, B from L2, ran at 80-89% of one core's peak
    /// without the hints and 93-98% with them; the Gram 4096 x 2048 ran 11% faster on one and on two
    /// threads, 1024 x 512 7%, the entropy's tiles 3-19% (alternating runs). Four or eight steps
    /// ahead measured no better alone. For a B read in place (not 64 floats a step) the lines asked
    /// for lie further along the same row: wasted, never wrong. On Zen 5, which streamed the panel
    /// from L2 at 96-99% of its peak without them, they neither help nor hurt the Gram (4096 x 2048
    /// and 1024 x 512 within 2%) and the entropy's tiles at 16384 x 128 ran 5-7% faster with them
    /// (alternating runs of both builds).
    /// </summary>
    private const int PrefetchBytes = 2 * NR * sizeof(float);

    /// <summary><c>C[0..6, 0..64) (+)= Ap Bp</c>, packed as <see cref="IMicroKernel.Run"/> describes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run(ref float ap, nuint aRowStride, nuint aStep, ref float bp, nuint bStep, int kc, ref float c, nuint ldc, bool accumulate)
    {
        Vec c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23;
        Vec c30, c31, c32, c33, c40, c41, c42, c43, c50, c51, c52, c53;
        c00 = c01 = c02 = c03 = c10 = c11 = c12 = c13 = c20 = c21 = c22 = c23 = Vec.Zero;
        c30 = c31 = c32 = c33 = c40 = c41 = c42 = c43 = c50 = c51 = c52 = c53 = Vec.Zero;
        // Five row offsets and two moving references, not six row references and two indices: with
        // those the JIT ran out of general registers and reloaded two from the stack every step. On an
        // Intel Xeon (Emerald Rapids) the loop alone ran 1-10% faster so with B streamed from L2
        // (equal with B in L1D), the two-thread Gram 1-3% (faster in 15 of 22 alternating runs).
        nuint row1 = aRowStride, row2 = 2 * aRowStride, row3 = 3 * aRowStride, row4 = 4 * aRowStride, row5 = 5 * aRowStride;
        for (int p = kc; p > 0;)
        {
            if (Sse.IsSupported)
            {
                // Only a hint: an address computed from a moved or past-the-end row is harmless.
                byte* step = (byte*)Unsafe.AsPointer(ref bp);
                Sse.Prefetch0(step + PrefetchBytes);
                Sse.Prefetch0(step + PrefetchBytes + 64);
                Sse.Prefetch0(step + PrefetchBytes + 128);
                Sse.Prefetch0(step + PrefetchBytes + 192);
            }

            Vec b0 = VecOps.LoadUnsafe(ref bp);
            Vec b1 = VecOps.LoadUnsafe(ref bp, 16);
            Vec b2 = VecOps.LoadUnsafe(ref bp, 32);
            Vec b3 = VecOps.LoadUnsafe(ref bp, 48);
            Vec x = VecOps.Create(ap);
            c00 = VecOps.FusedMultiplyAdd(x, b0, c00);
            c01 = VecOps.FusedMultiplyAdd(x, b1, c01);
            c02 = VecOps.FusedMultiplyAdd(x, b2, c02);
            c03 = VecOps.FusedMultiplyAdd(x, b3, c03);
            x = VecOps.Create(Unsafe.Add(ref ap, row1));
            c10 = VecOps.FusedMultiplyAdd(x, b0, c10);
            c11 = VecOps.FusedMultiplyAdd(x, b1, c11);
            c12 = VecOps.FusedMultiplyAdd(x, b2, c12);
            c13 = VecOps.FusedMultiplyAdd(x, b3, c13);
            x = VecOps.Create(Unsafe.Add(ref ap, row2));
            c20 = VecOps.FusedMultiplyAdd(x, b0, c20);
            c21 = VecOps.FusedMultiplyAdd(x, b1, c21);
            c22 = VecOps.FusedMultiplyAdd(x, b2, c22);
            c23 = VecOps.FusedMultiplyAdd(x, b3, c23);
            x = VecOps.Create(Unsafe.Add(ref ap, row3));
            c30 = VecOps.FusedMultiplyAdd(x, b0, c30);
            c31 = VecOps.FusedMultiplyAdd(x, b1, c31);
            c32 = VecOps.FusedMultiplyAdd(x, b2, c32);
            c33 = VecOps.FusedMultiplyAdd(x, b3, c33);
            x = VecOps.Create(Unsafe.Add(ref ap, row4));
            c40 = VecOps.FusedMultiplyAdd(x, b0, c40);
            c41 = VecOps.FusedMultiplyAdd(x, b1, c41);
            c42 = VecOps.FusedMultiplyAdd(x, b2, c42);
            c43 = VecOps.FusedMultiplyAdd(x, b3, c43);
            x = VecOps.Create(Unsafe.Add(ref ap, row5));
            c50 = VecOps.FusedMultiplyAdd(x, b0, c50);
            c51 = VecOps.FusedMultiplyAdd(x, b1, c51);
            c52 = VecOps.FusedMultiplyAdd(x, b2, c52);
            c53 = VecOps.FusedMultiplyAdd(x, b3, c53);
            if (--p > 0)
            {
                // Not past the last step: a reference beyond an array's end (a transposed A or an
                // in-place B goes a whole stride past it) would be reported to the GC as another object's.
                ap = ref Unsafe.Add(ref ap, aStep);
                bp = ref Unsafe.Add(ref bp, bStep);
            }
        }

        Store(ref c, 0, c00, c01, c02, c03, accumulate);
        Store(ref c, ldc, c10, c11, c12, c13, accumulate);
        Store(ref c, 2 * ldc, c20, c21, c22, c23, accumulate);
        Store(ref c, 3 * ldc, c30, c31, c32, c33, accumulate);
        Store(ref c, 4 * ldc, c40, c41, c42, c43, accumulate);
        Store(ref c, 5 * ldc, c50, c51, c52, c53, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(ref float c, nuint row, Vec v0, Vec v1, Vec v2, Vec v3, bool accumulate)
    {
        if (accumulate)
        {
            v0 += VecOps.LoadUnsafe(ref c, row);
            v1 += VecOps.LoadUnsafe(ref c, row + 16);
            v2 += VecOps.LoadUnsafe(ref c, row + 32);
            v3 += VecOps.LoadUnsafe(ref c, row + 48);
        }

        v0.StoreUnsafe(ref c, row);
        v1.StoreUnsafe(ref c, row + 16);
        v2.StoreUnsafe(ref c, row + 32);
        v3.StoreUnsafe(ref c, row + 48);
    }
}
