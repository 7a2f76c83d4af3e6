using System.Buffers;
using System.Collections.Generic;
using ER.Managed.Kernels;
using ER.Managed.Kernels.Drivers;
using ER.Managed.Numerics;

namespace ER.Managed.Terms;

/// <content>
/// The neighbour search: the sweep's visitor, the offers of a tile row and each row's min-heap of
/// its largest similarities.
/// </content>
internal static partial class KnnSphereEntropy
{
    /// <summary>
    /// The sweep's visitor: per row, its m largest similarities so far (a min-heap) and the offers
    /// within the window of the smallest of them; a block row's rows are finished (their m-th
    /// neighbour's chord found in double) once the sweep has offered them every similarity.
    /// </summary>
    /// <remarks>
    /// Each block row's own tile is offered before the sweep, block rows in parallel, and the sweep
    /// passes over the diagonal. A row takes about m (1 + ln(n / m)) offers in any order, about half
    /// of them from the first 256 similarities it is offered (m (1 + ln(256 / m))); in the sweep an
    /// offer to a column's row moves that row's state between cores (a column's consecutive tiles
    /// run on different threads), in the diagonal pass no two threads share a row. Two Zen 5 cores,
    /// 16384 x 128, m = 4: the same 603k offers, and the estimator at 1.22-1.26x one entropy forward
    /// instead of 1.29-1.30x (medians of 8 alternating runs, twice).
    /// </remarks>
    private sealed class NeighbourSearch : ISymmetricTileVisitor
    {
        private readonly int _n, _d, _m, _capacity;
        private readonly float _window;
        private readonly double[] _inverseNorms;
        private readonly float[] _top;
        private readonly int[] _topCount;

        /// <summary>Each row's cut: an offer below it cannot be a candidate (-inf until the row has m similarities).</summary>
        private readonly float[] _cut;
        private readonly float[] _offerValue;
        private readonly int[] _offerIndex;
        private readonly int[] _offerCount;

        /// <summary>Rows with more offers within the window than the flat buffer holds (ties, near-duplicates) keep them here.</summary>
        private readonly List<(float Value, int Index)>?[] _spill;

        private readonly PinnedFloats _rows;
        private readonly SimilarityWalker _walker;

        internal NeighbourSearch(PinnedFloats rows, SimilarityWalker walker, int n, int d, int m, float window, double[] inverseNorms)
        {
            (_rows, _walker, _n, _d, _m, _window, _inverseNorms) = (rows, walker, n, d, m, window, inverseNorms);
            LogCaps = new double[n];
            Missing = new int[n];
            DuplicateRows = new int[n];
            _capacity = (int)OfferCapacity(m); // at most Array.MaxLength / n: BuffersFit was checked
            _top = new float[n * m];
            _topCount = new int[n];
            _cut = new float[SimilarityTiles.RoundUp(n, SimilarityTiles.Tile) + SimilarityTiles.Alignment];
            _cut.AsSpan().Fill(float.NegativeInfinity);
            _offerValue = new float[n * _capacity];
            _offerIndex = new int[n * _capacity];
            _offerCount = new int[n];
            _spill = new List<(float, int)>?[n];
        }

        /// <summary>log Cap_d(theta_i) of each finished row.</summary>
        internal double[] LogCaps { get; }

        /// <summary>1 for rows with fewer than m finite similarities.</summary>
        internal int[] Missing { get; }

        /// <summary>1 for rows whose m-th neighbour is at distance 0.</summary>
        internal int[] DuplicateRows { get; }

        /// <summary>Offers every block row's own tile (its rows against each other), block rows in parallel.</summary>
        internal void OfferDiagonalTiles(int degree) =>
            Parallelism.For(SimilarityTiles.Blocks(_n), degree, block =>
            {
                int i0 = block * SimilarityTiles.Tile, count = Math.Min(SimilarityTiles.Tile, _n - i0);
                using SimilarityWalker.RowBlock rows = _walker.Rows(i0, count, pack: true);
                float[] tile = ArrayPool<float>.Shared.Rent(count * SimilarityTiles.Stride(count));
                try
                {
                    OfferTile(rows, block, tile);
                }
                finally
                {
                    ArrayPool<float>.Shared.Return(tile);
                }
            });

