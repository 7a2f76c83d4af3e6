using System.Linq;
using ER.Managed.Kernels;
using ER.Managed.Kernels.Drivers;
using ER.Managed.Kernels.VmfNormalizer;
using static ER.Managed.Tests.Kernels.KernelTestSupport;

namespace ER.Managed.Tests.Kernels;

/// <summary>
/// The partial registers at the end of a span (<see cref="SimdTail"/>), every width, float and
/// double, and the probability-row check (<see cref="ProbabilityRowsKernel"/>) that uses them,
/// every width. Exact comparisons: a partial load or store moves bits, a sign test has one answer.
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
    public void A_row_s_sign_and_sum_match_a_scalar_reference(int widthBits)
    {
        var width = (KernelWidth)widthBits;
        foreach (int n in Enumerable.Range(1, 70).Concat([1023, 1024, 1025, 1040, 2047, 2048, 2049, 5000]))
        {
            float[] x = Uniform(n, n, 0f, 1f);
            x[n / 3] = -0f;
            double want = x.Sum(v => (double)v);
            (bool negative, double sum) = RowOf(x, width);
            Assert.False(negative, $"n={n}: -0 and positive entries are not negative");

            // Float accumulation within chunks of 1024 (two or more chains), chunks in double.
            Assert.True(Math.Abs(sum - want) <= Math.Min(n, 1024) * U * want, $"n={n}: {sum} vs {want}");

            // A negative entry anywhere (the first lane, a lane of the tail, past a chunk) is seen.
            foreach (int at in new[] { 0, n / 2, n - 1 }.Distinct())
            {
                float[] y = (float[])x.Clone();
                y[at] = -1e-30f;
                Assert.True(RowOf(y, width).Negative, $"n={n}: negative at {at}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Widths), MemberType = typeof(KernelTestSupport))]
    public void The_first_bad_probability_row_is_found_in_any_row_length(int widthBits)
    {
        var width = (KernelWidth)widthBits;
        const double Tolerance = 1e-3;
        foreach (int d in new[] { 1, 3, 16, 17, 33, 100, 1025 })
        {
            const int Rows = 9;
            float[] w = TestData.ProbabilityRows(Rows, d, seed: d);
            Assert.Equal(-1, ProbabilityRowsKernel.FirstBadRow(w, d, Tolerance, width));
            foreach (int row in new[] { 0, 4, Rows - 1 })
            {
                int at = (row * d) + ((row + 1) * 7 % d);
                foreach (float bad in new[] { -1e-30f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, w[at] + 0.01f })
                {
                    float[] v = (float[])w.Clone();
                    v[at] = bad;
                    Assert.Equal(row, ProbabilityRowsKernel.FirstBadRow(v, d, Tolerance, width));

                    // A later bad row does not hide this one, and -0 is not bad.
                    v[^1] = -1f;
                    Assert.Equal(row, ProbabilityRowsKernel.FirstBadRow(v, d, Tolerance, width));
                }
            }

            float[] signedZero = (float[])w.Clone();
            signedZero[d / 2] = -0f;
            signedZero[0] += w[d / 2];
            Assert.Equal(-1, ProbabilityRowsKernel.FirstBadRow(signedZero, d, Tolerance, width));
        }
    }

    private static (bool Negative, double Sum) RowOf(float[] x, KernelWidth width)
    {
        var work = new RowWork(x);
        WidthDispatch.Run(width, ref work);
        return work.Result;
    }

    private ref struct RowWork(float[] x) : IWithWidth
    {
        internal (bool Negative, double Sum) Result { get; private set; }

        public void Run<TSimd, TVec>()
            where TSimd : struct, ISimd<TVec>
            where TVec : struct => Result = ProbabilityRowsKernel.Row<TSimd, TVec>(x);
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
