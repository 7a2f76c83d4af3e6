using System.Buffers;
using System.Numerics.Tensors;
using ER.Managed.Kernels;
using ER.Managed.Numerics;

namespace ER.Managed.Terms;

/// <summary>
/// The Kozachenko-Leonenko k-nearest-neighbour entropy estimator on the sphere S^(d-1)
/// (cf. Li, Mnatsakanov and Andrew 2011): <c>H = psi(n) - psi(m) + (1/n) sum_i log Cap_d(theta_i)</c>,
/// theta_i the angle from row i to its m-th nearest other row and Cap_d the area of the cap of that
/// angular radius (<see cref="SphereCap"/>).
/// </summary>
/// <remarks>
/// Neighbours are searched on the tiles of <c>S = Z Z^T</c> on and above the diagonal
/// (<see cref="SymmetricTileSweep"/>): each similarity is formed once and offered to both of its rows,
/// half the products of walking whole rows. The float32 similarities only nominate candidates: every
/// row within float rounding of the (m + 8)-th largest similarity is kept, and their chords
/// <c>||z_i/|z_i| - z_j/|z_j|||</c> are computed in double, so a near-duplicate's tiny angle keeps its
/// digits (acos of a float32 dot product near 1 would not) and the m-th neighbour is the true one
/// whatever the rounding of the similarities. A row keeps its m largest similarities so far and
/// every offer within twice the rounding bound of the smallest of them (a candidate below that is
/// farther than m others however the similarities were rounded); since that cut only rises, what it
/// drops could never pass the final one, so the candidates finally kept are the same set in any
/// order of offers. Ties are broken by row index: the value does not depend on the thread count.
/// </remarks>
internal static partial class KnnSphereEntropy
{
    /// <summary>
    /// Whether the search's per-row buffers for n rows and m neighbours fit in arrays: m similarities
    /// and <see cref="OfferCapacity"/> offers a row, each kind in one array of n segments. For n &gt;= 1;
    /// <c>n c &lt;= L</c> is tested as <c>c &lt;= L / n</c> (the same for integers), which no int
    /// arguments can overflow.
    /// </summary>
    internal static bool BuffersFit(int n, int m) => OfferCapacity(m) <= Array.MaxLength / n;

    /// <summary>Offers a row holds before it prunes them to those within the cut: 2m + 8 (in long, so any m fits).</summary>
    internal static long OfferCapacity(int m) => (2L * m) + 8;

    /// <summary>The estimate for unit rows z (n x d, d &gt;= 2, n &gt; m).</summary>
    /// <exception cref="ArgumentException">A row has m or more rows identical to it (its m-th neighbour at distance 0: the estimator diverges).</exception>
    internal static unsafe double Value(ReadOnlySpan<float> z, int n, int d, int m, int degree)
    {
        // The rows are accepted with |norm^2 - 1| up to 1e-3, which moves a raw dot product by about
        // 5e-4, far more than the rounding bound below: the candidates are nominated from the rows
        // normalized in float32 (each element within 2^-23 relative of the exact one), and the
        // chords use the double norms.
        var inverseNorms = new double[n];

        // The unit rows are scratch: pooled, as an estimator called once per training step would
        // otherwise fault in fresh pages for them every time.
        float[] unit = ArrayPool<float>.Shared.Rent(z.Length);
        NeighbourSearch search;
        try
        {
            fixed (float* zp = z)
            fixed (float* up = unit)
            {
                var rows = new PinnedFloats(zp, z.Length);
                var units = new PinnedFloats(up, z.Length);
                Parallelism.For(SimilarityTiles.Blocks(n), degree, block =>
                {
                    for (int i = block * SimilarityTiles.Tile; i < Math.Min(n, (block + 1) * SimilarityTiles.Tile); i++)
                    {
                        ReadOnlySpan<float> row = rows.Span.Slice(i * d, d);
                        double inverse = 1.0 / Math.Sqrt(DoubleDot.Compute(row, row));
                        inverseNorms[i] = inverse;
                        TensorPrimitives.Multiply(row, (float)inverse, units.Span.Slice(i * d, d));
                    }
                });

                // A similarity of unit vectors summed in float32 over d terms is off by at most d 2^-24
                // (a first-order bound; about sqrt(d) 2^-24 in practice), and the rows' normalization in
                // float adds a few 2^-24. The rounding bound e below covers both with room; a row's
                // candidates are those within 2e of its m-th largest similarity: one outside is below
                // the exact similarity of each of the m above it.
                double bound = Math.Max(Math.Max(1e-6, 16.0 * Math.Sqrt(d) * Math.Pow(2, -24)), (d + 4) * Math.Pow(2, -24));
                using var walker = new SimilarityWalker(units, n, d, KernelIsa.Best);
                search = new NeighbourSearch(rows, walker, n, d, m, (float)(2 * bound), inverseNorms);
                search.OfferDiagonalTiles(degree);
                SymmetricTileSweep.Run(walker, n, degree, search);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(unit);
        }

        int[] missing = search.Missing, duplicateRows = search.DuplicateRows;
        double[] logCaps = search.LogCaps;
        int nonFinite = Array.IndexOf(missing, 1);
        if (nonFinite >= 0)
        {
            throw new ArgumentException(
                $"Row {nonFinite}'s similarities are not finite (a NaN or infinite entry in z, or a zero row): the kNN estimator needs finite nonzero rows.",
                nameof(z));
        }

        int duplicate = Array.IndexOf(duplicateRows, 1);
        if (duplicate >= 0)
        {
            throw new ArgumentException(
                $"Row {duplicate} has {m} or more rows identical to it: its {m}-th nearest neighbour is at distance 0 and the kNN estimate diverges to -infinity. Remove duplicate rows or ask for more neighbours.",
                nameof(z));
        }

        double total = 0.0;
        foreach (double logCap in logCaps)
        {
            total += logCap;
        }

        return SpecialFunctions.Digamma(n) - SpecialFunctions.Digamma(m) + (total / n);
    }
}
