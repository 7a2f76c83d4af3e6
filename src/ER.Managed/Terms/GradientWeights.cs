using System.Buffers;
using ER.Managed.Kernels;

namespace ER.Managed.Terms;

/// <summary>
/// The backward's per-row weights, built from the rows' LSEs the same way in a single process and
/// in row shards: <c>h_i = g_i exp(M - LSE_i)</c> for a row under the common shift M, and for a row
/// whose terms would underflow there (<c>M - LSE_i</c> above <c>-log</c> <see cref="OwnShiftRows.UnderflowLimit"/>,
/// the forward's rule read from its result) <c>b_i = g_i</c>, <c>o_i = LSE_i - M</c> and its own refine cut
/// (see <see cref="SimilarityTileKernel.MixedWeights"/>). A tile is weighted by
/// <see cref="SimilarityTileKernel.MixedWeights"/> when its rows or its columns hold such a row, else by
/// <see cref="SimilarityTileKernel.ExpWeights"/>; with every b zero the two give the same bits (the
/// b terms add an exact zero), so a row's weights never depend on which rows share its tiles.
/// </summary>
internal sealed class GradientWeights : IDisposable
{
    private readonly int _rows;
    private readonly float[] _h, _b, _o;
    private readonly float[]? _cuts;
    private readonly int[]? _ownBefore;

    /// <summary>
    /// Weights for k rows from their weights g and states: row i's LSE is <c>states[i * stateStride]</c>.
    /// Arrays are padded to whole tiles plus a register so the kernels may read a tile's columns rounded up.
    /// </summary>
    internal GradientWeights(int k, ReadOnlySpan<double> g, ReadOnlySpan<double> states, int stateStride, float kappa, float shift)
    {
        _rows = k;
        Shift = shift;
        UniformCut = (shift - SimilarityTiles.RefineRange) / kappa;
        int padded = (SimilarityTiles.Blocks(k) * SimilarityTiles.Tile) + SimilarityTiles.Alignment;
        _h = ArrayPool<float>.Shared.Rent(padded);
        _b = ArrayPool<float>.Shared.Rent(padded);
        _o = ArrayPool<float>.Shared.Rent(padded);
        _h.AsSpan(0, padded).Clear();
        _b.AsSpan(0, padded).Clear();
        _o.AsSpan(0, padded).Clear();
        int own = 0;
        double limit = -Math.Log(OwnShiftRows.UnderflowLimit);
        for (int i = 0; i < k; i++)
        {
            double lse = states[i * stateStride];
            _o[i] = (float)(lse - shift);
            if (shift - lse <= limit)
            {
                _h[i] = (float)(g[i] * Math.Exp(shift - lse));
            }
            else
            {
                _b[i] = (float)g[i];
                own++;
            }
        }

        if (own > 0)
        {
            _cuts = ArrayPool<float>.Shared.Rent(k);
            _ownBefore = ArrayPool<int>.Shared.Rent(k + 1);
            _ownBefore[0] = 0;
            for (int i = 0; i < k; i++)
            {
                bool isOwn = shift - states[i * stateStride] > limit;
                _cuts[i] = isOwn ? OwnShiftRows.RefineCut(states[i * stateStride], kappa) : UniformCut;
                _ownBefore[i + 1] = _ownBefore[i] + (isOwn ? 1 : 0);
            }
        }
    }

    /// <summary>The common shift M.</summary>
    internal float Shift { get; }

    /// <summary>The refine cut of rows under the common shift.</summary>
    internal float UniformCut { get; }

    /// <summary>Whether any row has its own shift.</summary>
    internal bool HasOwnShiftRows => _ownBefore is not null;

    /// <summary>h, padded (zero beyond k and at rows with their own shift).</summary>
    internal float[] H => _h;

    /// <summary>
    /// Tile (rows, columns [j0, j0 + shape.Columns)) of W: its similarities computed and refined in
    /// <paramref name="w"/>, then turned into <c>w_ij = e_ij (h_i + h_j)</c> plus the own-shift terms.
    /// </summary>
    internal void Weigh(ReadOnlySpan<float> z, int d, SimilarityWalker walker, SimilarityWalker.RowBlock rows, int j0, Span<float> w, in TileShape shape, float kappa, KernelWidth width)
    {
        int i0 = rows.First, m = shape.Rows, n = shape.Columns;
        int columns = SimilarityTiles.RoundUp(n, SimilarityTiles.Alignment);
        SimilarityTiles.Compute(z, d, walker, rows, j0, w, shape, kappa, UniformCut, _cuts is null ? default : _cuts.AsSpan(0, _rows));
        if (HoldsOwnShiftRow(i0, m) || HoldsOwnShiftRow(j0, n))
        {
            var rowWeights = new TileWeights(_h.AsSpan(i0, m), _b.AsSpan(i0, m), _o.AsSpan(i0, m));
            var columnWeights = new TileWeights(_h.AsSpan(j0, columns), _b.AsSpan(j0, columns), _o.AsSpan(j0, columns));
            SimilarityTileKernel.MixedWeights(w, shape, kappa, Shift, rowWeights, columnWeights, width);
        }
        else
        {
            SimilarityTileKernel.ExpWeights(w, shape, kappa, Shift, _h.AsSpan(i0, m), _h.AsSpan(j0, columns), width);
        }
    }

    public void Dispose()
    {
        ArrayPool<float>.Shared.Return(_h);
        ArrayPool<float>.Shared.Return(_b);
        ArrayPool<float>.Shared.Return(_o);
        PooledArrays.ReturnIfRented(_cuts);
        PooledArrays.ReturnIfRented(_ownBefore);
    }

    private bool HoldsOwnShiftRow(int first, int count) =>
        _ownBefore is not null && _ownBefore[first + count] > _ownBefore[first];
}
