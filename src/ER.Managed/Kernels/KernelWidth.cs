using System.Runtime.Intrinsics;

namespace ER.Managed.Kernels;

/// <summary>The SIMD widths the kernels are instantiated for.</summary>
internal enum KernelWidth
{
    /// <summary>One float at a time (no SIMD).</summary>
    Scalar = 1,

    /// <summary>Vector128: SSE / AdvSimd.</summary>
    V128 = 128,

    /// <summary>Vector256: AVX2.</summary>
    V256 = 256,

    /// <summary>Vector512: AVX-512.</summary>
    V512 = 512,
}

/// <summary>Which width the kernels use on this machine, chosen once at start-up.</summary>
internal static class KernelIsa
{
    /// <summary>
    /// The widest width with hardware support. Note that <c>Vector&lt;float&gt;.Count</c> stays 8 on
    /// AVX-512 machines, so the 512-bit path is chosen from <see cref="Vector512.IsHardwareAccelerated"/>.
    /// NativeAOT builds see only the instruction sets named by <c>IlcInstructionSet</c>.
    /// </summary>
    internal static readonly KernelWidth Best =
        Vector512.IsHardwareAccelerated ? KernelWidth.V512
        : Vector256.IsHardwareAccelerated ? KernelWidth.V256
        : Vector128.IsHardwareAccelerated ? KernelWidth.V128
        : KernelWidth.Scalar;

    /// <summary>All widths, widest first (each runs everywhere; unsupported ones are emulated).</summary>
    internal static ReadOnlySpan<KernelWidth> All => [KernelWidth.V512, KernelWidth.V256, KernelWidth.V128, KernelWidth.Scalar];

    /// <summary>Whether <paramref name="width"/> runs on hardware here.</summary>
    internal static bool IsAccelerated(KernelWidth width) => width switch
    {
        KernelWidth.V512 => Vector512.IsHardwareAccelerated,
        KernelWidth.V256 => Vector256.IsHardwareAccelerated,
        KernelWidth.V128 => Vector128.IsHardwareAccelerated,
        _ => true,
    };
}
