using BenchmarkDotNet.Attributes;
using ER.Managed.Kernels;
using ER.Managed.Kernels.VmfNormalizer;

namespace ER.Managed.Benchmarks.Kernels;

/// <summary>
/// The vMF normalizer kernel over 100,000 kappas log-uniform in [1e-3, 1e4] (small, moderate and large kappa alike), all
/// four outputs, per width; and the scalar API loop a user would otherwise write. The scalar width
/// against the loop shows what sharing work between the four outputs gains, the wide widths against
/// the scalar width what the SIMD lanes gain.
/// </summary>
[MemoryDiagnoser]
public class VmfNormalizerBenchmarks
{
    private const int Count = 100_000;
    private double[] _kappa = [];
    private double[] _logI = [];
    private double[] _logC = [];
    private double[] _ratio = [];
    private double[] _entropy = [];

    [Params(3, 128, 1000)]
    public int Dimension { get; set; }

    [Params(KernelWidthChoice.V512, KernelWidthChoice.V256, KernelWidthChoice.V128, KernelWidthChoice.Scalar)]
    public KernelWidthChoice Width { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(17);
        _kappa = new double[Count];
        for (int i = 0; i < Count; i++)
        {
            _kappa[i] = Math.Pow(10.0, -3.0 + (7.0 * random.NextDouble()));
        }

        _logI = new double[Count];
        _logC = new double[Count];
        _ratio = new double[Count];
        _entropy = new double[Count];
    }

    [Benchmark]
    public void AllFourBatch()
    {
        const VmfOutputs All = VmfOutputs.LogBesselI | VmfOutputs.LogNormalizer | VmfOutputs.BesselRatio | VmfOutputs.Entropy;
        VmfNormalizerKernel.Evaluate((KernelWidth)Width, VmfParameters.ForDimension(Dimension, All), _kappa, new VmfDestinations(_logI, _logC, _ratio, _entropy));
    }

    /// <summary>The scalar API loop (independent of <see cref="Width"/>; kept in the same table for the ratio).</summary>
    [Benchmark(Baseline = true)]
    public void AllFourScalarApiLoop()
    {
        double nu = (0.5 * Dimension) - 1.0;
        for (int i = 0; i < Count; i++)
        {
            _logI[i] = VonMisesFisher.LogBesselI(nu, _kappa[i]);
            _logC[i] = VonMisesFisher.LogNormalizer(Dimension, _kappa[i]);
            _ratio[i] = VonMisesFisher.BesselRatio(Dimension, _kappa[i]);
            _entropy[i] = VonMisesFisher.Entropy(Dimension, _kappa[i]);
        }
    }
}
