using ER.Managed.Kernels;
using ER.Managed.Kernels.Drivers;

namespace ER.Managed.Terms;

/// <summary>
/// The tiles of <c>S = Z Z^T</c> that every sphere-entropy path works on (single process, row
/// shards, rows with their own shift): their geometry, how a tile of similarities is formed (the
/// packed product, the exact diagonal, the refined near-duplicates) and the squared norms that
/// bound every similarity.
/// </summary>
internal static class SimilarityTiles
{
    /// <summary>Tile edge (rows and columns of S per tile): a 256 x 272 float tile is 272 KiB, about a quarter of a 1 MiB L2.</summary>
    internal const int Tile = 256;

    /// <summary>Tile row strides are multiples of this, the widest register (16 floats).</summary>
    internal const int Alignment = 16;

    /// <summary>
    /// From this kappa up, similarities that matter are recomputed in double (see
    /// <see cref="Refine"/>). Below it the float32 GEMM's rounding, about
    /// sqrt(d)/2 ulps of s, times kappa, stays under 4e-5 relative in every exponential up to d = 1000;
    /// above it, pairs with s near 1 are few for any data that is not collapsed (s &gt; 1 - 12/32).
    /// </summary>
    internal const float RefineFromKappa = 32f;

    /// <summary>Pairs within this of a row's shift (in units of kappa s) are refined: the rest weigh under e^-12 of the row's largest term.</summary>
    internal const float RefineRange = 12f;

    /// <summary>Most partners refined per tile row; a row with more is left to average its errors (see <see cref="Refine"/>).</summary>
    internal const int RefineBudget = 8;

    /// <summary>
    /// Row stride of a tile of n columns: n rounded up to <see cref="Alignment"/>, one register more
    /// where that is a multiple of 256 floats. The backward's products read a tile down its columns
    /// (the transposed weights, read in place), one row a step; at a stride of a multiple of 1 KiB
    /// those rows fall into 4 of L1D's 64 sets and evict one another (the transposed product measured
    /// 14% slower at stride 256 than at 272, AVX2 on Zen 5).
    /// </summary>
    internal static int Stride(int n)
    {
        int stride = RoundUp(n, Alignment);
        return stride % 256 == 0 ? stride + Alignment : stride;
    }

    internal static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    /// <summary>Block rows (or columns) of <see cref="Tile"/> rows for k rows.</summary>
    internal static int Blocks(int k) => (k + Tile - 1) / Tile;

    /// <summary>
    /// s = Z[rows] Z[j0..j0+n)^T into an m x stride buffer, padding columns zeroed (the tile kernel
    /// masks them), by the walker's packed product (<see cref="Tile"/> is a multiple of every NR, as
    /// the packed layout needs). The self-pairs a tile holds are left as the product made them: the
    /// passes mask them (<see cref="TileShape.SelfOffset"/>), and <see cref="SelfTerms"/> adds them in double.
    /// </summary>
    internal static void Similarities(SimilarityWalker walker, SimilarityWalker.RowBlock rows, int j0, int n, Span<float> s, int stride)
    {
        walker.Product(rows, j0, n, s, stride, accumulate: false);
        ClearPadding(s, rows.Count, n, stride);
    }

    /// <summary>
    /// A tile ready for a pass: its similarities (<see cref="Similarities"/>, m x shape.Stride, from row
    /// <c>rows.First</c> and column <paramref name="j0"/>), near-duplicates refined (<see cref="Refine"/>).
    /// </summary>
    internal static void Compute(
        ReadOnlySpan<float> z, int d, SimilarityWalker walker, SimilarityWalker.RowBlock rows, int j0, Span<float> s, in TileShape shape, float kappa, float uniformCut, ReadOnlySpan<float> cuts)
    {
        Similarities(walker, rows, j0, shape.Columns, s, shape.Stride);
        Refine(z, d, rows.First, j0, s, shape, kappa, uniformCut, cuts);
    }