        /// <summary>The sweep's tile: off the diagonal only (<see cref="OfferDiagonalTiles"/> offered those).</summary>
        public void Tile(SimilarityWalker.RowBlock rows, int blockJ, float[] tile)
        {
            if (rows.First != blockJ * SimilarityTiles.Tile)
            {
                OfferTile(rows, blockJ, tile);
            }
        }

        private void OfferTile(SimilarityWalker.RowBlock rows, int blockJ, float[] tile)
        {
            int i0 = rows.First, m = rows.Count;
            int j0 = blockJ * SimilarityTiles.Tile, n = Math.Min(SimilarityTiles.Tile, _n - j0);
            int stride = SimilarityTiles.Stride(n);
            SimilarityTiles.Similarities(_walker, rows, j0, n, tile, stride);
            bool diagonal = i0 == j0;
            for (int r = 0; r < m; r++)
            {
                // Each similarity goes to its row and, off the diagonal, to its column's row; nearly
                // all are below both cuts and the scan passes over them a register at a time.
                var hits = new TileHits(this, i0 + r, j0, diagonal ? r : -1);
                ScanDriver.ScanRow(tile.AsSpan(r * stride, n), _cut.AsSpan(j0, n), columns: !diagonal, ref hits, KernelIsa.Best);
            }
        }

        public void BlockRowDone(int blockI)
        {
            int i0 = blockI * SimilarityTiles.Tile, count = Math.Min(SimilarityTiles.Tile, _n - i0);
            var nominated = new List<int>();
            var candidates = new List<(double ChordSquared, int Index)>();
            for (int i = i0; i < i0 + count; i++)
            {
                Finish(i, nominated, candidates);
            }
        }

        internal float Cut(int i) => _cut[i];

        /// <summary>Similarity <paramref name="value"/> of rows i and j, at or above row i's cut.</summary>
        internal void Offer(int i, float value, int j)
        {
            Span<float> top = _top.AsSpan(i * _m, _m);
            int filled = _topCount[i];
            if (filled < _m)
            {
                Push(top, filled, value);
                if (++_topCount[i] == _m)
                {
                    _cut[i] = top[0] - _window;
                }
            }
            else if (value > top[0])
            {
                ReplaceSmallest(top, value);
                _cut[i] = top[0] - _window;
            }

            if (_spill[i] is List<(float Value, int Index)> spill)
            {
                spill.Add((value, j));
                return;
            }

            int offers = _offerCount[i];
            if (offers == _capacity)
            {
                offers = Prune(i);
                if (offers > _capacity / 2)
                {
                    var list = new List<(float, int)>(2 * _capacity);
                    for (int t = 0; t < offers; t++)
                    {
                        list.Add((_offerValue[(i * _capacity) + t], _offerIndex[(i * _capacity) + t]));
                    }

                    list.Add((value, j));
                    _spill[i] = list;
                    return;
                }
            }

            _offerValue[(i * _capacity) + offers] = value;
            _offerIndex[(i * _capacity) + offers] = j;
            _offerCount[i] = offers + 1;
        }

        /// <summary>Drops row i's offers below its cut; returns how many are left.</summary>
        private int Prune(int i)
        {
            float cut = _cut[i];
            int kept = 0, start = i * _capacity;
            for (int t = 0; t < _offerCount[i]; t++)
            {
                if (_offerValue[start + t] >= cut)
                {
                    _offerValue[start + kept] = _offerValue[start + t];
                    _offerIndex[start + kept] = _offerIndex[start + t];
                    kept++;
                }
            }

            _offerCount[i] = kept;
            return kept;
        }

