using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ER.Managed.Kernels.Drivers;

namespace ER.Managed.Kernels;

/// <summary>
/// The shape of one tile of similarities <c>s_ij = z_i . z_j</c>: <see cref="Rows"/> x
/// <see cref="Columns"/> valid entries in rows of stride <see cref="Stride"/> (a multiple of the
/// widest register), and where the tile holds excluded self-pairs (the leave-one-out estimator):
/// row r's own column is <c>r + SelfOffset</c> when that lies inside the tile.
/// </summary>
internal readonly record struct TileShape(int Rows, int Columns, int Stride, int SelfOffset = TileShape.NoSelf)
{
    /// <summary>A <see cref="SelfOffset"/> that puts every row's own column outside the tile: nothing is excluded.</summary>
    internal const int NoSelf = int.MinValue / 2;

    /// <summary>Row r's excluded column, or -1 when the tile does not hold it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal int SelfColumn(int r)
    {
        int column = r + SelfOffset;
        return (uint)column < (uint)Columns ? column : -1;
    }
}

/// <summary>
/// The element-wise passes of the fused sphere entropy over one tile of similarities (see
/// <see cref="TileShape"/>; each pass covers the columns up to n rounded up to the register
/// width, whose padding columns must hold finite values, zero in practice, and their results are
/// zeroed by lane masks whatever kappa is: a fill value alone cannot do it, since at kappa = 1e-30
/// even -1e30 kappa is only -1; columns beyond are not touched; an excluded self-pair is zeroed
/// the same way): forward <c>e_ij = exp(kappa s_ij - shift)</c> with per-row and per-column sums of
/// e and of e s; backward <c>w_ij = e_ij (h_i + h_j)</c>, from kept exponentials or recomputed; and
/// the backward for tiles that hold rows whose sums needed their own shift,
/// <c>w_ij = e_ij (h_i + h_j) + b_i exp(kappa s_ij - shift - o_i) + b_j exp(kappa s_ij - shift - o_j)</c>.
/// </summary>
/// <remarks>
/// Hand-written because the exponential, both reductions, the masks and the optional store are
/// fused into one pass over the tile. Each pass is an <see cref="ITilePass{TVec}"/> built for one
/// width and run by <see cref="TileDriver"/>, which owns the row and register loops and the masks.
/// </remarks>
internal static class SimilarityTileKernel
{
    /// <summary>
    /// Forward pass: overwrites s with e (when <paramref name="storeExp"/>) and adds
    /// <c>sum_j e_ij</c>, <c>sum_j e_ij s_ij</c> into rowSum, rowDot; when <paramref name="columns"/>, also
    /// <c>sum_i e_ij</c>, <c>sum_i e_ij s_ij</c> into colSum, colDot (n rounded up to the register width entries each).
    /// An empty <paramref name="rowDot"/> asks for the sums of e alone (a value needs no <c>e s</c>):
    /// then neither dot span is touched, and the sums of e are the same bits.
    /// </summary>
    internal static void Forward(
        Span<float> s, in TileShape shape, float kappa, float shift,
        Span<float> rowSum, Span<float> rowDot, Span<float> colSum, Span<float> colDot,
        bool columns, bool storeExp, KernelWidth width)
    {
        var work = new ForwardWork(s, shape, kappa, shift, rowSum, rowDot, colSum, colDot, columns, storeExp);
        WidthDispatch.Run(width, ref work);
    }

    /// <summary>
    /// Backward pass recomputing the exponentials: overwrites a tile of similarities s with
    /// <c>w_ij = exp(kappa s_ij - shift) (h_i + h_j)</c>; hColumns has n rounded up to the register width entries.
    /// </summary>
    internal static void ExpWeights(Span<float> s, in TileShape shape, float kappa, float shift, ReadOnlySpan<float> hRows, ReadOnlySpan<float> hColumns, KernelWidth width)
    {
        var work = new ExpWeightsWork(s, shape, kappa, shift, hRows, hColumns);
        WidthDispatch.Run(width, ref work);
    }

