using BenchmarkDotNet.Attributes;
using ER.Managed.Kernels;
using ER.Managed.Kernels.Gemm;

namespace ER.Managed.Benchmarks.Kernels;

/// <summary>
/// The packed GEMM: the Gram matrix at the 4096 x 2048 shape (both threads) and one
/// 256 x 256 similarity tile as the fused entropy computes it (one thread), per micro-kernel width.
/// </summary>
[MemoryDiagnoser]
public class GemmBenchmarks
{
    private float[] _z = [];
    private float[] _gram = [];
    private float[] _tile = [];
    private ErOptions _options = ErOptions.Default;

    [Params(KernelWidthChoice.V512, KernelWidthChoice.V256)]
    public KernelWidthChoice Width { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(3);
        _z = new float[4096 * 2048];
        for (int i = 0; i < _z.Length; i++)
        {
            _z[i] = random.NextSingle() - 0.5f;
        }

        _gram = new float[4096 * 4096];
        _tile = new float[256 * 256];
        _options = new ErOptions { ValidateInputs = false };
    }

    /// <summary>Z Z^T, 4096 x 2048: 36.5 GFLOP executed (the symmetric half and the diagonal blocks).</summary>
    [Benchmark]
    public void Gram4096x2048() => GramKernel.Compute(_z, 4096, 2048, _gram, _options.EffectiveDegreeOfParallelism, (KernelWidth)Width);

    /// <summary>A 256 x 256 tile with inner dimension 128, packing included.</summary>
    [Benchmark]
    public void Tile256x256x128() =>
        GemmKernel.Multiply(_z.AsSpan(0, 256 * 128), 128, false, _z.AsSpan(256 * 128, 256 * 128), 128, true, _tile, 256, 256, 256, 128, false, (KernelWidth)Width);
}
