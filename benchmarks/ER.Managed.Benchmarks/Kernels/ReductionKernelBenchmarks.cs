using BenchmarkDotNet.Attributes;
using ER.Managed.Kernels;

namespace ER.Managed.Benchmarks.Kernels;

/// <summary>The reduction kernels at each SIMD width (emulated widths are slow by design: compare accelerated ones).</summary>
public class ReductionKernelBenchmarks : KernelBenchmarkBase
{
    [Benchmark]
    public double LogSumExp() => LogSumExpKernel.Run(X, 10f, (KernelWidth)Width);

    [Benchmark]
    public double Sum() => SumKernel.Run(X, (KernelWidth)Width);

    [Benchmark]
    public double CrossLog() => CrossLogKernel.Run(X, Y, 1e-7f, (KernelWidth)Width);
}

/// <summary>Public mirror of the internal width enum, for BenchmarkDotNet's parameters.</summary>
public enum KernelWidthChoice
{
    Scalar = 1,
    V128 = 128,
    V256 = 256,
    V512 = 512,
}
