using System;
using BenchmarkDotNet.Attributes;
using ER.Managed.Kernels;

namespace ER.Managed.Benchmarks.Kernels;

/// <summary>The element-wise kernels and softmax at each SIMD width.</summary>
[MemoryDiagnoser]
public class MapKernelBenchmarks
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
        var random = new Random(2);
        _x = new float[Length];
        _y = new float[Length];
        for (int i = 0; i < Length; i++)
        {
            _x[i] = random.NextSingle();
        }
    }

    [Benchmark]
    public void Exp() => ExpMapKernel.Run(_x, _y, 1f, 0f, (KernelWidth)Width);

    [Benchmark]
    public void Log() => LogMapKernel.Run(_x, _y, 1e-7f, (KernelWidth)Width);

    [Benchmark]
    public double Softmax() => SoftmaxKernel.Run(_x, _y, 10f, (KernelWidth)Width);
}
