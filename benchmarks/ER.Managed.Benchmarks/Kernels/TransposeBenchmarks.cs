using System.Collections.Generic;
using System.Linq;
using BenchmarkDotNet.Attributes;
using ER.Managed.Kernels.Drivers;

namespace ER.Managed.Benchmarks.Kernels;

/// <summary>
/// Each transpose variant this CPU runs on a 512 x 512 block (1 MiB read and written, in L2 on
/// most server cores): what the packing of <c>Z^T</c> and the Gram's mirror are built on. One thread.
/// </summary>
[MemoryDiagnoser]
public class TransposeBenchmarks
{
    private const int Size = 512;
    private float[] _source = [];
    private float[] _target = [];
    private TransposeVariant _variant;

    /// <summary>A <c>TransposeVariant</c> by name (the enum is internal): those this CPU runs.</summary>
    [ParamsSource(nameof(Variants))]
    public string Variant { get; set; } = "";

    public static IEnumerable<string> Variants() =>
        Enum.GetValues<TransposeVariant>().Where(TransposeDispatch.IsSupported).Select(variant => variant.ToString());

    [GlobalSetup]
    public void Setup()
    {
        _variant = Enum.Parse<TransposeVariant>(Variant);
        var random = new Random(9);
        _source = new float[Size * Size];
        _target = new float[Size * Size];
        for (int i = 0; i < _source.Length; i++)
        {
            _source[i] = random.NextSingle();
        }
    }

    [Benchmark]
    public void Block() =>
        TransposeDispatch.Transpose(_variant, ref _source[0], Size, ref _target[0], Size, Size, Size);
}
