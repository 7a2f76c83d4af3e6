using BenchmarkDotNet.Attributes;
using ER.Managed.Kernels;

namespace ER.Managed.Benchmarks.Kernels;

/// <summary>The reduction kernels (and the cross term with its gradients) at each SIMD width (emulated widths are slow by design: compare accelerated ones).</summary>
public class ReductionKernelBenchmarks : KernelBenchmarkBase
{
    [Benchmark]
    public double LogSumExp() => LogSumExpKernel.Run(X, 10f, (KernelWidth)Width);

    [Benchmark]
    public double Sum() => SumKernel.Run(X, (KernelWidth)Width);

    [Benchmark]
    public double CrossLog() => CrossLogKernel.Run(X, Y, 1e-7f, (KernelWidth)Width);

    /// <summary>The cross term with both gradients: two logarithms, two divisions and two stores an element.</summary>
    [Benchmark]
    public double CrossLogWithGradient()
    {
        if (_gradX.Length != Length)
        {
            _gradX = new float[Length];
            _gradY = new float[Length];
        }

        return CrossLogGradientKernel.Run(X, Y, _gradX, _gradY, 1e-7f, 0.5f, (KernelWidth)Width);
    }

    /// <summary>The probability-row check over rows of 16 floats (a softmax over 16 classes), all of them valid.</summary>
    [Benchmark]
    public int ProbabilityRows16()
    {
        const int Columns = 16;
        if (_rows16.Length != Length / Columns * Columns)
        {
            _rows16 = X[..(Length / Columns * Columns)];
            for (int r = 0; r < _rows16.Length; r += Columns)
            {
                Span<float> row = _rows16.AsSpan(r, Columns);
                float sum = 0f;
                foreach (float v in row)
                {
                    sum += v;
                }

                for (int c = 0; c < Columns; c++)
                {
                    row[c] /= sum;
                }
            }
        }

        return ProbabilityRowsKernel.FirstBadRow(_rows16, Columns, 1e-3, (KernelWidth)Width);
    }

    private float[] _gradX = [], _gradY = [], _rows16 = [];
}

/// <summary>Public mirror of the internal width enum, for BenchmarkDotNet's parameters.</summary>
public enum KernelWidthChoice
{
    Scalar = 1,
    V128 = 128,
    V256 = 256,
    V512 = 512,
}
