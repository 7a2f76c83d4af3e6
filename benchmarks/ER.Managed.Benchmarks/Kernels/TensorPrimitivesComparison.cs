using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using ER.Managed.Kernels;

namespace ER.Managed.Benchmarks.Kernels;

/// <summary>
/// Our plain maps and reductions at each accelerated width, to set beside
/// <see cref="TensorPrimitivesOperations"/> (the same operations through System.Numerics.Tensors'
/// TensorPrimitives, which picks its own width) at the same lengths: the table in
/// docs/tensor-primitives.md comes from one run of both. Only the ones we kept are left here; the
/// run that retired Max, MinMax, Dot, Scale and the axpy is recorded there with its commit.
/// </summary>
[MemoryDiagnoser]
public class OurPlainOperations
{
    private float[] _x = [];
    private float[] _y = [];
    private float[] _out = [];

    [Params(1000, 65536)]
    public int Length { get; set; }

    [Params(KernelWidthChoice.V512, KernelWidthChoice.V256, KernelWidthChoice.V128)]
    public KernelWidthChoice Width { get; set; }

    [GlobalSetup]
    public void Setup() => (_x, _y, _out) = PlainOperationData.Create(Length);

    [Benchmark]
    public double Sum() => SumKernel.Run(_x, (KernelWidth)Width);

    [Benchmark]
    public void ExpOfAffine() => ExpMapKernel.Run(_x, _out, 2f, -1f, (KernelWidth)Width);
}

/// <summary>The operations of <see cref="OurPlainOperations"/> through TensorPrimitives.</summary>
[MemoryDiagnoser]
public class TensorPrimitivesOperations
{
    private float[] _x = [];
    private float[] _y = [];
    private float[] _out = [];

    [Params(1000, 65536)]
    public int Length { get; set; }

    [GlobalSetup]
    public void Setup() => (_x, _y, _out) = PlainOperationData.Create(Length);

    [Benchmark]
    public float Sum() => TensorPrimitives.Sum<float>(_x);

    [Benchmark]
    public float Max() => TensorPrimitives.Max<float>(_x);

    [Benchmark]
    public float MinAndMax() => TensorPrimitives.Min<float>(_x) + TensorPrimitives.Max<float>(_x);

    [Benchmark]
    public float Dot() => TensorPrimitives.Dot<float>(_x, _y);

    [Benchmark]
    public void Scale() => TensorPrimitives.Multiply(_out, 1.0000001f, _out);

    [Benchmark]
    public void MultiplyAdd() => TensorPrimitives.MultiplyAdd(_x, 0.5f, _out, _out);

    /// <summary>exp(2x - 1) in three passes: TensorPrimitives has no fused affine-then-exp.</summary>
    [Benchmark]
    public void ExpOfAffine()
    {
        TensorPrimitives.Multiply(_x, 2f, _out);
        TensorPrimitives.Add(_out, -1f, _out);
        TensorPrimitives.Exp(_out, _out);
    }
}

internal static class PlainOperationData
{
    internal static (float[] X, float[] Y, float[] Out) Create(int length)
    {
        var random = new Random(1);
        var x = new float[length];
        var y = new float[length];
        for (int i = 0; i < length; i++)
        {
            x[i] = random.NextSingle();
            y[i] = random.NextSingle();
        }

        return (x, y, new float[length]);
    }
}
