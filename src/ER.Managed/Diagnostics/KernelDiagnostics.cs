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

    /// <summary>
    /// Measures this machine's float32 FMA throughput at the kernels' width: each of
    /// <paramref name="threads"/> threads runs 12 independent chains of fused multiply-adds on one
    /// register each (enough to cover the FMA latency on two to four pipes) for 20 million steps.
    /// Takes about 0.1-1 s. The reference the GEMM's efficiency is quoted against.
    /// </summary>
    /// <param name="threads">Threads to run at once (at least 1).</param>
    /// <returns>GFLOP/s (2 flops an FMA lane) over all threads.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> is below 1.</exception>
    internal static double MeasureFmaPeak(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        const int Iterations = 20_000_000;
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        System.Threading.Tasks.Parallel.For(0, threads, new System.Threading.Tasks.ParallelOptions { MaxDegreeOfParallelism = threads }, _ => FmaLoop(Iterations));
        double seconds = System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalSeconds;
        return FmaGflops(KernelIsa.Best, Iterations, threads, seconds);
    }

    /// <summary>Independent FMA chains a thread of <see cref="MeasureFmaPeak"/> runs, one register each.</summary>
    internal const int FmaChainCount = 12;

    /// <summary>
    /// GFLOP/s of <paramref name="threads"/> threads that each ran <see cref="FmaChainCount"/> chains of
    /// <paramref name="iterations"/> fused multiply-adds at <paramref name="width"/> in
    /// <paramref name="seconds"/>: 2 flops per FMA and float lane (1 lane on the scalar path).
    /// </summary>
    internal static double FmaGflops(KernelWidth width, long iterations, int threads, double seconds) =>
        2.0 * FmaChainCount * FloatLanes(width) * iterations * threads / seconds / 1e9;

    /// <summary>float32 lanes of a register of <paramref name="width"/> (1 on the scalar path).</summary>
    internal static int FloatLanes(KernelWidth width) => width == KernelWidth.Scalar ? 1 : (int)width / 32;

    /// <summary>
    /// The floating-point operations <see cref="Gram.Compute(ReadOnlySpan{float}, int, int, Span{float}, ErOptions?)"/> executes for a rows x columns input
    /// on this CPU's micro-kernel: 2 columns per product, over the blocks right of the diagonal and
    /// the diagonal squares' bands (<see cref="GramKernel.ExecutedProducts"/>; the rest is
    /// mirrored). Divide by the time for GFLOP/s.
    /// </summary>
    /// <param name="rows">k, the rows of Z (at least 0).</param>
    /// <param name="columns">d, the columns of Z (at least 0).</param>
    /// <returns>The operation count.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A negative size.</exception>
    internal static double GramFlops(int rows, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        return 2.0 * columns * GramKernel.ExecutedProducts(rows, KernelIsa.Best);
    }

    private static float FmaLoop(int iterations)
    {
        var work = new FmaWork(iterations);
        Kernels.Drivers.WidthDispatch.Run(KernelIsa.Best, ref work);
        return work.Result;
    }

    private struct FmaWork(int iterations) : Kernels.Drivers.IWithWidth
    {
        internal float Result;

        public void Run<TSimd, TVec>()
            where TSimd : struct, ISimd<TVec>
            where TVec : struct => Result = FmaChains<TSimd, TVec>(iterations);
    }

    /// <summary>
    /// <see cref="FmaChainCount"/> chains of <c>a = a * 0.9999 + 1e-5</c> from 1, each
    /// <paramref name="iterations"/> steps long; returns the sum of every lane of every chain (so
    /// that the loop is not removed, and so that a test can check the steps ran).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal static float FmaChains<TSimd, TVec>(int iterations)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct
    {
        TVec x = TSimd.Broadcast(0.9999f), y = TSimd.Broadcast(1e-5f);
        TVec a0 = TSimd.Broadcast(1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        for (int i = 0; i < iterations; i++)
        {
            a0 = TSimd.MultiplyAdd(a0, x, y);
            a1 = TSimd.MultiplyAdd(a1, x, y);
            a2 = TSimd.MultiplyAdd(a2, x, y);
            a3 = TSimd.MultiplyAdd(a3, x, y);
            a4 = TSimd.MultiplyAdd(a4, x, y);
            a5 = TSimd.MultiplyAdd(a5, x, y);
            a6 = TSimd.MultiplyAdd(a6, x, y);
            a7 = TSimd.MultiplyAdd(a7, x, y);
            a8 = TSimd.MultiplyAdd(a8, x, y);
            a9 = TSimd.MultiplyAdd(a9, x, y);
            a10 = TSimd.MultiplyAdd(a10, x, y);
            a11 = TSimd.MultiplyAdd(a11, x, y);
        }

        return TSimd.Sum(TSimd.Add(TSimd.Add(TSimd.Add(a0, a1), TSimd.Add(a2, a3)), TSimd.Add(TSimd.Add(TSimd.Add(a4, a5), TSimd.Add(a6, a7)), TSimd.Add(TSimd.Add(a8, a9), TSimd.Add(a10, a11)))));
    }

    private static KernelReport Create()
    {
        KernelWidth width = KernelIsa.Best;
        CacheSizes caches = CacheSizes.Current;
        int bits = 32 * FloatLanes(width);
        if (MicroKernels.For(width) is MicroKernelId id)
        {
            MicroKernelInfo info = MicroKernels.Describe(id);
            return new KernelReport(width.ToString(), bits, info.Name, info.Rows, info.Columns, info.Blocking.KC, info.Blocking.MC, info.Blocking.NC, caches.L1Data, caches.L2, caches.L3, caches.Source);
        }

        return new KernelReport(width.ToString(), bits, "dot-product", 0, 0, 0, 0, 0, caches.L1Data, caches.L2, caches.L3, caches.Source);
    }
}