    /// <summary>
    /// Backward pass over a tile of kept exponentials e (zero in the padding and at excluded
    /// self-pairs): overwrites it with <c>w_ij = e_ij (h_i + h_j)</c>; hColumns has n rounded up to the register width entries.
    /// </summary>
    internal static void Weights(Span<float> e, in TileShape shape, ReadOnlySpan<float> hRows, ReadOnlySpan<float> hColumns, KernelWidth width)
    {
        var work = new ExpWeightsWork(e, shape, float.NaN, float.NaN, hRows, hColumns, kept: true);
        WidthDispatch.Run(width, ref work);
    }

    /// <summary>
    /// Backward pass for a tile that holds rows whose sums took their own shift: overwrites the
    /// similarities s with <c>w_ij = e_ij (h_i + h_j) + b_i exp(x_ij - o_i) + b_j exp(x_ij - o_j)</c>,
    /// <c>x_ij = kappa s_ij - shift</c>, <c>e_ij = exp(x_ij)</c>. A row i with its own shift has h_i = 0,
    /// b_i its weight g_i and o_i = LSE_i - shift, so that <c>b_i exp(x_ij - o_i) = g_i P_ij</c> is formed
    /// without the underflow of e_ij; the other rows have b_i = 0. Column arrays have n rounded up
    /// to the register width entries.
    /// </summary>
    internal static void MixedWeights(
        Span<float> s, in TileShape shape, float kappa, float shift, in TileWeights rows, in TileWeights columns, KernelWidth width)
    {
        var work = new MixedWeightsWork(s, shape, kappa, shift, rows, columns);
        WidthDispatch.Run(width, ref work);
    }

    private readonly ref struct ForwardWork(Span<float> s, TileShape shape, float kappa, float shift, Span<float> rowSum, Span<float> rowDot, Span<float> colSum, Span<float> colDot, bool columns, bool storeExp) : IWithWidth
    {
        private readonly Span<float> _s = s, _rowSum = rowSum, _rowDot = rowDot, _colSum = colSum, _colDot = colDot;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run<TSimd, TVec>()
            where TSimd : struct, ISimd<TVec>
            where TVec : struct
        {
            var pass = new ForwardPass<TSimd, TVec>(kappa, shift, _rowSum, _rowDot, _colSum, _colDot, columns, storeExp);
            TileDriver.Run<TSimd, TVec, ForwardPass<TSimd, TVec>>(_s, shape, ref pass);
        }
    }

    private readonly ref struct ExpWeightsWork(Span<float> s, TileShape shape, float kappa, float shift, ReadOnlySpan<float> hRows, ReadOnlySpan<float> hColumns, bool kept = false) : IWithWidth
    {
        private readonly Span<float> _s = s;
        private readonly ReadOnlySpan<float> _hRows = hRows, _hColumns = hColumns;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run<TSimd, TVec>()
            where TSimd : struct, ISimd<TVec>
            where TVec : struct
        {
            if (kept)
            {
                var pass = new KeptWeightsPass<TSimd, TVec>(_hRows, _hColumns);
                TileDriver.Run<TSimd, TVec, KeptWeightsPass<TSimd, TVec>>(_s, shape, ref pass);
            }
            else
            {
                var pass = new ExpWeightsPass<TSimd, TVec>(kappa, shift, _hRows, _hColumns);
                TileDriver.Run<TSimd, TVec, ExpWeightsPass<TSimd, TVec>>(_s, shape, ref pass);
            }
        }
    }

    private readonly ref struct MixedWeightsWork(Span<float> s, TileShape shape, float kappa, float shift, TileWeights rows, TileWeights columns) : IWithWidth
    {
        private readonly Span<float> _s = s;
        private readonly TileWeights _rows = rows, _columns = columns;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run<TSimd, TVec>()
            where TSimd : struct, ISimd<TVec>
            where TVec : struct
        {
            var pass = new MixedWeightsPass<TSimd, TVec>(kappa, shift, _rows, _columns);
            TileDriver.Run<TSimd, TVec, MixedWeightsPass<TSimd, TVec>>(_s, shape, ref pass);
        }
    }

