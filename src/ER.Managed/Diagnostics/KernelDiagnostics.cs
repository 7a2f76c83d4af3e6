using ER.Managed.Kernels;
using ER.Managed.Kernels.Gemm;

namespace ER.Managed.Diagnostics;

/// <summary>
/// What the library chose for this process, for tools such as <c>er info</c>: read-only, computed
/// once. The width follows the hardware the runtime reports (a NativeAOT build sees only the
/// instruction sets named by <c>IlcInstructionSet</c>; <c>DOTNET_EnableAVX512=0</c> and friends
/// narrow it under the JIT). <c>ER_CACHE_SIZES=l1d,l2,l3</c> (bytes) and
/// <c>ER_GEMM_BLOCKING=kc,mc,nc</c> override the detected caches and the blocking rules.
/// </summary>
public static class KernelDiagnostics
{
    /// <summary>The kernels and blocking this process runs.</summary>
    public static KernelReport Current { get; } = Create();

    private static KernelReport Create()
    {
        KernelWidth width = KernelIsa.Best;
        CacheSizes caches = CacheSizes.Current;
        int bits = width == KernelWidth.Scalar ? 32 : (int)width;
        if (MicroKernels.For(width) is MicroKernelId id)
        {
            MicroKernelInfo info = MicroKernels.Describe(id);
            return new KernelReport(width.ToString(), bits, info.Name, info.Rows, info.Columns, info.Blocking.KC, info.Blocking.MC, info.Blocking.NC, caches.L1Data, caches.L2, caches.L3, caches.Source);
        }

        return new KernelReport(width.ToString(), bits, "dot-product", 0, 0, 0, 0, 0, caches.L1Data, caches.L2, caches.L3, caches.Source);
    }
}
