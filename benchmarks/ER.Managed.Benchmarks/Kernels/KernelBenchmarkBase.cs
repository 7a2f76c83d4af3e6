using BenchmarkDotNet.Attributes;

namespace ER.Managed.Benchmarks.Kernels;

/// <summary>The parameters and inputs the per-width kernel benchmarks share: two rows of the given length.</summary>
[MemoryDiagnoser]
public abstract class KernelBenchmarkBase
{
    [Params(1000, 65536)]
    public int Length { get; set; }

    [Params(KernelWidthChoice.V512, KernelWidthChoice.V256, KernelWidthChoice.V128, KernelWidthChoice.Scalar)]
    public KernelWidthChoice Width { get; set; }

    /// <summary>Uniform on [0, 1): valid input for every kernel, logarithms included.</summary>
    protected float[] X { get; private set; } = [];

    /// <summary>Uniform on [0, 1), another draw.</summary>
    protected float[] Y { get; private set; } = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        X = new float[Length];
        Y = new float[Length];
        for (int i = 0; i < Length; i++)
        {
            X[i] = random.NextSingle();
            Y[i] = random.NextSingle();
        }
    }
}
