using ER.Managed.Kernels;
using ER.Managed.Kernels.Drivers;

namespace ER.Managed.Tests.Kernels;

/// <summary>
/// The tile driver's loops and masks at every width, with a pass whose every term is 1: a row's
/// sum counts the columns that survive the masks (exact in float), the stored terms show which.
/// </summary>
public class TileDriverTests
{
    [Theory]
    [MemberData(nameof(KernelTestSupport.Widths), MemberType = typeof(KernelTestSupport))]
    public void Terms_are_zeroed_in_the_padding_and_at_the_excluded_self_pair_only(int widthBits)
    {
        var width = (KernelWidth)widthBits;
        foreach (int columns in new[] { 1, 15, 16, 17, 37, 48 })
        {
            foreach (int selfOffset in new[] { TileShape.NoSelf, 0, 5, -3 })
            {
                const int Rows = 9;
                int stride = (columns + 15) / 16 * 16;
                var s = new float[Rows * stride];
                var counts = new float[Rows];
                var shape = new TileShape(Rows, columns, stride, selfOffset);
                var work = new CountWork(s, shape, counts, masks: true);
                WidthDispatch.Run(width, ref work);
                for (int r = 0; r < Rows; r++)
                {
                    int self = shape.SelfColumn(r);
                    Assert.Equal(columns - (self >= 0 ? 1 : 0), counts[r]);
                    for (int j = 0; j < columns; j++)
                    {
                        Assert.Equal(j == self ? 0f : 1f, s[(r * stride) + j]);
                    }

                    for (int j = columns; j < stride; j++)
                    {
                        Assert.Equal(0f, s[(r * stride) + j]); // a masked term stored as 0, or never touched
                    }
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(KernelTestSupport.Widths), MemberType = typeof(KernelTestSupport))]
    public void A_pass_that_does_not_mask_sees_every_column_up_to_the_register_boundary(int widthBits)
    {
        var width = (KernelWidth)widthBits;
        const int Rows = 3, Columns = 17, Stride = 32;
        var s = new float[Rows * Stride];
        var counts = new float[Rows];
        var work = new CountWork(s, new TileShape(Rows, Columns, Stride, 0), counts, masks: false);
        WidthDispatch.Run(width, ref work);
        int lanes = width switch { KernelWidth.V512 => 16, KernelWidth.V256 => 8, KernelWidth.V128 => 4, _ => 1 };
        int covered = (Columns + lanes - 1) / lanes * lanes;
        Assert.All(counts, c => Assert.Equal(covered, c));
    }

    private readonly ref struct CountWork(Span<float> s, TileShape shape, Span<float> counts, bool masks) : IWithWidth
    {
        private readonly Span<float> _s = s, _counts = counts;

        public void Run<TSimd, TVec>()
            where TSimd : struct, ISimd<TVec>
            where TVec : struct
        {
            if (masks)
            {
                var pass = new OnesPass<TSimd, TVec, Masked>(_counts);
                TileDriver.Run<TSimd, TVec, OnesPass<TSimd, TVec, Masked>>(_s, shape, ref pass);
            }
            else
            {
                var pass = new OnesPass<TSimd, TVec, Unmasked>(_counts);
                TileDriver.Run<TSimd, TVec, OnesPass<TSimd, TVec, Unmasked>>(_s, shape, ref pass);
            }
        }
    }

    private interface IMaskChoice
    {
        static abstract bool Masks { get; }
    }

    private readonly struct Masked : IMaskChoice
    {
        public static bool Masks => true;
    }

    private readonly struct Unmasked : IMaskChoice
    {
        public static bool Masks => false;
    }

    /// <summary>Every term 1; stored, and summed per row.</summary>
    private readonly ref struct OnesPass<TSimd, TVec, TMask>(Span<float> counts) : ITilePass<TVec>
        where TSimd : struct, ISimd<TVec>
        where TVec : struct
        where TMask : struct, IMaskChoice
    {
        private readonly Span<float> _counts = counts;

        public static bool Masks => TMask.Masks;

        public void BeginRow(int r)
        {
        }

        public TVec Term(TVec s, nuint j) => TSimd.Broadcast(1f);

        public void Take(TVec term, TVec s, ref float row, nuint j, ref TVec sum, ref TVec dot)
        {
            TSimd.Store(term, ref row, j);
            sum = TSimd.Add(sum, term);
        }

        public void EndRow(int r, TVec sum, TVec dot) => _counts[r] = TSimd.Sum(sum);
    }
}
