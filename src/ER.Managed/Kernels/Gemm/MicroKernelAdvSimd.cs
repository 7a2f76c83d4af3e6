using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using Vec = System.Runtime.Intrinsics.Vector128<float>;
using VecOps = System.Runtime.Intrinsics.Vector128;

namespace ER.Managed.Kernels.Gemm;

/// <summary>
/// The ARM64 micro-kernel (AdvSimd / NEON): a 12 x 8 tile of C in 24 q-register accumulators
/// (12 rows x 2 registers of 4 floats), using the 32 NEON registers and FMA by lane (FMLA by
/// element), which x86 lacks: A is not broadcast but loaded 4 rows at a time and each lane
/// selected by the FMA itself.
/// </summary>
/// <remarks>
/// On paper, per step of the inner loop: 3 loads of A (12 floats) and 2 of B (8 floats) feed 24
/// FMAs of 4 lanes (192 flops), 5 loads per 24 FMAs; registers: 24 accumulators + 3 A + 2 B = 29
/// of 32, no spills. A core with 2 FMA pipes (Neoverse N1, Graviton2) needs 12 cycles a step and
/// its 2 load ports 2.5, so the FMA pipes bound it: the kernel can reach the core's FMA peak less
/// the C-tile update every KC steps (at KC = 1024 under 1%). With 4 pipes (Neoverse V1/V2, Apple
/// M-series) 6 cycles a step still leaves the loads (2.5 cycles) off the critical path; 24
/// independent accumulators cover a 4-cycle FMA latency on 4 pipes (16 in flight). Measured
/// nowhere yet: CI runs it under qemu, which checks results, not speed.
/// </remarks>
internal readonly struct MicroKernelAdvSimd : IMicroKernel
{
    internal const int MR = 12;
    internal const int NR = 8;

    public static string Name => "advsimd-12x8";

    public static int Rows => MR;

    public static int Columns => NR;

    public static bool IsSupported => AdvSimd.Arm64.IsSupported;

    public static bool CanRun => AdvSimd.Arm64.IsSupported;

    /// <summary>A is loaded four rows at a time, so it must be packed (aRowStride 1; aStep is MR).</summary>
    public static bool ReadsStridedA => false;

    /// <summary>
    /// B micro-panel (KC x 8 floats) in half of L1D: KC = 1024 on Graviton's 64 KiB L1D, 2048 on
    /// Apple's 128 KiB; the A block (MC x KC) in half of this core's share of L2.
    /// </summary>
    public static GemmBlocking Blocking(CacheSizes caches) => GemmBlocking.FromRule(caches, MR, NR, caches.L1Data, 2);

    /// <summary><c>C[0..12, 0..8) (+)= Ap Bp</c>, packed as <see cref="IMicroKernel.Run"/> describes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(ref float ap, nuint aRowStride, nuint aStep, ref float bp, nuint bStep, int kc, ref float c, nuint ldc, bool accumulate)
    {
        Vec c000, c001, c010, c011, c020, c021, c030, c031, c040, c041, c050, c051, c060, c061, c070, c071, c080, c081, c090, c091, c100, c101, c110, c111;
        c000 = c001 = c010 = c011 = c020 = c021 = c030 = c031 = c040 = c041 = c050 = c051 = c060 = c061 = c070 = c071 = c080 = c081 = c090 = c091 = c100 = c101 = c110 = c111 = Vec.Zero;
        nuint a = 0, b = 0;
        for (int p = 0; p < kc; p++)
        {
            Vec b0 = VecOps.LoadUnsafe(ref bp, b);
            Vec b1 = VecOps.LoadUnsafe(ref bp, b + 4);
            Vec a0 = VecOps.LoadUnsafe(ref ap, a);
            Vec a1 = VecOps.LoadUnsafe(ref ap, a + 4);
            Vec a2 = VecOps.LoadUnsafe(ref ap, a + 8);
            c000 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c000, b0, a0, 0);
            c001 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c001, b1, a0, 0);
            c010 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c010, b0, a0, 1);
            c011 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c011, b1, a0, 1);
            c020 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c020, b0, a0, 2);
            c021 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c021, b1, a0, 2);
            c030 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c030, b0, a0, 3);
            c031 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c031, b1, a0, 3);
            c040 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c040, b0, a1, 0);
            c041 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c041, b1, a1, 0);
            c050 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c050, b0, a1, 1);
            c051 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c051, b1, a1, 1);
            c060 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c060, b0, a1, 2);
            c061 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c061, b1, a1, 2);
            c070 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c070, b0, a1, 3);
            c071 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c071, b1, a1, 3);
            c080 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c080, b0, a2, 0);
            c081 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c081, b1, a2, 0);
            c090 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c090, b0, a2, 1);
            c091 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c091, b1, a2, 1);
            c100 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c100, b0, a2, 2);
            c101 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c101, b1, a2, 2);
            c110 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c110, b0, a2, 3);
            c111 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c111, b1, a2, 3);
            a += aStep;
            b += bStep;
        }

        Store(ref c, 0, c000, c001, accumulate);
        Store(ref c, ldc, c010, c011, accumulate);
        Store(ref c, 2 * ldc, c020, c021, accumulate);
        Store(ref c, 3 * ldc, c030, c031, accumulate);
        Store(ref c, 4 * ldc, c040, c041, accumulate);
        Store(ref c, 5 * ldc, c050, c051, accumulate);
        Store(ref c, 6 * ldc, c060, c061, accumulate);
        Store(ref c, 7 * ldc, c070, c071, accumulate);
        Store(ref c, 8 * ldc, c080, c081, accumulate);
        Store(ref c, 9 * ldc, c090, c091, accumulate);
        Store(ref c, 10 * ldc, c100, c101, accumulate);
        Store(ref c, 11 * ldc, c110, c111, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(ref float c, nuint row, Vec v0, Vec v1, bool accumulate)
    {
        if (accumulate)
        {
            v0 += VecOps.LoadUnsafe(ref c, row);
            v1 += VecOps.LoadUnsafe(ref c, row + 4);
        }

        v0.StoreUnsafe(ref c, row);
        v1.StoreUnsafe(ref c, row + 4);
    }
}
