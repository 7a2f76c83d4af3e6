using BenchmarkDotNet.Attributes;

namespace ER.Managed.Benchmarks.Terms;

/// <summary>The fused sphere entropy, forward and forward+backward, plug-in and Joe's leave-one-out, at the README's shapes.</summary>
[MemoryDiagnoser]
public class SphereEntropyBenchmarks
{
    private float[] _z = [];
    private float[] _gradient = [];
    private ErOptions _options = ErOptions.Default;

    [Params("1000x1000", "4096x256", "16384x128")]
    public string Shape { get; set; } = "1000x1000";

    [Params(EntropyReduction.Expectation, EntropyReduction.LeaveOneOut)]
    public EntropyReduction Estimator { get; set; } = EntropyReduction.Expectation;

    private int Rows => int.Parse(Shape.Split('x')[0], System.Globalization.CultureInfo.InvariantCulture);

    private int Columns => int.Parse(Shape.Split('x')[1], System.Globalization.CultureInfo.InvariantCulture);

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(4);
        _z = new float[Rows * Columns];
        for (int i = 0; i < _z.Length; i++)
        {
            _z[i] = random.NextSingle() - 0.5f;
        }

        RowOps.L2Normalize(_z, Rows, Columns, _z);
        _gradient = new float[_z.Length];
        _options = new ErOptions { ValidateInputs = false };
    }

    [Benchmark]
    public double Forward() => Entropy.Sphere(_z, Rows, Columns, reduction: Estimator, options: _options);

    [Benchmark]
    public SphereTermResult ForwardBackward() => Entropy.SphereWithGradient(_z, Rows, Columns, _gradient, reduction: Estimator, options: _options);
}
