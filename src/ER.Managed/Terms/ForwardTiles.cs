using System.Buffers;
using ER.Managed.Kernels;

namespace ER.Managed.Terms;

/// <summary>
/// The forward's work on one tile of <c>E = exp(kappa Z Z^T - M)</c>, shared by the single-process
/// forward (each tile on and above the diagonal, for both of its block rows) and the row shards
/// (every tile of their own rows): the tile's similarities, refined, then its per-row sums of E and
/// E s added in double to the rows' states, and its per-column sums to the columns' when asked.
/// </summary>
/// <remarks>
/// Within a tile the sums are float (at most <see cref="SimilarityTiles.Tile"/> terms), across tiles
/// double. A row's sums depend only on its similarities and the order its tiles come in, which each
/// caller fixes independently of threads.
/// </remarks>
internal static class ForwardTiles
{
    /// <summary>
    /// Adds tile (rows, columns [j0, j0 + shape.Columns)) of E to <paramref name="rowSums"/>, <paramref name="rowDots"/>
    /// (indexed from the tile's first row) and, when <paramref name="columnSums"/> is not empty, to
    /// <paramref name="columnSums"/>, <paramref name="columnDots"/> (indexed from its first column).
    /// <paramref name="s"/> holds the tile (m x stride), and E when <paramref name="storeExp"/>. Empty
    /// dot spans: the sums of E s are not wanted and not formed.
    /// </summary>
    internal static void Add(
        ReadOnlySpan<float> z, int d, SimilarityWalker walker, SimilarityWalker.RowBlock rows, int j0, Span<float> s, in TileShape shape,
        float kappa, float shift, bool storeExp, Span<double> rowSums, Span<double> rowDots, Span<double> columnSums, Span<double> columnDots, KernelWidth width)
    {
        bool columns = !columnSums.IsEmpty;
        float[] partials = ArrayPool<float>.Shared.Rent(PartialLength);
        try
        {
            TileSums(z, d, walker, rows, j0, s, shape, kappa, shift, storeExp, columns, dots: !rowDots.IsEmpty, partials.AsSpan(0, PartialLength), width);
            Accumulate(rowSums, rowDots, partials, 0, shape.Rows);
            if (columns)
            {
                Accumulate(columnSums, columnDots, partials, 2 * SimilarityTiles.Tile, shape.Columns);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(partials);
        }
    }

    /// <summary>Floats of one tile's partial sums: row sums of E and E s, then column sums of E and E s, <see cref="SimilarityTiles.Tile"/> each.</summary>
    internal const int PartialLength = 4 * SimilarityTiles.Tile;

    /// <summary>
    /// Tile (rows, columns [j0, j0 + shape.Columns)) of E: its float row sums (and column sums when
    /// <paramref name="columns"/>) into <paramref name="partials"/> (<see cref="PartialLength"/>, laid out as there);
    /// the sums of E s only when <paramref name="dots"/> (their places are left zero otherwise).
    /// </summary>
    internal static void TileSums(
        ReadOnlySpan<float> z, int d, SimilarityWalker walker, SimilarityWalker.RowBlock rows, int j0, Span<float> s, in TileShape shape,
        float kappa, float shift, bool storeExp, bool columns, bool dots, Span<float> partials, KernelWidth width)
    {
        const int Tile = SimilarityTiles.Tile;
        partials.Clear();
        SimilarityTiles.Compute(z, d, walker, rows, j0, s, shape, kappa, (shift - SimilarityTiles.RefineRange) / kappa, default);
        SimilarityTileKernel.Forward(
            s, shape, kappa, shift, partials[..Tile], dots ? partials.Slice(Tile, Tile) : default, partials.Slice(2 * Tile, Tile), partials.Slice(3 * Tile, Tile), columns, storeExp, width);
    }

    /// <summary>
    /// Adds count float partial sums of E and of E s (from <paramref name="offset"/> of <paramref name="partials"/>,
    /// laid out as in <see cref="PartialLength"/>) to the double sums; those of E alone where <paramref name="dots"/> is empty.
    /// </summary>
    internal static void Accumulate(Span<double> sums, Span<double> dots, ReadOnlySpan<float> partials, int offset, int count)
    {
        ReadOnlySpan<float> sum = partials.Slice(offset, count);
        for (int r = 0; r < count; r++)
        {
            sums[r] += sum[r];
        }

        if (!dots.IsEmpty)
        {
            ReadOnlySpan<float> dot = partials.Slice(offset + SimilarityTiles.Tile, count);
            for (int r = 0; r < count; r++)
            {
                dots[r] += dot[r];
            }
        }
    }

    /// <summary>
    /// Row i's state from its sums under the common shift M (self-pair not among them): the self
    /// term added unless leaving one out, then <c>LSE_i = M + log sum</c> and <c>sum_j P_ij s_ij = dot / sum</c>.
    /// False when the sum underflows (<see cref="OwnShiftRows.UnderflowLimit"/>): the row takes its own shift.
    /// </summary>
    internal static bool TryState(double sum, double dot, double norm, float kappa, float shift, bool leaveOneOut, out double lse, out double expected)
    {
        if (!leaveOneOut)
        {
            double self = SelfTerms.UnderShift(kappa, norm, shift);
            sum += self;
            dot += self * norm;
        }

        lse = shift + Math.Log(sum);
        expected = dot / sum;
        return sum >= OwnShiftRows.UnderflowLimit;
    }
}
