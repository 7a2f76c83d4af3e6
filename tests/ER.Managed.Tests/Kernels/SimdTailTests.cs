using System.Linq;
using ER.Managed.Kernels;
using ER.Managed.Kernels.Drivers;
using ER.Managed.Kernels.VmfNormalizer;
using static ER.Managed.Tests.Kernels.KernelTestSupport;

namespace ER.Managed.Tests.Kernels;

/// <summary>
/// The partial registers at the end of a span (<see cref="SimdTail"/>), every width, float and
/// double, and the probability-row check's min-and-sum kernel (<see cref="MinSumKernel"/>) that
/// uses them, every width. Exact comparisons: a partial load or store moves bits, and a minimum is
/// one of its inputs.
/// </summary>
public class SimdTailTests
{
    [Theory]
    [MemberData(nameof(Widths), MemberType = typeof(KernelTestSupport))]
    public void Partial_loads_and_stores_move_exactly_the_valid_lanes_of_floats(int widthBits)
    {
        var work = new FloatTailWork();
        WidthDispatch.Run((KernelWidth)widthBits, ref work);
    }

    [Theory]
    [MemberData(nameof(Widths), MemberType = typeof(KernelTestSupport))]
    public void Partial_loads_and_stores_move_exactly_the_valid_lanes_of_doubles(int widthBits)
    {
        var work = new DoubleTailWork();
        WidthDispatch.RunDouble((KernelWidth)widthBits, ref work);
    }

    [Theory]
    [MemberData(nameof(Widths), MemberType = typeof(KernelTestSupport))]
    public void Min_and_sum_match_the_exact_minimum_and_a_double_sum(int widthBits)
    {
        var width = (KernelWidth)widthBits;
        Assert.Equal((float.PositiveInfinity, 0.0), MinSumKernel.Run([], width));
        foreach (int n in Enumerable.Range(1, 70).Concat([1023, 1024, 1025, 1040, 2047, 2048, 2049, 5000]))
        {
            float[] x = Uniform(n, n, 0.25f, 1f);
            double want = x.Sum(v => (double)v);
            (float min, double sum) = MinSumKernel.Run(x, width);
            Assert.Equal(x.Min(), min);

            // Float accumulation within chunks of 1024 (two or more chains), chunks in double.
            Assert.True(Math.Abs(sum - want) <= Math.Min(n, 1024) * U * want, $"n={n}: {sum} vs {want}");

            // A negative entry anywhere (the first lane, a lane of the tail, past a chunk) is the minimum.
            foreach (int at in new[] { 0, n / 2, n - 1 }.Distinct())
            {
                float[] y = (float[])x.Clone();
                y[at] = -1e-30f;
                Assert.Equal(-1e-30f, MinSumKernel.Run(y, width).Min);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Widths), MemberType = typeof(KernelTestSupport))]
    public void Min_and_sum_show_a_non_finite_entry_in_the_sum(int widthBits)
    {
        var width = (KernelWidth)widthBits;
        foreach (int n in new[] { 1, 7, 16, 33, 1025 })
        {
            for (int at = 0; at < n; at += Math.Max(1, n / 5))
            {
                float[] x = Uniform(n, n, 0f, 1f);
                x[at] = float.NaN;
                Assert.True(double.IsNaN(MinSumKernel.Run(x, width).Sum), $"NaN at {at} of {n}");
                x[at] = float.PositiveInfinity;
                Assert.Equal(double.PositiveInfinity, MinSumKernel.Run(x, width).Sum);
                x[at] = float.NegativeInfinity;
                (float min, double sum) = MinSumKernel.Run(x, width);
                Assert.Equal(float.NegativeInfinity, min);
                Assert.Equal(double.NegativeInfinity, sum);
            }
        }
    }

    private readonly struct FloatTailWork : IWithWidth
    {
        public void Run<TSimd, TVec>()
            where TSimd : struct, ISimd<TVec>
            where TVec : struct => CheckTail<TSimd, TVec, float>(i => 1f + i, -7f);
    }

    private readonly struct DoubleTailWork : IWithDoubleWidth
    {
        public void Run<TSimd, TVec>()
            where TSimd : struct, ISimdDouble<TVec>
            where TVec : struct => CheckTail<TSimd, TVec, double>(i => 1.0 + i, -7.0);
    }

    /// <summary>
    /// For every length a call takes (below Count; 1 to Count where the last lane is repeated), at an
    /// offset: the loaded register holds the source's lanes then the filler (or the last lane
    /// repeated), and a store writes its lanes and not one element more.
    /// </summary>
    private static void CheckTail<TSimd, TVec, T>(Func<int, T> value, T fill)
        where TSimd : struct, ISimdLanes<TVec, T>
        where TVec : struct
        where T : unmanaged, IEquatable<T>
    {
        int count = TSimd.Count;
        const int Offset = 3;
        T[] source = Enumerable.Range(0, Offset + count + 2).Select(value).ToArray();
        var lanes = new T[count];
        for (int length = 0; length < count; length++)
        {
            TSimd.Store(SimdTail.LoadPartial<TSimd, TVec, T>(ref source[0], Offset, length, fill), ref lanes[0], 0);
            for (int l = 0; l < count; l++)
            {
                Assert.Equal(l < length ? source[Offset + l] : fill, lanes[l]);
            }
        }

        for (int length = 1; length <= count; length++)
        {
            TSimd.Store(SimdTail.LoadPartialRepeatingLast<TSimd, TVec, T>(ref source[0], Offset, length), ref lanes[0], 0);
            for (int l = 0; l < count; l++)
            {
                Assert.Equal(source[Offset + Math.Min(l, length - 1)], lanes[l]);
            }
        }

        TVec register = TSimd.Load(ref source[0], 0);
        for (int length = 0; length < count; length++)
        {
            T[] destination = Enumerable.Repeat(fill, Offset + count + 2).ToArray();
            SimdTail.StorePartial<TSimd, TVec, T>(register, ref destination[0], Offset, length);
            for (int e = 0; e < destination.Length; e++)
            {
                bool written = e >= Offset && e < Offset + length;
                Assert.Equal(written ? source[e - Offset] : fill, destination[e]);
            }
        }
    }
}
