using System;
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
        _sphereA = Unit(Rows, 1);
        _sphereB = Unit(Rows, 2);
        _discreteA = Probabilities(Rows, 3);
        _discreteB = Probabilities(Rows, 4);
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

    private static float[] Normal(int count, int seed)
    {
        var random = new Random(seed);
        var x = new float[count];
        for (int i = 0; i < count; i++)
        {
            x[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        }

        return x;
    }

    private static float[] Unit(int rows, int seed)
    {
        float[] x = Normal(rows * Dimension, seed);
        RowOps.L2Normalize(x, rows, Dimension, x);
        return x;
    }

    private static float[] Probabilities(int rows, int seed)
    {
        float[] x = Normal(rows * Dimension, seed);
        RowOps.Softmax(x, rows, Dimension, x);
        return x;
    }
}
