using System;
using BenchmarkDotNet.Attributes;
using ER.Managed.Kernels;

namespace ER.Managed.Benchmarks.Kernels;

/// <summary>The reduction kernels at each SIMD width (emulated widths are slow by design: compare accelerated ones).</summary>
[MemoryDiagnoser]
public class ReductionKernelBenchmarks
{
    private float[] _x = [];
    private float[] _y = [];

    [Params(1000, 65536)]
    public int Length { get; set; }

    [Params(KernelWidthChoice.V512, KernelWidthChoice.V256, KernelWidthChoice.V128, KernelWidthChoice.Scalar)]
    public KernelWidthChoice Width { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        _x = new float[Length];
        _y = new float[Length];
        for (int i = 0; i < Length; i++)
        {
            _x[i] = random.NextSingle() - 0.5f;
            _y[i] = random.NextSingle() - 0.5f;
        }
    }

    [Benchmark]
    public float Dot() => DotKernel.Run(_x, _y, (KernelWidth)Width);

    [Benchmark]
    public double LogSumExp() => LogSumExpKernel.Run(_x, 10f, (KernelWidth)Width);

    [Benchmark]
    public double Sum() => SumKernel.Run(_x, (KernelWidth)Width);

    [Benchmark]
    public double CrossLog() => CrossLogKernel.Run(_x, _y, 1e-7f, (KernelWidth)Width);
}

/// <summary>Public mirror of the internal width enum, for BenchmarkDotNet's parameters.</summary>
public enum KernelWidthChoice
{
    Scalar = 1,
    V128 = 128,
    V256 = 256,
    V512 = 512,
}