        /// <summary>Row i's m-th neighbour: the offers at or above its final cut, by chord in double (ties by index).</summary>
        private void Finish(int i, List<int> nominated, List<(double ChordSquared, int Index)> candidates)
        {
            nominated.Clear();
            candidates.Clear();
            if (_topCount[i] == _m)
            {
                float cut = _cut[i];
                if (_spill[i] is List<(float Value, int Index)> spill)
                {
                    foreach ((float value, int j) in spill)
                    {
                        if (value >= cut)
                        {
                            nominated.Add(j);
                        }
                    }
                }
                else
                {
                    for (int t = i * _capacity; t < (i * _capacity) + _offerCount[i]; t++)
                    {
                        if (_offerValue[t] >= cut)
                        {
                            nominated.Add(_offerIndex[t]);
                        }
                    }
                }
            }

            // Two chords at a time: their rows' cache misses overlap.
            ReadOnlySpan<float> z = _rows.Span, zi = z.Slice(i * _d, _d);
            int c = 0;
            for (; c + 1 < nominated.Count; c += 2)
            {
                int j0 = nominated[c], j1 = nominated[c + 1];
                (double first, double second) = DoubleDot.DistancesSquared(zi, _inverseNorms[i], z.Slice(j0 * _d, _d), _inverseNorms[j0], z.Slice(j1 * _d, _d), _inverseNorms[j1]);
                candidates.Add((first, j0));
                candidates.Add((second, j1));
            }

            if (c < nominated.Count)
            {
                int j = nominated[c];
                candidates.Add((DoubleDot.DistanceSquared(zi, _inverseNorms[i], z.Slice(j * _d, _d), _inverseNorms[j]), j));
            }

            if (candidates.Count < _m)
            {
                // Only a NaN similarity compares false with every cut (reachable with validation off).
                Missing[i] = 1;
                return;
            }

            candidates.Sort();
            double chordSquared = Math.Min(4.0, candidates[_m - 1].ChordSquared);
            if (chordSquared == 0.0)
            {
                DuplicateRows[i] = 1;
                return;
            }

            LogCaps[i] = SphereCap.LogArea(_d, chordSquared);
        }
    }

    /// <summary>Offers of one tile row: to row i (but not its self-pair) and to the rows of the tile's columns.</summary>
    private readonly struct TileHits(NeighbourSearch search, int i, int j0, int selfColumn) : IScanHits
    {
        public float RowCut => search.Cut(i);

        public void RowHit(int j, float value)
        {
            if (j != selfColumn)
            {
                search.Offer(i, value, j0 + j);
            }
        }

        public void ColumnHit(int j, float value) => search.Offer(j0 + j, value, i);
    }

    // A row's m largest similarities so far are a min-heap (the m-th largest at the root): a row
    // takes about m (1 + ln(n / m)) of them in a sweep, and keeping them sorted cost O(m) each (the
    // heap took 12% off m = 128 at 16000 x 16, Xeon Emerald Rapids; the offers themselves are the
    // rest). The heap keeps the same values, so the cuts and the result are the same bits.

    /// <summary>Adds <paramref name="value"/> to the min-heap <paramref name="top"/>[0..count).</summary>
    private static void Push(Span<float> top, int count, float value)
    {
        int at = count;
        while (at > 0 && top[(at - 1) / 2] > value)
        {
            top[at] = top[(at - 1) / 2];
            at = (at - 1) / 2;
        }

        top[at] = value;
    }

    /// <summary>Replaces the root (the smallest) of the full min-heap <paramref name="top"/> by the larger <paramref name="value"/>.</summary>
    private static void ReplaceSmallest(Span<float> top, float value)
    {
        int at = 0;
        while (true)
        {
            int child = (2 * at) + 1;
            if (child >= top.Length)
            {
                break;
            }

            if (child + 1 < top.Length && top[child + 1] < top[child])
            {
                child++;
            }

            if (top[child] >= value)
            {
                break;
            }

            top[at] = top[child];
            at = child;
        }

        top[at] = value;
    }
}
