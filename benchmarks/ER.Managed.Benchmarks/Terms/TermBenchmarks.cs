using BenchmarkDotNet.Attributes;

namespace ER.Managed.Benchmarks.Terms;

/// <summary>The public ER terms, forward, at the shapes of the original's self-check.</summary>
[MemoryDiagnoser]
public class TermBenchmarks
{
    private const int Dimension = 1000;
    private float[] _sphereA = [];
    private float[] _sphereB = [];
    private float[] _discreteA = [];
    private float[] _discreteB = [];
    private ErOptions _options = ErOptions.Default;

    [Params(1000)]
    public int Rows { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _sphereA = BenchmarkData.UnitRows(Rows, Dimension, 1);
        _sphereB = BenchmarkData.UnitRows(Rows, Dimension, 2);
        _discreteA = BenchmarkData.ProbabilityRows(Rows, Dimension, 3);
        _discreteB = BenchmarkData.ProbabilityRows(Rows, Dimension, 4);
        _options = new ErOptions { ValidateInputs = false };
    }

    [Benchmark]
    public double SphereEntropyPlugin() => Entropy.Sphere(_sphereA, Rows, Dimension, options: _options);

    [Benchmark]
    public double DiscreteEntropy() => Entropy.Discrete(_discreteA, Rows, Dimension, options: _options);

    [Benchmark]
    public double SphereReconstruction() => Reconstruction.Sphere(_sphereA, _sphereB, Rows, Dimension, options: _options);

    [Benchmark]
    public double DiscreteReconstruction() => Reconstruction.Discrete(_discreteA, _discreteB, Rows, Dimension, options: _options);
}
