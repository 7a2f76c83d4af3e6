using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Vec = System.Runtime.Intrinsics.Vector256<float>;
using VecOps = System.Runtime.Intrinsics.Vector256;

namespace ER.Managed.Kernels.Gemm;

/// <summary>
/// The AVX2 micro-kernel: a 6 x 16 tile of C in 12 ymm accumulators (6 rows x 2 registers of 8
/// floats): 2 loads of B and 6 broadcasts of A per 12 FMAs, 12 + 2 + 1 of the 16 ymm registers.
/// Written to read like <see cref="MicroKernel512"/>.
/// </summary>
internal readonly struct MicroKernel256 : IMicroKernel
{
    internal const int MR = 6;
    internal const int NR = 16;

    public static string Name => "avx2-6x16";

    public static int Rows => MR;

    public static int Columns => NR;

    public static bool IsSupported => VecOps.IsHardwareAccelerated;

    public static bool CanRun => true;

    /// <summary>A is broadcast an element at a time, so it may also be read in place through strides.</summary>
    public static bool ReadsStridedA => true;

    /// <summary>
    /// The B micro-panel (KC x 16 floats = 64 B a step) in two thirds of L1D, the rest left to the
    /// A micro-panel's stream and the C tile; the A block (MC x KC) in L2. KC = 512 on Zen 5's 48 KiB
    /// L1D (MC = 510), 336 on Zen 3's 32 KiB (MC = 384). BLIS's half of L1D (KC = 384 on Zen 5) cost
    /// a pass over C more for every 384 of depth: the Gram 4096 x 2048 ran 2-7% faster at KC = 512
    /// and 768 than at 384, and 1024 x 512 3-12%, alternating runs on Zen 5 with AVX-512 off (at
    /// 768, the whole L1D, no faster than 512). The A block in all of L2 keeps MC at 256 rows or
    /// more, a whole similarity tile, where half of L2 would cut a tile's rows in two blocks.
    /// Zen 3 itself was not available to measure.
    /// </summary>
    public static GemmBlocking Blocking(CacheSizes caches) =>
        GemmBlocking.FromRule(caches, MR, NR, caches.L1Data * 2 / 3, 1, aBlockCache: caches.L2, aBlockShare: 1);

    /// <summary><c>C[0..6, 0..16) (+)= Ap Bp</c>, packed as <see cref="IMicroKernel.Run"/> describes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(ref float ap, nuint aRowStride, nuint aStep, ref float bp, nuint bStep, int kc, ref float c, nuint ldc, bool accumulate)
    {
        Vec c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = Vec.Zero;
        ref float a0 = ref ap;
        ref float a1 = ref Unsafe.Add(ref ap, aRowStride);
        ref float a2 = ref Unsafe.Add(ref ap, 2 * aRowStride);
        ref float a3 = ref Unsafe.Add(ref ap, 3 * aRowStride);
        ref float a4 = ref Unsafe.Add(ref ap, 4 * aRowStride);
        ref float a5 = ref Unsafe.Add(ref ap, 5 * aRowStride);
        nuint a = 0, b = 0;
        for (int p = 0; p < kc; p++)
        {
            Vec b0 = VecOps.LoadUnsafe(ref bp, b);
            Vec b1 = VecOps.LoadUnsafe(ref bp, b + 8);
            Vec x = VecOps.Create(Unsafe.Add(ref a0, a));
            c00 = VecOps.FusedMultiplyAdd(x, b0, c00);
            c01 = VecOps.FusedMultiplyAdd(x, b1, c01);
            x = VecOps.Create(Unsafe.Add(ref a1, a));
            c10 = VecOps.FusedMultiplyAdd(x, b0, c10);
            c11 = VecOps.FusedMultiplyAdd(x, b1, c11);
            x = VecOps.Create(Unsafe.Add(ref a2, a));
            c20 = VecOps.FusedMultiplyAdd(x, b0, c20);
            c21 = VecOps.FusedMultiplyAdd(x, b1, c21);
            x = VecOps.Create(Unsafe.Add(ref a3, a));
            c30 = VecOps.FusedMultiplyAdd(x, b0, c30);
            c31 = VecOps.FusedMultiplyAdd(x, b1, c31);
            x = VecOps.Create(Unsafe.Add(ref a4, a));
            c40 = VecOps.FusedMultiplyAdd(x, b0, c40);
            c41 = VecOps.FusedMultiplyAdd(x, b1, c41);
            x = VecOps.Create(Unsafe.Add(ref a5, a));
            c50 = VecOps.FusedMultiplyAdd(x, b0, c50);
            c51 = VecOps.FusedMultiplyAdd(x, b1, c51);
            a += aStep;
            b += bStep;
        }

        Store(ref c, 0, c00, c01, accumulate);
        Store(ref c, ldc, c10, c11, accumulate);
        Store(ref c, 2 * ldc, c20, c21, accumulate);
        Store(ref c, 3 * ldc, c30, c31, accumulate);
        Store(ref c, 4 * ldc, c40, c41, accumulate);
        Store(ref c, 5 * ldc, c50, c51, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(ref float c, nuint row, Vec v0, Vec v1, bool accumulate)
    {
        if (accumulate)
        {
            v0 += VecOps.LoadUnsafe(ref c, row);
            v1 += VecOps.LoadUnsafe(ref c, row + 8);
        }

        v0.StoreUnsafe(ref c, row);
        v1.StoreUnsafe(ref c, row + 8);
    }
}