    /// <summary><c>e = exp(kappa s - shift)</c>; row sums of e and e s, column sums when asked, e stored when asked.</summary>
    private ref struct ForwardPass<TSimd, TVec> : ITilePass<TVec>
        where TSimd : struct, ISimd<TVec>
        where TVec : struct
    {
        private readonly TVec _kappa, _negShift;
        private readonly Span<float> _rowSum, _rowDot;
        private readonly ref float _colSum, _colDot;
        private readonly bool _columns, _storeExp, _dots;

        internal ForwardPass(float kappa, float shift, Span<float> rowSum, Span<float> rowDot, Span<float> colSum, Span<float> colDot, bool columns, bool storeExp)
        {
            _dots = !rowDot.IsEmpty;
            _kappa = TSimd.Broadcast(kappa);
            _negShift = TSimd.Broadcast(-shift);
            _rowSum = rowSum;
            _rowDot = rowDot;
            _colSum = ref MemoryMarshal.GetReference(colSum);
            _colDot = ref MemoryMarshal.GetReference(colDot);
            _columns = columns;
            _storeExp = storeExp;
        }

        public static bool Masks => true;

        public readonly void BeginRow(int r)
        {
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly TVec Term(TVec s, nuint j) => FastExp.Run<TSimd, TVec>(TSimd.MultiplyAdd(s, _kappa, _negShift));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Take(TVec e, TVec s, ref float row, nuint j, ref TVec sum, ref TVec dot)
        {
            sum = TSimd.Add(sum, e);
            if (_columns)
            {
                TSimd.Store(TSimd.Add(TSimd.Load(ref _colSum, j), e), ref _colSum, j);
            }

            if (_dots)
            {
                TVec es = TSimd.Multiply(e, s);
                dot = TSimd.Add(dot, es);
                if (_columns)
                {
                    TSimd.Store(TSimd.Add(TSimd.Load(ref _colDot, j), es), ref _colDot, j);
                }
            }

            if (_storeExp)
            {
                TSimd.Store(e, ref row, j);
            }
        }

        public readonly void EndRow(int r, TVec sum, TVec dot)
        {
            _rowSum[r] += TSimd.Sum(sum);
            if (_dots)
            {
                _rowDot[r] += TSimd.Sum(dot);
            }
        }
    }

    /// <summary><c>w = exp(kappa s - shift) (h_i + h_j)</c>.</summary>
    private ref struct ExpWeightsPass<TSimd, TVec> : ITilePass<TVec>
        where TSimd : struct, ISimd<TVec>
        where TVec : struct
    {
        private readonly TVec _kappa, _negShift;
        private readonly ReadOnlySpan<float> _hRows;
        private readonly ref float _hColumns;
        private TVec _hRow;

        internal ExpWeightsPass(float kappa, float shift, ReadOnlySpan<float> hRows, ReadOnlySpan<float> hColumns)
        {
            _kappa = TSimd.Broadcast(kappa);
            _negShift = TSimd.Broadcast(-shift);
            _hRows = hRows;
            _hColumns = ref MemoryMarshal.GetReference(hColumns);
        }

        public static bool Masks => true;

        public void BeginRow(int r) => _hRow = TSimd.Broadcast(_hRows[r]);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly TVec Term(TVec s, nuint j) => FastExp.Run<TSimd, TVec>(TSimd.MultiplyAdd(s, _kappa, _negShift));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Take(TVec e, TVec s, ref float row, nuint j, ref TVec sum, ref TVec dot) =>
            TSimd.Store(TSimd.Multiply(e, TSimd.Add(_hRow, TSimd.Load(ref _hColumns, j))), ref row, j);

        public readonly void EndRow(int r, TVec sum, TVec dot)
        {
        }
    }

    /// <summary><c>w = e (h_i + h_j)</c> from kept exponentials (already zero in the padding and at excluded self-pairs).</summary>
    private ref struct KeptWeightsPass<TSimd, TVec> : ITilePass<TVec>
        where TSimd : struct, ISimd<TVec>
        where TVec : struct
    {
        private readonly ReadOnlySpan<float> _hRows;
        private readonly ref float _hColumns;
        private TVec _hRow;

        internal KeptWeightsPass(ReadOnlySpan<float> hRows, ReadOnlySpan<float> hColumns)
        {
            _hRows = hRows;
            _hColumns = ref MemoryMarshal.GetReference(hColumns);
        }

        public static bool Masks => false;

        public void BeginRow(int r) => _hRow = TSimd.Broadcast(_hRows[r]);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly TVec Term(TVec e, nuint j) => TSimd.Multiply(e, TSimd.Add(_hRow, TSimd.Load(ref _hColumns, j)));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Take(TVec w, TVec e, ref float row, nuint j, ref TVec sum, ref TVec dot) => TSimd.Store(w, ref row, j);

        public readonly void EndRow(int r, TVec sum, TVec dot)
        {
        }
    }

    /// <summary>The weights of a tile with own-shift rows (see <see cref="MixedWeights(Span{float}, in TileShape, float, float, in TileWeights, in TileWeights, KernelWidth)"/>).</summary>
    private ref struct MixedWeightsPass<TSimd, TVec> : ITilePass<TVec>
        where TSimd : struct, ISimd<TVec>
        where TVec : struct
    {
        private readonly TVec _kappa, _negShift;
        private readonly ReadOnlySpan<float> _hRows, _bRows, _oRows;
        private readonly ref float _hColumns, _bColumns, _oColumns;
        private TVec _hRow, _bRow, _oRow;
        private bool _rowWeighted;

        internal MixedWeightsPass(float kappa, float shift, in TileWeights rows, in TileWeights columns)
        {
            _kappa = TSimd.Broadcast(kappa);
            _negShift = TSimd.Broadcast(-shift);
            _hRows = rows.H;
            _bRows = rows.B;
            _oRows = rows.O;
            _hColumns = ref MemoryMarshal.GetReference(columns.H);
            _bColumns = ref MemoryMarshal.GetReference(columns.B);
            _oColumns = ref MemoryMarshal.GetReference(columns.O);
        }

        public static bool Masks => true;

        public void BeginRow(int r)
        {
            _hRow = TSimd.Broadcast(_hRows[r]);
            _bRow = TSimd.Broadcast(_bRows[r]);
            _oRow = TSimd.Broadcast(_oRows[r]);
            _rowWeighted = _bRows[r] != 0f;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly TVec Term(TVec s, nuint j)
        {
            TVec x = TSimd.MultiplyAdd(s, _kappa, _negShift);
            TVec w = TSimd.Multiply(FastExp.Run<TSimd, TVec>(x), TSimd.Add(_hRow, TSimd.Load(ref _hColumns, j)));
            w = TSimd.MultiplyAdd(TSimd.Load(ref _bColumns, j), FastExp.Run<TSimd, TVec>(TSimd.Subtract(x, TSimd.Load(ref _oColumns, j))), w);
            return _rowWeighted ? TSimd.MultiplyAdd(_bRow, FastExp.Run<TSimd, TVec>(TSimd.Subtract(x, _oRow)), w) : w;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Take(TVec w, TVec s, ref float row, nuint j, ref TVec sum, ref TVec dot) => TSimd.Store(w, ref row, j);

        public readonly void EndRow(int r, TVec sum, TVec dot)
        {
        }
    }
}

/// <summary>
/// Per-row (or per-column) weights of <see cref="SimilarityTileKernel.MixedWeights"/>: H the
/// common-shift weight h, B the own-shift weight b and O its offset o (see there).
/// </summary>
internal readonly ref struct TileWeights(ReadOnlySpan<float> h, ReadOnlySpan<float> b, ReadOnlySpan<float> o)
{
    internal ReadOnlySpan<float> H { get; } = h;

    internal ReadOnlySpan<float> B { get; } = b;

    internal ReadOnlySpan<float> O { get; } = o;
}
