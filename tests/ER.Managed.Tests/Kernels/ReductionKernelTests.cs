using System.Linq;
using ER.Managed.Kernels;
using static ER.Managed.Tests.Kernels.KernelTestSupport;

namespace ER.Managed.Tests.Kernels;

/// <summary>
/// The reduction kernels we keep (sum, sum of exponentials, log-sum-exp, cross log; dot, max and min
/// are TensorPrimitives since docs/tensor-primitives.md) against
/// double-precision scalar references, every length 0..300, every width.
/// </summary>
public class ReductionKernelTests
{
    [Theory]
    [MemberData(nameof(Widths), MemberType = typeof(KernelTestSupport))]
    public void Sum_matches_double_reference_also_past_the_chunk_length(int widthBits)
    {
        var width = (KernelWidth)widthBits;
        foreach (int n in Enumerable.Range(0, MaxLength + 1).Concat([1023, 1024, 1025, 5000]))
        {
            float[] x = Uniform(n, n, 0f, 1f);
            double want = x.Sum(v => (double)v);

            // Each chunk of 1024 is summed in float (bound 1024 u per chunk), chunks in double.
            double got = SumKernel.Run(x, width);
            Assert.True(Math.Abs(got - want) <= (Math.Min(n, 1024) * U * want) + 1e-30, $"n={n}: {got} vs {want}");
        }
    }

    [Theory]
    [MemberData(nameof(Widths), MemberType = typeof(KernelTestSupport))]
    public void Log_sum_exp_matches_double_reference(int widthBits)
    {
        var width = (KernelWidth)widthBits;
        Assert.Equal(double.NegativeInfinity, LogSumExpKernel.Run([], 1f, width));
        foreach (float scale in new[] { 1f, 10f, 100f })
        {
            for (int n = 1; n <= MaxLength; n++)
            {
                float[] x = Uniform(n, n);
                float max = x.Max();
                double shift = (double)scale * max;
                double want = shift + Math.Log(x.Sum(v => Math.Exp((scale * (double)v) - shift)));

                // The shift s*max is rounded to float (u |s max|), each exponential is within a
                // few ulps and the sum within n u: about 4 u (1 + |LSE|) plus u |s max| in all.
                double got = LogSumExpKernel.Run(x, scale, width);
                double tol = (8 * U * (1 + Math.Abs(want))) + (2 * U * Math.Abs(shift));
                Assert.True(Math.Abs(got - want) <= tol, $"scale={scale} n={n}: {got} vs {want}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Widths), MemberType = typeof(KernelTestSupport))]
    public void Log_sum_exp_is_shift_invariant_and_does_not_overflow(int widthBits)
    {
        var width = (KernelWidth)widthBits;
        float[] x = Uniform(257, 3);
        double baseLse = LogSumExpKernel.Run(x, 1f, width);
        foreach (float shift in new[] { -1e4f, -100f, 88f, 500f, 1e4f })
        {
            float[] shifted = x.Select(v => v + shift).ToArray();
            double lse = LogSumExpKernel.Run(shifted, 1f, width);

            // x_i + shift is rounded to float: up to u |shift| per element.
            Assert.True(Math.Abs(lse - (baseLse + shift)) <= (4 * U * (Math.Abs(shift) + 1)) + 1e-6, $"shift={shift}: {lse} vs {baseLse + shift}");
        }
    }

    [Theory]
    [MemberData(nameof(Widths), MemberType = typeof(KernelTestSupport))]
    public void Cross_log_matches_double_reference(int widthBits)
    {
        var width = (KernelWidth)widthBits;
        foreach (int n in Enumerable.Range(0, MaxLength + 1).Concat([1024, 2049]))
        {
            float[] a = Uniform(n, n, 0f, 1f), b = Uniform(n, n + 7, 0f, 1f);
            double want = 0, magnitude = 0;
            for (int i = 0; i < n; i++)
            {
                double t = (a[i] * Math.Log(b[i] + 1e-7f)) + (b[i] * Math.Log(a[i] + 1e-7f));
                want += t;
                magnitude += Math.Abs(a[i] * Math.Log(b[i] + 1e-7f)) + Math.Abs(b[i] * Math.Log(a[i] + 1e-7f));
            }

            // A few ulps per log, then float summation over chunks of 1024.
            double got = CrossLogKernel.Run(a, b, 1e-7f, width);
            Assert.True(Math.Abs(got - want) <= ((Math.Min(n, 1024) + 4) * U * magnitude) + 1e-30, $"n={n}: {got} vs {want}");
        }
    }
}
