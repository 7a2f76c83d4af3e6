using ER.Managed.Kernels;
using ER.Managed.Kernels.Gemm;

namespace ER.Managed.Terms;

/// <summary>
/// The sphere entropy backward's products <c>W Z_J</c>, one tile of weights at a time, for every
/// path that forms them: tiles kept from the forward, recomputed tiles, and row shards.
/// </summary>
internal static class GradientProducts
{
    /// <summary>
    /// <c>target (+)= op(W) Z_B</c> (rows x d), Z_B the <paramref name="depth"/> rows of block
    /// <paramref name="block"/>: from Z packed once (<see cref="PackZ"/>) where <paramref name="zBlocks"/>
    /// holds it, else read in place. Both give the same bits.
    /// </summary>
    internal static void Add(ReadOnlySpan<float> w, int stride, bool transposed, ReadOnlySpan<float> z, PackedOperand? zBlocks, int block, int d, Span<float> target, int rows, int depth, bool accumulate, KernelWidth width)
    {
        if (zBlocks is not null)
        {
            GemmKernel.MultiplyPackedSlice(w, stride, transposed, zBlocks, block, target, d, rows, accumulate);
        }
        else
        {
            GemmKernel.Multiply(w, stride, transposed, z.Slice(block * SimilarityTiles.Tile * d, depth * d), d, false, target, d, rows, d, depth, accumulate, width);
        }
    }

    /// <summary>
    /// Z packed once in 256-row slices for the backward's products, kept or recomputed tiles or row shards alike
    /// (the same bits as reading it in place), or null where the width has no micro-kernel or the
    /// copy, d rounded up to the kernel's NR floats a row, would be more than twice Z (d below NR / 2:
    /// at d = 3 and NR = 64 it would be 21 times Z). Read in place, a micro-panel of Z is NR floats
    /// of each of 256 rows d floats apart: at d = 256 those rows are 1 KiB apart and fall into 4 of
    /// L1D's 64 sets. Packed, forward+backward ran 3% faster at 65536 x 128 (recomputed tiles, the
    /// AVX2 path on Zen 5) and, with kept tiles on a Zen 3 (32 KiB L1D; medians of two series of 4
    /// alternating pairs), 11-18% at 1000 x 1000, 18-21% at 4096 x 256 and 4-14% at 2048 x 512, with
    /// 4096 x 64 unchanged.
    /// </summary>
    internal static PackedOperand? PackZ(ReadOnlySpan<float> z, int k, int d, KernelWidth width)
    {
        if (MicroKernels.For(width, d) is not MicroKernelId kernel || 2 * d < MicroKernels.Describe(kernel).Columns)
        {
            return null;
        }

        return GemmKernel.PackRowMajorB(z, k, d, SimilarityTiles.Tile, kernel);
    }
}
