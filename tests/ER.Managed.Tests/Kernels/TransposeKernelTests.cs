using ER.Managed.Kernels;
using ER.Managed.Kernels.Drivers;

namespace ER.Managed.Tests.Kernels;

/// <summary>
/// Each transpose variant this CPU runs against the definition <c>dst[c, r] = src[r, c]</c>: every
/// shape up to 19 x 19 (whole 8 x 8 and 4 x 4 squares, the 4 x 4 squares right of the 8 x 8 ones,
/// a pair of rows left over, element-wise edges on either side, empty blocks) with strides wider
/// than the block. A transpose only moves floats, so results are compared exactly.
/// </summary>
public class TransposeKernelTests
{
    public static TheoryData<string> Variants()
    {
        var data = new TheoryData<string>();
        foreach (TransposeVariant variant in Enum.GetValues<TransposeVariant>())
        {
            if (TransposeDispatch.IsSupported(variant))
            {
                data.Add(variant.ToString());
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Every_shape_moves_each_float_to_its_mirrored_place_and_nothing_else(string name)
    {
        TransposeVariant variant = Enum.Parse<TransposeVariant>(name);
        const int Largest = 19, SrcStride = 23, DstStride = 21, Sentinel = -7;
        float[] src = new float[Largest * SrcStride];
        for (int i = 0; i < src.Length; i++)
        {
            src[i] = i + 0.5f;
        }

        for (int rows = 0; rows <= Largest; rows++)
        {
            for (int columns = 0; columns <= Largest; columns++)
            {
                float[] dst = new float[Largest * DstStride];
                Array.Fill(dst, Sentinel);
                TransposeDispatch.Transpose(variant, ref src[0], SrcStride, ref dst[0], DstStride, rows, columns);
                for (int c = 0; c < Largest; c++)
                {
                    for (int r = 0; r < DstStride; r++)
                    {
                        float expected = c < columns && r < rows ? src[(r * SrcStride) + c] : Sentinel;
                        Assert.True(expected == dst[(c * DstStride) + r], $"{variant} {rows}x{columns}: dst[{c},{r}] = {dst[(c * DstStride) + r]}, expected {expected}");
                    }
                }
            }
        }
    }

    [Fact]
    public void The_best_variant_runs_here_and_an_unsupported_one_throws()
    {
        Assert.True(TransposeDispatch.IsSupported(TransposeDispatch.Best));
        Assert.True(TransposeDispatch.IsSupported(TransposeVariant.Scalar));
        foreach (TransposeVariant variant in Enum.GetValues<TransposeVariant>())
        {
            if (!TransposeDispatch.IsSupported(variant))
            {
                // A 4 x 4 block reaches the variant's intrinsics; a 3 x 3 one only its scalar edges,
                // which would run anywhere: the variant is refused before either.
                float[] buffer = new float[16], target = new float[16];
                Assert.Throws<PlatformNotSupportedException>(() => TransposeDispatch.Transpose(variant, ref buffer[0], 4, ref target[0], 4, 4, 4));
                Assert.Throws<PlatformNotSupportedException>(() => TransposeDispatch.Transpose(variant, ref buffer[0], 4, ref target[0], 4, 3, 3));
            }
        }
    }

    [Fact]
    public void The_best_variant_follows_the_instruction_sets()
    {
        TransposeVariant expected = System.Runtime.Intrinsics.X86.Avx.IsSupported ? TransposeVariant.Avx
            : System.Runtime.Intrinsics.X86.Sse.IsSupported ? TransposeVariant.Sse
            : System.Runtime.Intrinsics.Arm.AdvSimd.Arm64.IsSupported ? TransposeVariant.AdvSimd
            : TransposeVariant.Scalar;
        Assert.Equal(expected, TransposeDispatch.Best);
    }
}
