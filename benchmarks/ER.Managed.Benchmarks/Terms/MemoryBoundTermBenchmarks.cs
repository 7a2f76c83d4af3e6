using BenchmarkDotNet.Attributes;

namespace ER.Managed.Benchmarks.Terms;

/// <summary>
/// The memory-bound terms at the shapes of the PyTorch comparison, forward+backward: discrete entropy and
/// reconstruction at 512 x 65536 (134 MB an input), sphere reconstruction at 4096 x 256.
/// </summary>
[MemoryDiagnoser]
public class MemoryBoundTermBenchmarks
{
    private float[] _p1 = [];
    private float[] _p2 = [];
    private float[] _g1 = [];
    private float[] _g2 = [];
    private float[] _s1 = [];
    private float[] _s2 = [];
    private float[] _sg1 = [];
    private float[] _sg2 = [];
    private ErOptions _options = ErOptions.Default;

    [GlobalSetup]
    public void Setup()
    {
        _p1 = BenchmarkData.ProbabilityRows(512, 65536, 1);
        _p2 = BenchmarkData.ProbabilityRows(512, 65536, 2);
        _g1 = new float[_p1.Length];
        _g2 = new float[_p1.Length];
        _s1 = BenchmarkData.UnitRows(4096, 256, 3);
        _s2 = BenchmarkData.UnitRows(4096, 256, 4);
        _sg1 = new float[_s1.Length];
        _sg2 = new float[_s1.Length];
        _options = new ErOptions { ValidateInputs = false };
    }

    [Benchmark]
    public double DiscreteEntropy512x65536() => Entropy.DiscreteWithGradient(_p1, 512, 65536, _g1, options: _options);

    [Benchmark]
    public double DiscreteReconstruction512x65536() => Reconstruction.DiscreteWithGradient(_p1, _p2, 512, 65536, _g1, _g2, _options);

    [Benchmark]
    public SphereTermResult SphereReconstruction4096x256() => Reconstruction.SphereWithGradient(_s1, _s2, 4096, 256, _sg1, _sg2, options: _options);
}