    /// <summary>Zeroes columns n..stride of each of m rows.</summary>
    internal static void ClearPadding(Span<float> s, int m, int n, int stride)
    {
        if (stride > n)
        {
            for (int r = 0; r < m; r++)
            {
                s.Slice((r * stride) + n, stride - n).Clear();
            }
        }
    }

    /// <summary>
    /// At large kappa (<see cref="RefineFromKappa"/>), recomputes in double, rounded once, the
    /// off-diagonal similarities of a tile row (rows from i0, columns from j0) with
    /// <c>s_ij &gt; cut_i</c> or <c>s_ij &gt; cut_j</c>, where a row's cut is <see cref="RefineRange"/>
    /// below its shift (in units of kappa s; <paramref name="cuts"/> holds one per row of the batch,
    /// or is empty for <paramref name="uniformCut"/> everywhere), when that row has at most
    /// <see cref="RefineBudget"/> of them: near-duplicate rows, whose exponentials rival the largest
    /// and carry the same sensitivity to the GEMM's rounding. A row with more such partners (a
    /// collapsed or tightly clustered batch) is left as it is: the rounding errors of its many
    /// comparable terms average out (tested on collapsed batches at kappa = 200), and refining
    /// every pair there cost 10-15x the forward (measured at 4096 x 256 on Zen 5). The budget
    /// bounds the extra work to 8 double dot products per row and tile, about 3% of the tile's products.
    /// </summary>
    internal static void Refine(ReadOnlySpan<float> z, int d, int i0, int j0, Span<float> s, in TileShape shape, float kappa, float uniformCut, ReadOnlySpan<float> cuts)
    {
        if (!(kappa >= RefineFromKappa))
        {
            return;
        }

        int m = shape.Rows, n = shape.Columns;
        float columnCut = uniformCut;
        if (!cuts.IsEmpty)
        {
            columnCut = float.PositiveInfinity;
            foreach (float c in cuts.Slice(j0, n))
            {
                columnCut = MathF.Min(columnCut, c);
            }
        }

        Span<int> partners = stackalloc int[RefineBudget];
        for (int r = 0; r < m; r++)
        {
            float rowCut = cuts.IsEmpty ? uniformCut : cuts[i0 + r];
            float anyCut = MathF.Min(rowCut, columnCut);
            Span<float> row = s.Slice(r * shape.Stride, n);
            int found = 0;

            // Nearly every similarity is below both cuts: the scan passes over them a register at a time.
            for (int t = ScanDriver.NextAbove(row, 0, anyCut, orEqual: false, KernelIsa.Best); t < n && found <= RefineBudget; t = ScanDriver.NextAbove(row, t + 1, anyCut, orEqual: false, KernelIsa.Best))
            {
                bool above = row[t] > rowCut || (!cuts.IsEmpty && row[t] > cuts[j0 + t]);
                if (above && i0 + r != j0 + t)
                {
                    if (found < RefineBudget)
                    {
                        partners[found] = t;
                    }

                    found++;
                }
            }

            if (found > RefineBudget)
            {
                continue;
            }

            for (int p = 0; p < found; p++)
            {
                int t = partners[p];
                row[t] = (float)DoubleDot.Compute(z.Slice((i0 + r) * d, d), z.Slice((j0 + t) * d, d));
            }
        }
    }

    /// <summary>
    /// <c>||z_i||^2</c> summed in double (float products are exact in double), into
    /// <paramref name="norms"/>; returns the largest, rounded up to float so that kappa times it bounds
    /// every similarity kappa s_ij the tiles form.
    /// </summary>
    internal static float SquaredNorms(ReadOnlySpan<float> z, int k, int d, Span<double> norms)
    {
        double max = 0.0;
        for (int i = 0; i < k; i++)
        {
            ReadOnlySpan<float> row = z.Slice(i * d, d);
            norms[i] = DoubleDot.Compute(row, row);
            max = Math.Max(max, norms[i]);
        }

        float bound = (float)max;
        return bound < max ? MathF.BitIncrement(bound) : bound;
    }
}
