using System.Collections.Generic;
using System.Linq;
using BenchmarkDotNet.Attributes;
using ER.Managed.Kernels;

namespace ER.Managed.Benchmarks.Kernels;

/// <summary>
/// The fused sphere entropy's element-wise tile passes (<c>SimilarityTileKernel</c>) at each width
/// this CPU accelerates, on one 256 x 256 tile (the entropy's tile, row stride 272): the forward
/// (exponentials with row and column sums, exponentials kept), the backward's weights from
/// recomputed exponentials and from kept ones. Each starts by copying its input into the tile (the
/// passes overwrite it; 272 KiB, in L2): subtract <c>CopyOnly</c>, then divide by 65 536 for the
/// time an element. One thread.
/// </summary>
[MemoryDiagnoser]
public class SimilarityTileBenchmarks
{
    private const int Size = 256;
    private const float Kappa = 10f;
    private readonly int _stride = ER.Managed.Terms.SimilarityTiles.Stride(Size);
    private float[] _similarities = [];
    private float[] _tile = [];
    private float[] _kept = [];
    private float[] _rowSum = [], _rowDot = [], _colSum = [], _colDot = [];
    private float[] _h = [];

    [ParamsSource(nameof(Widths))]
    public KernelWidthChoice Width { get; set; }

    public static IEnumerable<KernelWidthChoice> Widths() =>
        KernelIsa.All.ToArray().Where(KernelIsa.IsAccelerated).Select(width => (KernelWidthChoice)width);

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(11);
        _similarities = new float[Size * _stride];
        for (int r = 0; r < Size; r++)
        {
            for (int c = 0; c < Size; c++)
            {
                _similarities[(r * _stride) + c] = (2 * random.NextSingle()) - 1;
            }
        }

        _tile = new float[_similarities.Length];
        _rowSum = new float[Size];
        _rowDot = new float[Size];
        _colSum = new float[_stride];
        _colDot = new float[_stride];
        _h = new float[_stride];
        for (int i = 0; i < Size; i++)
        {
            _h[i] = random.NextSingle() / Size;
        }

        _kept = (float[])_similarities.Clone();
        SimilarityTileKernel.Forward(_kept, new TileShape(Size, Size, _stride), Kappa, Kappa, _rowSum, _rowDot, _colSum, _colDot, columns: false, storeExp: true, KernelIsa.Best);
    }

    [Benchmark]
    public void Forward()
    {
        _similarities.CopyTo(_tile, 0);
        SimilarityTileKernel.Forward(_tile, new TileShape(Size, Size, _stride), Kappa, Kappa, _rowSum, _rowDot, _colSum, _colDot, columns: true, storeExp: true, (KernelWidth)Width);
    }

    [Benchmark]
    public void RecomputedWeights()
    {
        _similarities.CopyTo(_tile, 0);
        SimilarityTileKernel.ExpWeights(_tile, new TileShape(Size, Size, _stride), Kappa, Kappa, _h, _h, (KernelWidth)Width);
    }

    [Benchmark]
    public void KeptWeights()
    {
        _kept.CopyTo(_tile, 0);
        SimilarityTileKernel.Weights(_tile, new TileShape(Size, Size, _stride), _h, _h, (KernelWidth)Width);
    }

    /// <summary>The copy that each pass above starts with (the passes overwrite the tile): subtract it.</summary>
    [Benchmark(Baseline = true)]
    public void CopyOnly() => _similarities.CopyTo(_tile, 0);
}
