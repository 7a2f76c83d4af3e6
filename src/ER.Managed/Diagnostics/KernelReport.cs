namespace ER.Managed.Diagnostics;

/// <summary>
/// Which kernels this process runs, as <c>er info</c> shows it: the SIMD width every kernel was
/// chosen for, the GEMM micro-kernel (its name gives its register tile, e.g. "avx512-6x64"), and
/// the cache sizes its blocking is derived from (<c>er info</c> also prints the blocking itself).
/// Obtain it from <see cref="KernelDiagnostics.Current"/>.
/// </summary>
public sealed class KernelReport
{
    internal KernelReport(string kernelWidth, int kernelBits, string gemmKernel, int mr, int nr, int kc, int mc, int nc, long l1DataBytes, long l2Bytes, long l3Bytes, string cacheSource)
    {
        KernelWidth = kernelWidth;
        KernelBits = kernelBits;
        GemmKernel = gemmKernel;
        Mr = mr;
        Nr = nr;
        Kc = kc;
        Mc = mc;
        Nc = nc;
        L1DataBytes = l1DataBytes;
        L2Bytes = l2Bytes;
        L3Bytes = l3Bytes;
        CacheSource = cacheSource;
    }

    /// <summary>The kernels' SIMD width: "V512", "V256", "V128" or "Scalar".</summary>
    public string KernelWidth { get; }

    /// <summary>Bits a register of that width holds (32 for the scalar path).</summary>
    public int KernelBits { get; }

    /// <summary>The GEMM micro-kernel's name (e.g. "avx2-6x16"), or "dot-product" on the scalar path, which has none.</summary>
    public string GemmKernel { get; }

    /// <summary>Rows of the micro-kernel's register tile (0 without a micro-kernel).</summary>
    internal int Mr { get; }

    /// <summary>Columns of the micro-kernel's register tile (0 without a micro-kernel).</summary>
    internal int Nr { get; }

    /// <summary>Depth of a packed slice of the inner dimension (0 without a micro-kernel).</summary>
    internal int Kc { get; }

    /// <summary>Rows of A packed at a time (0 without a micro-kernel).</summary>
    internal int Mc { get; }

    /// <summary>Columns of B packed at a time (0 without a micro-kernel).</summary>
    internal int Nc { get; }

    /// <summary>Level-1 data cache of one core, in bytes.</summary>
    public long L1DataBytes { get; }

    /// <summary>Level-2 cache per core (a shared L2 divided by its cores), in bytes.</summary>
    public long L2Bytes { get; }

    /// <summary>This core's share of the level-3 cache, in bytes (0 where there is none).</summary>
    public long L3Bytes { get; }

    /// <summary>Where the cache sizes came from: "cpuid", "sysfs", "sysctl", "environment" (<c>ER_CACHE_SIZES</c>) or "fallback".</summary>
    public string CacheSource { get; }
}
