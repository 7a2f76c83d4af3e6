using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ER.Managed.Kernels.Drivers;

/// <summary>
/// An element-wise pass over one tile of similarities (<see cref="TileShape"/>) that
/// <see cref="TileDriver"/> runs: per row <see cref="BeginRow"/>, per register a
/// <see cref="Term"/> from the similarities (zeroed by the driver in the padding and at an excluded
/// self-pair when <see cref="Masks"/>), which <see cref="Take"/> stores or sums, then
/// <see cref="EndRow"/> with the row's two register sums.
/// </summary>
/// <typeparam name="TVec">The register type of the width the pass is built for.</typeparam>
internal interface ITilePass<TVec>
    where TVec : struct
{
    /// <summary>Whether the driver zeroes the terms of padding columns and excluded self-pairs (false when the tile's values are zero there already, as kept exponentials are).</summary>
    static abstract bool Masks { get; }

    /// <summary>Row r starts.</summary>
    void BeginRow(int r);

    /// <summary>The term of the register of similarities <paramref name="s"/> at column offset <paramref name="j"/>.</summary>
    TVec Term(TVec s, nuint j);

    /// <summary>Uses a (masked) term: stores it into the row at <paramref name="j"/>, or adds to the row's sums, or both.</summary>
    void Take(TVec term, TVec s, ref float row, nuint j, ref TVec sum, ref TVec dot);

    /// <summary>Row r is done; <paramref name="sum"/> and <paramref name="dot"/> are what <see cref="Take"/> added up.</summary>
    void EndRow(int r, TVec sum, TVec dot);
}

/// <summary>
/// The 2-D loop of the similarity tile's passes (<see cref="SimilarityTileKernel"/>): rows of
/// <c>shape.Stride</c> floats, each covered by whole registers up to n rounded up to the width. The
/// padding's lanes (from column n on) must hold finite values, zero in practice; their terms are
/// zeroed by lane masks whatever kappa is, since no fill value can do it (at kappa = 1e-30 even
/// -1e30 kappa is only -1). A row's excluded self-pair is zeroed the same way.
/// </summary>
internal static class TileDriver
{
    private static readonly float[] LaneIndices = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Run<TSimd, TVec, TPass>(Span<float> s, in TileShape shape, ref TPass pass)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct
        where TPass : struct, ITilePass<TVec>, allows ref struct
    {
        nuint c = (nuint)TSimd.Count;
        nuint end = (nuint)((shape.Columns + TSimd.Count - 1) / TSimd.Count * TSimd.Count);
        TVec lanes = TSimd.Load(ref MemoryMarshal.GetArrayDataReference(LaneIndices), 0);

        // Registers from `full` on hold padding; keep = n - 1 - full - lane is non-negative on the valid lanes.
        nuint full = (nuint)(shape.Columns / TSimd.Count * TSimd.Count);
        TVec keep = TSimd.Subtract(TSimd.Broadcast(shape.Columns - 1 - (int)full), lanes);
        // A copy the JIT keeps in registers: through the ref, the pass's fields (kappa, the shift,
        // the column arrays) were reloaded after each store to the tile, which might alias them. The
        // forward pass over a 256 x 256 tile measured about 4% faster so with AVX-512 and 7% with
        // AVX2 (Intel Xeon, Emerald Rapids).
        TPass local = pass;
        for (int r = 0; r < shape.Rows; r++)
        {
            ref float row = ref MemoryMarshal.GetReference(s.Slice(r * shape.Stride, shape.Stride));
            int selfColumn = TPass.Masks ? shape.SelfColumn(r) : -1;
            nuint self = selfColumn < 0 ? nuint.MaxValue : (nuint)(selfColumn / TSimd.Count * TSimd.Count);
            local.BeginRow(r);
            TVec sum = TSimd.Zero, dot = TSimd.Zero;
            for (nuint j = 0; j < end; j += c)
            {
                TVec v = TSimd.Load(ref row, j);
                TVec term = local.Term(v, j);
                if (TPass.Masks)
                {
                    if (j >= full)
                    {
                        term = j == full ? TSimd.ZeroWhereBelow(term, keep, TSimd.Zero) : TSimd.Zero;
                    }

                    if (j == self)
                    {
                        // (lane - column)^2 is 0 at the excluded column and at least 1 elsewhere.
                        TVec delta = TSimd.Subtract(lanes, TSimd.Broadcast(selfColumn - (int)j));
                        term = TSimd.ZeroWhereBelow(term, TSimd.Multiply(delta, delta), TSimd.Broadcast(0.5f));
                    }
                }

                local.Take(term, v, ref row, j, ref sum, ref dot);
            }

            local.EndRow(r, sum, dot);
        }

        pass = local;
    }
}
