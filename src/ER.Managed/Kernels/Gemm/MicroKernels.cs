using System.Runtime.Intrinsics.Arm;

namespace ER.Managed.Kernels.Gemm;

/// <summary>The GEMM micro-kernels this library has (see <see cref="MicroKernels"/>).</summary>
internal enum MicroKernelId
{
    /// <summary><see cref="MicroKernel512"/>: AVX-512, 6 x 64.</summary>
    Avx512,

    /// <summary><see cref="MicroKernel256"/>: AVX2, 6 x 16.</summary>
    Avx2,

    /// <summary><see cref="MicroKernel128"/>: Vector128 (x86 without AVX2), 6 x 8.</summary>
    Vector128,

    /// <summary><see cref="MicroKernelAdvSimd"/>: ARM64 NEON with FMA by lane, 12 x 8.</summary>
    AdvSimd,
}

/// <summary>What a micro-kernel states about itself, with its blocking on this machine.</summary>
internal readonly record struct MicroKernelInfo(MicroKernelId Id, string Name, int Rows, int Columns, bool IsSupported, bool CanRun, GemmBlocking Blocking);

/// <summary>
/// The registry of GEMM micro-kernels: which one serves each kernel width on this CPU, and what
/// each states (shape, support, blocking from <see cref="CacheSizes.Current"/>). Every width but
/// the scalar one has a micro-kernel; on ARM64 the 128-bit width takes the AdvSimd kernel.
/// </summary>
internal static class MicroKernels
{
    /// <summary>Every kernel, whether or not it runs here.</summary>
    internal static ReadOnlySpan<MicroKernelId> All => [MicroKernelId.Avx512, MicroKernelId.Avx2, MicroKernelId.Vector128, MicroKernelId.AdvSimd];

    /// <summary>The kernel that serves <paramref name="width"/>, or null for the scalar width (dot-product path).</summary>
    internal static MicroKernelId? For(KernelWidth width) => width switch
    {
        KernelWidth.V512 => MicroKernelId.Avx512,
        KernelWidth.V256 => MicroKernelId.Avx2,
        KernelWidth.V128 => AdvSimd.Arm64.IsSupported ? MicroKernelId.AdvSimd : MicroKernelId.Vector128,
        _ => null,
    };

    /// <summary>
    /// Products whose C has at most this many columns (the entropy backward's <c>W Z</c> at small d)
    /// take the AVX2 kernel on the 512-bit width: the 6 x 64 tile would spend at least half its FMAs
    /// on zero padding (three quarters at 16 columns), the 6 x 16 tile, in registers half as wide,
    /// none at 16 and 32 columns. On an Intel Xeon (Emerald Rapids, one thread, 2026-12-05) the entropy's
    /// backward at 4096 x 16 took 15 ms on the AVX2 path against 24 ms with AVX-512, at 32 columns 24
    /// against 29, at 48 30 against 27.
    /// </summary>
    internal const int NarrowProductColumns = 32;

    /// <summary>
    /// The kernel for a product whose C has <paramref name="columns"/> columns: the width's own
    /// (<see cref="For(KernelWidth)"/>), or the AVX2 one for a narrow product on the 512-bit width
    /// (see <see cref="NarrowProductColumns"/>) where 256-bit registers are accelerated.
    /// </summary>
    internal static MicroKernelId? For(KernelWidth width, int columns) =>
        width == KernelWidth.V512 && columns <= NarrowProductColumns && MicroKernel256.IsSupported ? MicroKernelId.Avx2 : For(width);

    /// <summary>
    /// The one dispatch from a kernel id to its type: runs <paramref name="work"/> with the kernel as a
    /// type argument, so that everything the work calls is specialized and inlined for it.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An id this registry does not have.</exception>
    internal static void Run<TWork>(MicroKernelId id, ref TWork work)
        where TWork : IWithMicroKernel, allows ref struct
    {
        switch (id)
        {
            case MicroKernelId.Avx512: work.Run<MicroKernel512>(); break;
            case MicroKernelId.Avx2: work.Run<MicroKernel256>(); break;
            case MicroKernelId.Vector128: work.Run<MicroKernel128>(); break;
            case MicroKernelId.AdvSimd: work.Run<MicroKernelAdvSimd>(); break;
            default: throw new ArgumentOutOfRangeException(nameof(id), id, "Unknown micro-kernel.");
        }
    }

    /// <summary>
    /// Runs kernel <paramref name="id"/> <paramref name="repeats"/> times on one packed A micro-panel
    /// (MR floats a step) and one packed B micro-panel (NR floats a step), kc steps deep, accumulating
    /// into an MR x NR tile: the kernel's own throughput, for the benchmarks.
    /// </summary>
    /// <exception cref="ArgumentException">A panel or the tile is shorter than the kernel's shape needs.</exception>
    internal static void RunRepeatedly(MicroKernelId id, float[] a, float[] b, int kc, float[] tile, int repeats)
    {
        var work = new RepeatWork(a, b, kc, tile, repeats);
        Run(id, ref work);
    }

    private readonly struct RepeatWork(float[] a, float[] b, int kc, float[] tile, int repeats) : IWithMicroKernel
    {
        public void Run<TKernel>()
            where TKernel : struct, IMicroKernel
        {
            if (a.Length < TKernel.Rows * kc || b.Length < TKernel.Columns * kc || tile.Length < TKernel.Rows * TKernel.Columns)
            {
                throw new ArgumentException($"{TKernel.Name} needs panels of {TKernel.Rows} x {kc} and {kc} x {TKernel.Columns} floats and a {TKernel.Rows} x {TKernel.Columns} tile.", nameof(a));
            }

            for (int r = 0; r < repeats; r++)
            {
                TKernel.Run(ref a[0], 1, (nuint)TKernel.Rows, ref b[0], (nuint)TKernel.Columns, kc, ref tile[0], (nuint)TKernel.Columns, accumulate: true);
            }
        }
    }

    internal static MicroKernelInfo Describe(MicroKernelId id)
    {
        var work = new DescribeWork(id);
        Run(id, ref work);
        return work.Info;
    }

    private struct DescribeWork(MicroKernelId id) : IWithMicroKernel
    {
        internal MicroKernelInfo Info;

        public void Run<TKernel>()
            where TKernel : struct, IMicroKernel =>
            Info = new(id, TKernel.Name, TKernel.Rows, TKernel.Columns, TKernel.IsSupported, TKernel.CanRun, KernelBlocking<TKernel>.Value);
    }
}

/// <summary>Work that runs with one micro-kernel as a type argument (<see cref="MicroKernels.Run"/>).</summary>
internal interface IWithMicroKernel
{
    void Run<TKernel>()
        where TKernel : struct, IMicroKernel;
}

/// <summary>One kernel's blocking on this machine, computed once.</summary>
internal static class KernelBlocking<TKernel>
    where TKernel : struct, IMicroKernel
{
    internal static readonly GemmBlocking Value = TKernel.Blocking(CacheSizes.Current);
}
