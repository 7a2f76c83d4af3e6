namespace ER.Managed.Kernels.Gemm;

/// <summary>
/// Blocking sizes of the packed GEMM (BLIS/Goto scheme), with the reasoning.
/// </summary>
/// <remarks>
/// Loop nest: for each NC-wide column block of C, for each KC-deep slice of the inner dimension,
/// pack B's KC x NC block; for each MC-tall row block, pack A's MC x KC block; then for each
/// NR-wide micro-panel of B and each MR-tall micro-panel of A, the register-blocked micro-kernel
/// updates an MR x NR tile of C. Sized for Zen 4/5 (48 KiB L1D, 1 MiB L2 a core, 32 MiB L3);
/// other x86 cores with >= 32 KiB L1D and >= 512 KiB L2 only lose some speed.
/// The sizes were chosen by measurement on that machine (4096 x 2048 x 1024 products, one
/// thread, <c>benchmarks/.../Kernels/GemmBenchmarks</c>): KC from 128 to 2048 went 89 -> 103
/// (KC 128), 115 (256), 126 (384), 144 (512), 156 (768), 165 GFLOP/s (1024), 154 (2048).
/// </remarks>
internal static class GemmBlocking
{
    /// <summary>
    /// Depth of a packed slice. Every micro-kernel call reads and writes its MR x NR tile of C
    /// once per slice; at small KC that C traffic (the tile is rarely in cache when C is larger
    /// than L2) dominates. 1024 makes it 1/1024 of the FMA work, while the A micro-panel
    /// (1024 x 6 x 4 B = 24 KiB) still sits in L1 and the B micro-panel (1024 x 64 x 4 B = 256 KiB)
    /// in L2, from where the micro-kernel streams it sequentially (prefetch-friendly).
    /// For the entropy tiles (inner dimension d &lt;= 1024 in practice) it means one slice: C is
    /// written exactly once.
    /// </summary>
    internal const int KC = 1024;

    /// <summary>
    /// Rows of A packed at a time (a multiple of MR = 6): the MC x KC block, 144 x 1024 x 4 B =
    /// 576 KiB, stays in L2 next to one B micro-panel while the row block is swept.
    /// </summary>
    internal const int MC = 144;

    /// <summary>
    /// Columns of B packed at a time (a multiple of NR = 64): the KC x NC block, 4 MiB, is
    /// shared through L3; each of its 16 micro-panels is reused by all MC / MR = 24 A panels.
    /// </summary>
    internal const int NC = 1024;
}
