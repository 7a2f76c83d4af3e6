using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
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
/// <remarks>Hand-written because the exponential, both reductions, the masks and the optional store are fused into one pass over the tile.</remarks>
internal static class SimilarityTileKernel
{
    private static readonly float[] LaneIndices = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];

    /// <summary>
    /// For a tile of n valid columns: <paramref name="full"/> is the offset of the first register that
    /// holds padding (registers before it hold valid columns only), and the result holds
    /// <c>n - 1 - full - lane</c> per lane, non-negative exactly on that register's valid lanes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec ValidLanes<TSimd, TVec>(int n, out nuint full)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct
    {
        int count = TSimd.Count;
        int whole = n / count * count;
        full = (nuint)whole;
        TVec lanes = TSimd.Load(ref MemoryMarshal.GetArrayDataReference(LaneIndices), 0);
        return TSimd.Subtract(TSimd.Broadcast(n - 1 - whole), lanes);
    }

    /// <summary>The columns a pass covers: n rounded up to the register width.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nuint Columns<TSimd, TVec>(int n)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct => (nuint)((n + TSimd.Count - 1) / TSimd.Count * TSimd.Count);

    /// <summary>The values of a register at offset j &gt;= full: the valid lanes kept, the padding's zeroed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec MaskPadding<TSimd, TVec>(TVec e, nuint j, nuint full, TVec keep)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct => j == full ? TSimd.ZeroWhereBelow(e, keep, TSimd.Zero) : TSimd.Zero;

    /// <summary>The register that holds row r's excluded column (nuint.MaxValue when none does), and that column.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nuint SelfRegister<TSimd, TVec>(in TileShape shape, int r, out int column)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct
    {
        column = shape.SelfColumn(r);
        return column < 0 ? nuint.MaxValue : (nuint)(column / TSimd.Count * TSimd.Count);
    }

    /// <summary>The register at offset j with the lane of column <paramref name="column"/> zeroed: (lane - c)^2 is 0 there and at least 1 elsewhere.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec MaskSelf<TSimd, TVec>(TVec e, nuint j, int column)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct
    {
        TVec delta = TSimd.Subtract(TSimd.Load(ref MemoryMarshal.GetArrayDataReference(LaneIndices), 0), TSimd.Broadcast(column - (int)j));
        return TSimd.ZeroWhereBelow(e, TSimd.Multiply(delta, delta), TSimd.Broadcast(0.5f));
    }

    /// <summary>
    /// Forward pass: overwrites s with e (when <paramref name="storeExp"/>) and adds
    /// <c>sum_j e_ij</c>, <c>sum_j e_ij s_ij</c> into rowSum, rowDot; when <paramref name="columns"/>, also
    /// <c>sum_i e_ij</c>, <c>sum_i e_ij s_ij</c> into colSum, colDot (n rounded up to the register width entries each).
    /// </summary>
    internal static void Forward(
        Span<float> s, in TileShape shape, float kappa, float shift,
        Span<float> rowSum, Span<float> rowDot, Span<float> colSum, Span<float> colDot,
        bool columns, bool storeExp, KernelWidth width)
    {
        var work = new ForwardWork(s, shape, kappa, shift, rowSum, rowDot, colSum, colDot, columns, storeExp);
        WidthDispatch.Run(width, ref work);
    }

    private readonly ref struct ForwardWork(Span<float> s, TileShape shape, float kappa, float shift, Span<float> rowSum, Span<float> rowDot, Span<float> colSum, Span<float> colDot, bool columns, bool storeExp) : IWithWidth
    {
        private readonly Span<float> _s = s, _rowSum = rowSum, _rowDot = rowDot, _colSum = colSum, _colDot = colDot;

        public void Run<TSimd, TVec>()
            where TSimd : struct, ISimd<TVec>
            where TVec : struct => Forward<TSimd, TVec>(_s, shape, kappa, shift, _rowSum, _rowDot, _colSum, _colDot, columns, storeExp);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Forward<TSimd, TVec>(
        Span<float> s, in TileShape shape, float kappa, float shift,
        Span<float> rowSum, Span<float> rowDot, Span<float> colSum, Span<float> colDot,
        bool columns, bool storeExp)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct
    {
        nuint c = (nuint)TSimd.Count;
        TVec k = TSimd.Broadcast(kappa);
        TVec negShift = TSimd.Broadcast(-shift);
        TVec keep = ValidLanes<TSimd, TVec>(shape.Columns, out nuint full);
        nuint end = Columns<TSimd, TVec>(shape.Columns);
        ref float colSumRef = ref MemoryMarshal.GetReference(colSum);
        ref float colDotRef = ref MemoryMarshal.GetReference(colDot);
        for (int r = 0; r < shape.Rows; r++)
        {
            ref float row = ref MemoryMarshal.GetReference(s.Slice(r * shape.Stride, shape.Stride));
            nuint self = SelfRegister<TSimd, TVec>(shape, r, out int selfColumn);
            TVec sum = TSimd.Zero, dot = TSimd.Zero;
            for (nuint j = 0; j < end; j += c)
            {
                TVec v = TSimd.Load(ref row, j);
                TVec e = FastExp.Run<TSimd, TVec>(TSimd.MultiplyAdd(v, k, negShift));
                if (j >= full)
                {
                    // A register that holds padding (from column n on): zero its exponentials.
                    e = MaskPadding<TSimd, TVec>(e, j, full, keep);
                }

                if (j == self)
                {
                    e = MaskSelf<TSimd, TVec>(e, j, selfColumn);
                }

                TVec ev = TSimd.Multiply(e, v);
                sum = TSimd.Add(sum, e);
                dot = TSimd.Add(dot, ev);
                if (columns)
                {
                    TSimd.Store(TSimd.Add(TSimd.Load(ref colSumRef, j), e), ref colSumRef, j);
                    TSimd.Store(TSimd.Add(TSimd.Load(ref colDotRef, j), ev), ref colDotRef, j);
                }

                if (storeExp)
                {
                    TSimd.Store(e, ref row, j);
                }
            }

            rowSum[r] += TSimd.Sum(sum);
            rowDot[r] += TSimd.Sum(dot);
        }
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

    private readonly ref struct ExpWeightsWork(Span<float> s, TileShape shape, float kappa, float shift, ReadOnlySpan<float> hRows, ReadOnlySpan<float> hColumns) : IWithWidth
    {
        private readonly Span<float> _s = s;
        private readonly ReadOnlySpan<float> _hRows = hRows, _hColumns = hColumns;

        public void Run<TSimd, TVec>()
            where TSimd : struct, ISimd<TVec>
            where TVec : struct => ExpWeights<TSimd, TVec>(_s, shape, kappa, shift, _hRows, _hColumns);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void ExpWeights<TSimd, TVec>(Span<float> s, in TileShape shape, float kappa, float shift, ReadOnlySpan<float> hRows, ReadOnlySpan<float> hColumns)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct
    {
        nuint c = (nuint)TSimd.Count;
        TVec k = TSimd.Broadcast(kappa);
        TVec negShift = TSimd.Broadcast(-shift);
        TVec keep = ValidLanes<TSimd, TVec>(shape.Columns, out nuint full);
        nuint end = Columns<TSimd, TVec>(shape.Columns);
        ref float hc = ref MemoryMarshal.GetReference(hColumns);
        for (int r = 0; r < shape.Rows; r++)
        {
            ref float row = ref MemoryMarshal.GetReference(s.Slice(r * shape.Stride, shape.Stride));
            nuint self = SelfRegister<TSimd, TVec>(shape, r, out int selfColumn);
            TVec hr = TSimd.Broadcast(hRows[r]);
            for (nuint j = 0; j < end; j += c)
            {
                TVec e = FastExp.Run<TSimd, TVec>(TSimd.MultiplyAdd(TSimd.Load(ref row, j), k, negShift));
                if (j >= full)
                {
                    e = MaskPadding<TSimd, TVec>(e, j, full, keep);
                }

                if (j == self)
                {
                    e = MaskSelf<TSimd, TVec>(e, j, selfColumn);
                }

                TSimd.Store(TSimd.Multiply(e, TSimd.Add(hr, TSimd.Load(ref hc, j))), ref row, j);
            }
        }
    }

    /// <summary>
    /// Backward pass over a tile of kept exponentials e (zero in the padding and at excluded
    /// self-pairs): overwrites it with <c>w_ij = e_ij (h_i + h_j)</c>; hColumns has n rounded up to the register width entries.
    /// </summary>
    internal static void Weights(Span<float> e, in TileShape shape, ReadOnlySpan<float> hRows, ReadOnlySpan<float> hColumns, KernelWidth width)
    {
        var work = new WeightsWork(e, shape, hRows, hColumns);
        WidthDispatch.Run(width, ref work);
    }

    private readonly ref struct WeightsWork(Span<float> e, TileShape shape, ReadOnlySpan<float> hRows, ReadOnlySpan<float> hColumns) : IWithWidth
    {
        private readonly Span<float> _e = e;
        private readonly ReadOnlySpan<float> _hRows = hRows, _hColumns = hColumns;

        public void Run<TSimd, TVec>()
            where TSimd : struct, ISimd<TVec>
            where TVec : struct => Weights<TSimd, TVec>(_e, shape, _hRows, _hColumns);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Weights<TSimd, TVec>(Span<float> e, in TileShape shape, ReadOnlySpan<float> hRows, ReadOnlySpan<float> hColumns)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct
    {
        nuint c = (nuint)TSimd.Count;
        nuint end = Columns<TSimd, TVec>(shape.Columns);
        ref float hc = ref MemoryMarshal.GetReference(hColumns);
        for (int r = 0; r < shape.Rows; r++)
        {
            ref float row = ref MemoryMarshal.GetReference(e.Slice(r * shape.Stride, shape.Stride));
            TVec hr = TSimd.Broadcast(hRows[r]);
            for (nuint j = 0; j < end; j += c)
            {
                TSimd.Store(TSimd.Multiply(TSimd.Load(ref row, j), TSimd.Add(hr, TSimd.Load(ref hc, j))), ref row, j);
            }
        }
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

    private readonly ref struct MixedWeightsWork(Span<float> s, TileShape shape, float kappa, float shift, TileWeights rows, TileWeights columns) : IWithWidth
    {
        private readonly Span<float> _s = s;
        private readonly TileWeights _rows = rows, _columns = columns;

        public void Run<TSimd, TVec>()
            where TSimd : struct, ISimd<TVec>
            where TVec : struct => MixedWeights<TSimd, TVec>(_s, shape, kappa, shift, _rows, _columns);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void MixedWeights<TSimd, TVec>(Span<float> s, in TileShape shape, float kappa, float shift, in TileWeights rows, in TileWeights columns)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct
    {
        nuint c = (nuint)TSimd.Count;
        TVec k = TSimd.Broadcast(kappa);
        TVec negShift = TSimd.Broadcast(-shift);
        TVec keep = ValidLanes<TSimd, TVec>(shape.Columns, out nuint full);
        nuint end = Columns<TSimd, TVec>(shape.Columns);
        ref float hc = ref MemoryMarshal.GetReference(columns.H);
        ref float bc = ref MemoryMarshal.GetReference(columns.B);
        ref float oc = ref MemoryMarshal.GetReference(columns.O);
        for (int r = 0; r < shape.Rows; r++)
        {
            ref float row = ref MemoryMarshal.GetReference(s.Slice(r * shape.Stride, shape.Stride));
            nuint self = SelfRegister<TSimd, TVec>(shape, r, out int selfColumn);
            TVec hr = TSimd.Broadcast(rows.H[r]);
            float rowWeight = rows.B[r];
            TVec br = TSimd.Broadcast(rowWeight);
            TVec or = TSimd.Broadcast(rows.O[r]);
            for (nuint j = 0; j < end; j += c)
            {
                TVec x = TSimd.MultiplyAdd(TSimd.Load(ref row, j), k, negShift);
                TVec w = TSimd.Multiply(FastExp.Run<TSimd, TVec>(x), TSimd.Add(hr, TSimd.Load(ref hc, j)));
                w = TSimd.MultiplyAdd(TSimd.Load(ref bc, j), FastExp.Run<TSimd, TVec>(TSimd.Subtract(x, TSimd.Load(ref oc, j))), w);
                if (rowWeight != 0f)
                {
                    w = TSimd.MultiplyAdd(br, FastExp.Run<TSimd, TVec>(TSimd.Subtract(x, or)), w);
                }

                if (j >= full)
                {
                    w = MaskPadding<TSimd, TVec>(w, j, full, keep);
                }

                if (j == self)
                {
                    w = MaskSelf<TSimd, TVec>(w, j, selfColumn);
                }

                TSimd.Store(w, ref row, j);
            }
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
