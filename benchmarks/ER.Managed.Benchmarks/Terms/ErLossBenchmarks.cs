using BenchmarkDotNet.Attributes;

namespace ER.Managed.Benchmarks.Terms;

/// <summary>
/// One <see cref="ErLoss"/> step (helper, every pair's reconstruction, every view's entropy with its
/// gradient, the helper's backward) at k = 1024, d = 256, for 2 and 6 views (multi-crop: 2 global).
/// </summary>
[MemoryDiagnoser]
public class ErLossBenchmarks
{
    private const int Rows = 1024, Columns = 256;
    private float[] _views = [];
    private float[] _gradients = [];
    private ErLoss _loss = new(Support.Sphere, Rows, Columns);

    [Params(2, 6)]
    public int Views { get; set; } = 2;

    [Params(EntropyReduction.Expectation, EntropyReduction.LeaveOneOut)]
    public EntropyReduction Estimator { get; set; } = EntropyReduction.Expectation;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(5);
        _views = new float[Views * Rows * Columns];
        for (int i = 0; i < _views.Length; i++)
        {
            _views[i] = random.NextSingle() - 0.5f;
        }

        _gradients = new float[_views.Length];
        _loss = new ErLoss(Support.Sphere, Rows, Columns, Views)
        {
            Reduction = Estimator,
            GlobalViews = Math.Min(2, Views),
            Options = new ErOptions { ValidateInputs = false },
        };
    }

    [Benchmark]
    public ErLossResult Step() => _loss.Compute(_views, _gradients);
}
