using BenchmarkDotNet.Attributes;
using ER.Managed.Kernels;
using ER.Managed.Kernels.Gemm;

namespace ER.Managed.Benchmarks.Kernels;

/// <summary>
/// The packed GEMM: the Gram matrix at 4096 x 2048 (both threads), one 256 x 256 similarity tile
/// as the fused entropy computes it, and the backward's product of a 256 x 256 weight tile with 256
/// rows of Z (d = 128) read in place or from Z packed once (one thread), per micro-kernel width.
/// </summary>
[MemoryDiagnoser]
public class GemmBenchmarks
{
    private float[] _z = [];
    private float[] _gram = [];
    private float[] _tile = [];
    private float[] _weights = [];
    private float[] _rows = [];
    private PackedOperand? _packedZ;
    private ErOptions _options = ErOptions.Default;

    /// <summary>Row stride of the weight tile, as the entropy lays it out (not a multiple of 1 KiB).</summary>
    private const int WeightStride = 272;

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
        _weights = _z.AsSpan(0, 256 * WeightStride).ToArray();
        _rows = new float[256 * 128];
        _packedZ = GemmKernel.PackRowMajorB(_z.AsSpan(0, 4096 * 128), 4096, 128, 256, MicroKernels.For((KernelWidth)Width)!.Value);
        _options = new ErOptions { ValidateInputs = false };
    }

    [GlobalCleanup]
    public void Cleanup() => _packedZ?.Dispose();

    /// <summary>Z Z^T, 4096 x 2048: 36.5 GFLOP executed (the symmetric half and the diagonal blocks).</summary>
    [Benchmark]
    public void Gram4096x2048() => GramKernel.Compute(_z, 4096, 2048, _gram, _options.EffectiveDegreeOfParallelism, (KernelWidth)Width);

    /// <summary>A 256 x 256 tile with inner dimension 128, packing included.</summary>
    [Benchmark]
    public void Tile256x256x128() =>
        GemmKernel.Multiply(_z.AsSpan(0, 256 * 128), 128, false, _z.AsSpan(256 * 128, 256 * 128), 128, true, _tile, 256, 256, 256, 128, false, (KernelWidth)Width);

    /// <summary>W Z_J for a 256 x 256 weight tile and the 256 rows of Z of block 3 (d = 128), Z read in place.</summary>
    [Benchmark]
    public void WeightTileTimesRowsInPlace() =>
        GemmKernel.Multiply(_weights, WeightStride, false, _z.AsSpan(3 * 256 * 128, 256 * 128), 128, false, _rows, 128, 256, 128, 256, true, (KernelWidth)Width);

    /// <summary>The same product with Z packed once in 256-row slices (the backward's recomputed tiles).</summary>
    [Benchmark]
    public void WeightTileTimesRowsPacked() =>
        GemmKernel.MultiplyPackedSlice(_weights, WeightStride, false, _packedZ!, 3, _rows, 128, 256, true);
}
