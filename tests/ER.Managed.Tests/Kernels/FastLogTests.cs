using System.Collections.Generic;
using System.Linq;
using ER.Managed.Kernels;
using ER.Managed.Kernels.Drivers;
using static ER.Managed.Tests.Kernels.KernelTestSupport;

namespace ER.Managed.Tests.Kernels;

/// <summary>
/// The vectorized float logarithm of the discrete terms (<see cref="FastLog"/>), every width: its
/// accuracy claim against Math.Log in double, and the two-register form giving the one-register
/// form's bits.
/// </summary>
public class FastLogTests
{
    /// <summary>
    /// Positive normal floats: every power of two with mantissas across [1, 2) (the reduction's
    /// sqrt(1/2) boundary among them), the neighbours of 1 where log x is tiny, and the discrete
    /// terms' own inputs p + 1e-7.
    /// </summary>
    private static float[] Inputs()
    {
        var x = new List<float>();
        float[] mantissas = [1f, 1.0000001f, 1.1f, 1.25f, 1.4142134f, 1.4142135f, 1.4142137f, 1.5f, 1.75f, 1.9999999f];
        for (int e = -126; e <= 127; e++)
        {
            x.AddRange(mantissas.Select(m => (float)Math.ScaleB(m, e)).Where(float.IsFinite));
        }

        float below = 1f, above = 1f;
        for (int i = 0; i < 64; i++)
        {
            below = MathF.BitDecrement(below);
            above = MathF.BitIncrement(above);
            x.Add(below);
            x.Add(above);
        }

        x.AddRange(Uniform(997, 5, 0f, 1f).Select(p => p + 1e-7f));
        x.Add(float.MaxValue);
        x.Add(1.17549435e-38f);
        return x.ToArray();
    }

    [Theory]
    [MemberData(nameof(Widths), MemberType = typeof(KernelTestSupport))]
    public void Logarithm_is_within_two_ulps_of_the_exact_one_and_the_pair_form_gives_the_same_bits(int widthBits)
    {
        float[] x = Inputs();
        var single = new float[x.Length];
        var pairFirst = new float[x.Length];
        var pairSecond = new float[x.Length];
        var work = new LogWork(x, single, pairFirst, pairSecond);
        WidthDispatch.Run((KernelWidth)widthBits, ref work);
        for (int i = 0; i < x.Length; i++)
        {
            // The claim of FastLog's documentation: 2 ulps of the float result (an ulp of the
            // smallest normal float where log x is 0, at x = 1).
            double want = Math.Log(x[i]);
            double ulp = Math.Max(MathF.BitIncrement(MathF.Abs((float)want)) - MathF.Abs((float)want), float.Epsilon);
            Assert.True(Math.Abs(single[i] - want) <= 2 * ulp, $"log {x[i]:R} = {single[i]:R}, want {want:R}");

            // The pair form runs the same operations lane for lane; the second register holds the inputs reversed.
            Assert.Equal(BitConverter.SingleToInt32Bits(single[i]), BitConverter.SingleToInt32Bits(pairFirst[i]));
            Assert.Equal(BitConverter.SingleToInt32Bits(single[x.Length - 1 - i]), BitConverter.SingleToInt32Bits(pairSecond[i]));
        }
    }

    private readonly ref struct LogWork(float[] x, float[] single, float[] pairFirst, float[] pairSecond) : IWithWidth
    {
        private readonly float[] _x = x, _single = single, _pairFirst = pairFirst, _pairSecond = pairSecond;

        public void Run<TSimd, TVec>()
            where TSimd : struct, ISimd<TVec>
            where TVec : struct
        {
            int count = TSimd.Count;
            float[] reversed = _x.Reverse().ToArray();
            var lanes = new float[count];
            var other = new float[count];
            for (int i = 0; i < _x.Length; i++)
            {
                // Each input in every lane, so a lane-dependent error would show.
                TVec v = TSimd.Broadcast(_x[i]);
                TSimd.Store(FastLog.Run<TSimd, TVec>(v), ref lanes[0], 0);
                Assert.All(lanes, l => Assert.Equal(lanes[0], l));
                _single[i] = lanes[(i * 5) % count];

                FastLog.RunPair<TSimd, TVec>(v, TSimd.Broadcast(reversed[i]), out TVec first, out TVec second);
                TSimd.Store(first, ref lanes[0], 0);
                TSimd.Store(second, ref other[0], 0);
                _pairFirst[i] = lanes[(i * 3) % count];
                _pairSecond[i] = other[(i * 7) % count];
            }
        }
    }
}
