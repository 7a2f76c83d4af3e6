using System.Collections.Generic;
using BenchmarkDotNet.Attributes;
using ER.Managed.Kernels.Drivers;

namespace ER.Managed.Benchmarks.Kernels;

/// <summary>The transpose variants (<c>TransposeVariant</c>), public for BenchmarkDotNet's parameters.</summary>
public enum TransposeChoice
{
    /// <summary>Element by element.</summary>
    Scalar = TransposeVariant.Scalar,

    /// <summary>4 x 4 squares in SSE shuffles.</summary>
    Sse = TransposeVariant.Sse,

    /// <summary>8 x 8 squares in AVX in-lane shuffles.</summary>
    Avx = TransposeVariant.Avx,

    /// <summary>4 x 4 squares in AdvSimd zips (ARM64 only).</summary>
    AdvSimd = TransposeVariant.AdvSimd,
}

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

    [ParamsSource(nameof(Variants))]
    public TransposeChoice Variant { get; set; }

    public static IEnumerable<TransposeChoice> Variants()
    {
        var runnable = new List<TransposeChoice>();
        foreach (TransposeVariant variant in Enum.GetValues<TransposeVariant>())
        {
            if (TransposeDispatch.IsSupported(variant))
            {
                runnable.Add((TransposeChoice)variant);
            }
        }

        return runnable;
    }

    [GlobalSetup]
    public void Setup()
    {
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
        TransposeDispatch.Transpose((TransposeVariant)Variant, ref _source[0], Size, ref _target[0], Size, Size, Size);
}
