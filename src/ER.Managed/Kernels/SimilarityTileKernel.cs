using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ER.Managed.Kernels;

/// <summary>
/// The element-wise passes of the fused sphere entropy over one tile of similarities
/// <c>s_ij = z_i . z_j</c> (n valid columns in rows of stride <c>ld</c>, a multiple of the register
/// width; each pass covers the columns up to n rounded up to the register width, whose padding
/// columns must hold finite values, zero in practice, and their exponentials are zeroed by lane
/// masks whatever kappa is: a fill value alone cannot do it, since at kappa = 1e-30 even
/// -1e30 kappa is only -1; columns beyond are not touched):
/// forward <c>e_ij = exp(kappa s_ij - shift)</c> with per-row and per-column sums of e and of
/// e s; backward <c>w_ij = e_ij (h_i + h_j)</c>.
/// </summary>
/// <remarks>Hand-written because the exponential, both reductions and the optional store are fused into one pass over the tile.</remarks>
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

    /// <summary>The exponentials of a register at offset j &gt;= full: the valid lanes kept, the padding's zeroed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec MaskPadding<TSimd, TVec>(TVec e, nuint j, nuint full, TVec keep)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct => j == full ? TSimd.ZeroWhereBelow(e, keep, TSimd.Zero) : TSimd.Zero;

    /// <summary>
    /// Forward pass over an m x ld tile of n valid columns: overwrites s with e (when <paramref name="storeExp"/>) and adds
    /// <c>sum_j e_ij</c>, <c>sum_j e_ij s_ij</c> into rowSum, rowDot; when <paramref name="columns"/>, also
    /// <c>sum_i e_ij</c>, <c>sum_i e_ij s_ij</c> into colSum, colDot (n rounded up to the register width entries each).
    /// </summary>
    internal static void Forward(
        Span<float> s, int m, int n, int ld, float kappa, float shift,
        Span<float> rowSum, Span<float> rowDot, Span<float> colSum, Span<float> colDot,
        bool columns, bool storeExp, KernelWidth width)
    {
        switch (width)
        {
            case KernelWidth.V512: Forward<Simd512, Vector512<float>>(s, m, n, ld, kappa, shift, rowSum, rowDot, colSum, colDot, columns, storeExp); break;
            case KernelWidth.V256: Forward<Simd256, Vector256<float>>(s, m, n, ld, kappa, shift, rowSum, rowDot, colSum, colDot, columns, storeExp); break;
            case KernelWidth.V128: Forward<Simd128, Vector128<float>>(s, m, n, ld, kappa, shift, rowSum, rowDot, colSum, colDot, columns, storeExp); break;
            default: Forward<SimdScalar, float>(s, m, n, ld, kappa, shift, rowSum, rowDot, colSum, colDot, columns, storeExp); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Forward<TSimd, TVec>(
        Span<float> s, int m, int n, int ld, float kappa, float shift,
        Span<float> rowSum, Span<float> rowDot, Span<float> colSum, Span<float> colDot,
        bool columns, bool storeExp)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct
    {
        nuint c = (nuint)TSimd.Count;
        TVec k = TSimd.Broadcast(kappa);
        TVec negShift = TSimd.Broadcast(-shift);
        TVec keep = ValidLanes<TSimd, TVec>(n, out nuint full);
        nuint end = Columns<TSimd, TVec>(n);
        ref float colSumRef = ref MemoryMarshal.GetReference(colSum);
        ref float colDotRef = ref MemoryMarshal.GetReference(colDot);
        for (int r = 0; r < m; r++)
        {
            ref float row = ref MemoryMarshal.GetReference(s.Slice(r * ld, ld));
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
    /// Backward pass recomputing the exponentials: overwrites an m x ld tile of similarities s with
    /// <c>w_ij = exp(kappa s_ij - shift) (h_i + h_j)</c>.
    /// </summary>
    internal static void ExpWeights(Span<float> s, int m, int n, int ld, float kappa, float shift, ReadOnlySpan<float> hRows, ReadOnlySpan<float> hColumns, KernelWidth width)
    {
        switch (width)
        {
            case KernelWidth.V512: ExpWeights<Simd512, Vector512<float>>(s, m, n, ld, kappa, shift, hRows, hColumns); break;
            case KernelWidth.V256: ExpWeights<Simd256, Vector256<float>>(s, m, n, ld, kappa, shift, hRows, hColumns); break;
            case KernelWidth.V128: ExpWeights<Simd128, Vector128<float>>(s, m, n, ld, kappa, shift, hRows, hColumns); break;
            default: ExpWeights<SimdScalar, float>(s, m, n, ld, kappa, shift, hRows, hColumns); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void ExpWeights<TSimd, TVec>(Span<float> s, int m, int n, int ld, float kappa, float shift, ReadOnlySpan<float> hRows, ReadOnlySpan<float> hColumns)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct
    {
        nuint c = (nuint)TSimd.Count;
        TVec k = TSimd.Broadcast(kappa);
        TVec negShift = TSimd.Broadcast(-shift);
        TVec keep = ValidLanes<TSimd, TVec>(n, out nuint full);
        nuint end = Columns<TSimd, TVec>(n);
        ref float hc = ref MemoryMarshal.GetReference(hColumns);
        for (int r = 0; r < m; r++)
        {
            ref float row = ref MemoryMarshal.GetReference(s.Slice(r * ld, ld));
            TVec hr = TSimd.Broadcast(hRows[r]);
            for (nuint j = 0; j < end; j += c)
            {
                TVec e = FastExp.Run<TSimd, TVec>(TSimd.MultiplyAdd(TSimd.Load(ref row, j), k, negShift));
                if (j >= full)
                {
                    e = MaskPadding<TSimd, TVec>(e, j, full, keep);
                }

                TSimd.Store(TSimd.Multiply(e, TSimd.Add(hr, TSimd.Load(ref hc, j))), ref row, j);
            }
        }
    }

    /// <summary>Backward pass over an m x ld tile of exponentials e of n valid columns (zero in the padding): overwrites it with <c>w_ij = e_ij (h_i + h_j)</c>; hColumns has n rounded up to the register width entries.</summary>
    internal static void Weights(Span<float> e, int m, int n, int ld, ReadOnlySpan<float> hRows, ReadOnlySpan<float> hColumns, KernelWidth width)
    {
        switch (width)
        {
            case KernelWidth.V512: Weights<Simd512, Vector512<float>>(e, m, n, ld, hRows, hColumns); break;
            case KernelWidth.V256: Weights<Simd256, Vector256<float>>(e, m, n, ld, hRows, hColumns); break;
            case KernelWidth.V128: Weights<Simd128, Vector128<float>>(e, m, n, ld, hRows, hColumns); break;
            default: Weights<SimdScalar, float>(e, m, n, ld, hRows, hColumns); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Weights<TSimd, TVec>(Span<float> e, int m, int n, int ld, ReadOnlySpan<float> hRows, ReadOnlySpan<float> hColumns)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct
    {
        nuint c = (nuint)TSimd.Count;
        nuint end = Columns<TSimd, TVec>(n);
        ref float hc = ref MemoryMarshal.GetReference(hColumns);
        for (int r = 0; r < m; r++)
        {
            ref float row = ref MemoryMarshal.GetReference(e.Slice(r * ld, ld));
            TVec hr = TSimd.Broadcast(hRows[r]);
            for (nuint j = 0; j < end; j += c)
            {
                TSimd.Store(TSimd.Multiply(TSimd.Load(ref row, j), TSimd.Add(hr, TSimd.Load(ref hc, j))), ref row, j);
            }
        }
    }
}
