using ER.Managed.Kernels;
using BenchmarkDotNet.Attributes;

namespace ER.Managed.Benchmarks.Kernels;

/// <summary>The element-wise kernels and softmax at each SIMD width (Y is overwritten).</summary>
public class MapKernelBenchmarks : KernelBenchmarkBase
{
    [Benchmark]
    public void Exp() => ExpMapKernel.Run(X, Y, 1f, 0f, (KernelWidth)Width);

    [Benchmark]
    public void Log() => LogMapKernel.Run(X, Y, 1e-7f, (KernelWidth)Width);

    [Benchmark]
    public double Softmax() => SoftmaxKernel.Run(X, Y, 10f, (KernelWidth)Width);
}
