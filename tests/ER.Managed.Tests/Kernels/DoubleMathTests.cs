using System.Runtime.Intrinsics;
using ER.Managed.Kernels;
using ER.Managed.Kernels.VmfNormalizer;

namespace ER.Managed.Tests.Kernels;

/// <summary>
/// The vMF kernel's own logarithm (<see cref="DoubleMath{TSimd, TVec}.Log"/>): within 1 ulp of
/// <see cref="Math.Log(double)"/> (fdlibm's bound; Math.Log is itself within about half an ulp, so
/// the two may differ by one), the same bits in every width, subnormals included.
/// </summary>
public class DoubleMathTests
{
    [Theory]
    [MemberData(nameof(KernelTestSupport.Widths), MemberType = typeof(KernelTestSupport))]
    public void Log_is_within_one_ulp_of_Math_Log_and_identical_across_widths(int width)
    {
        var random = new Random(width);
        double[] x = new double[4096];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (i % 4) switch
            {
                0 => BitConverter.Int64BitsToDouble(random.NextInt64(1, 0x7FEFFFFFFFFFFFFF)), // any positive double
                1 => double.Epsilon * (1 + random.Next(1 << 30)),                               // subnormals
                2 => 1.0 + ((random.NextDouble() - 0.5) * 1e-6),                                // near 1, where log is small
                _ => Math.Sqrt(0.5) * (1.0 + ((random.NextDouble() - 0.5) * 1e-12)),            // the reduction's edge
            };
        }

        x[0] = double.Epsilon;
        x[1] = double.MaxValue;
        x[2] = 1.0;
        x[3] = 2.2250738585072014e-308;

        double[] got = Log((KernelWidth)width, x);
        double[] scalar = Log(KernelWidth.Scalar, x);
        for (int i = 0; i < x.Length; i++)
        {
            double want = Math.Log(x[i]);
            long ulps = Math.Abs(BitConverter.DoubleToInt64Bits(got[i]) - BitConverter.DoubleToInt64Bits(want));
            Assert.True(ulps <= 1 || (want == 0 && got[i] == 0), $"log({x[i]:R}) = {got[i]:R}, Math.Log {want:R}: {ulps} ulp");
            Assert.Equal(BitConverter.DoubleToInt64Bits(scalar[i]), BitConverter.DoubleToInt64Bits(got[i]));
        }
    }

    private static double[] Log(KernelWidth width, double[] x)
    {
        var result = new double[x.Length];
        switch (width)
        {
            case KernelWidth.V512:
                Apply<SimdDouble512, Vector512<double>>(x, result);
                break;
            case KernelWidth.V256:
                Apply<SimdDouble256, Vector256<double>>(x, result);
                break;
            case KernelWidth.V128:
                Apply<SimdDouble128, Vector128<double>>(x, result);
                break;
            default:
                Apply<SimdDoubleScalar, double>(x, result);
                break;
        }

        return result;
    }

    private static void Apply<TSimd, TVec>(double[] x, double[] result)
        where TSimd : struct, ISimdDouble<TVec>
        where TVec : struct
    {
        for (int i = 0; i + TSimd.Count <= x.Length; i += TSimd.Count)
        {
            TSimd.Store(DoubleMath<TSimd, TVec>.Log(TSimd.Load(ref x[0], (nuint)i)), ref result[0], (nuint)i);
        }
    }
}
