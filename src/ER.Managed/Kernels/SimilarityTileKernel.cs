using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ER.Managed.Kernels;

/// <summary>
/// The element-wise passes of the fused sphere entropy over one tile of similarities
/// <c>s_ij = z_i . z_j</c> (rows of stride <c>ld</c>, a multiple of the register width, padding
/// columns holding <see cref="Padding"/>):
/// forward <c>e_ij = exp(kappa s_ij - shift)</c> with per-row and per-column sums of e and of
/// e s; backward <c>w_ij = e_ij (h_i + h_j)</c>.
/// </summary>
/// <remarks>Hand-written because the exponential, both reductions and the optional store are fused into one pass over the tile.</remarks>
internal static class SimilarityTileKernel
{
    /// <summary>The value padding columns hold: kappa times it is -inf or huge and negative, so its exponential is 0 and 0 times it is 0.</summary>
    internal const float Padding = -1e30f;

    /// <summary>
    /// Forward pass over an m x ld tile: overwrites s with e (when <paramref name="storeExp"/>) and adds
    /// <c>sum_j e_ij</c>, <c>sum_j e_ij s_ij</c> into rowSum, rowDot; when <paramref name="columns"/>, also
    /// <c>sum_i e_ij</c>, <c>sum_i e_ij s_ij</c> into colSum, colDot (ld entries each).
    /// </summary>
    internal static void Forward(
        Span<float> s, int m, int ld, float kappa, float shift,
        Span<float> rowSum, Span<float> rowDot, Span<float> colSum, Span<float> colDot,
        bool columns, bool storeExp, KernelWidth width)
    {
        switch (width)
        {
            case KernelWidth.V512: Forward<Simd512, Vector512<float>>(s, m, ld, kappa, shift, rowSum, rowDot, colSum, colDot, columns, storeExp); break;
            case KernelWidth.V256: Forward<Simd256, Vector256<float>>(s, m, ld, kappa, shift, rowSum, rowDot, colSum, colDot, columns, storeExp); break;
            case KernelWidth.V128: Forward<Simd128, Vector128<float>>(s, m, ld, kappa, shift, rowSum, rowDot, colSum, colDot, columns, storeExp); break;
            default: Forward<SimdScalar, float>(s, m, ld, kappa, shift, rowSum, rowDot, colSum, colDot, columns, storeExp); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Forward<TSimd, TVec>(
        Span<float> s, int m, int ld, float kappa, float shift,
        Span<float> rowSum, Span<float> rowDot, Span<float> colSum, Span<float> colDot,
        bool columns, bool storeExp)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct
    {
        nuint c = (nuint)TSimd.Count;
        TVec k = TSimd.Broadcast(kappa);
        TVec negShift = TSimd.Broadcast(-shift);
        ref float colSumRef = ref MemoryMarshal.GetReference(colSum);
        ref float colDotRef = ref MemoryMarshal.GetReference(colDot);
        for (int r = 0; r < m; r++)
        {
            ref float row = ref MemoryMarshal.GetReference(s.Slice(r * ld, ld));
            TVec sum = TSimd.Zero, dot = TSimd.Zero;
            for (nuint j = 0; j < (nuint)ld; j += c)
            {
                TVec v = TSimd.Load(ref row, j);
                TVec e = FastExp.Run<TSimd, TVec>(TSimd.MultiplyAdd(v, k, negShift));
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
    internal static void ExpWeights(Span<float> s, int m, int ld, float kappa, float shift, ReadOnlySpan<float> hRows, ReadOnlySpan<float> hColumns, KernelWidth width)
    {
        switch (width)
        {
            case KernelWidth.V512: ExpWeights<Simd512, Vector512<float>>(s, m, ld, kappa, shift, hRows, hColumns); break;
            case KernelWidth.V256: ExpWeights<Simd256, Vector256<float>>(s, m, ld, kappa, shift, hRows, hColumns); break;
            case KernelWidth.V128: ExpWeights<Simd128, Vector128<float>>(s, m, ld, kappa, shift, hRows, hColumns); break;
            default: ExpWeights<SimdScalar, float>(s, m, ld, kappa, shift, hRows, hColumns); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void ExpWeights<TSimd, TVec>(Span<float> s, int m, int ld, float kappa, float shift, ReadOnlySpan<float> hRows, ReadOnlySpan<float> hColumns)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct
    {
        nuint c = (nuint)TSimd.Count;
        TVec k = TSimd.Broadcast(kappa);
        TVec negShift = TSimd.Broadcast(-shift);
        ref float hc = ref MemoryMarshal.GetReference(hColumns);
        for (int r = 0; r < m; r++)
        {
            ref float row = ref MemoryMarshal.GetReference(s.Slice(r * ld, ld));
            TVec hr = TSimd.Broadcast(hRows[r]);
            for (nuint j = 0; j < (nuint)ld; j += c)
            {
                TVec e = FastExp.Run<TSimd, TVec>(TSimd.MultiplyAdd(TSimd.Load(ref row, j), k, negShift));
                TSimd.Store(TSimd.Multiply(e, TSimd.Add(hr, TSimd.Load(ref hc, j))), ref row, j);
            }
        }
    }

    /// <summary>Backward pass over an m x ld tile of exponentials e: overwrites it with <c>w_ij = e_ij (h_i + h_j)</c>; hColumns has ld entries (zero in the padding).</summary>
    internal static void Weights(Span<float> e, int m, int ld, ReadOnlySpan<float> hRows, ReadOnlySpan<float> hColumns, KernelWidth width)
    {
        switch (width)
        {
            case KernelWidth.V512: Weights<Simd512, Vector512<float>>(e, m, ld, hRows, hColumns); break;
            case KernelWidth.V256: Weights<Simd256, Vector256<float>>(e, m, ld, hRows, hColumns); break;
            case KernelWidth.V128: Weights<Simd128, Vector128<float>>(e, m, ld, hRows, hColumns); break;
            default: Weights<SimdScalar, float>(e, m, ld, hRows, hColumns); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Weights<TSimd, TVec>(Span<float> e, int m, int ld, ReadOnlySpan<float> hRows, ReadOnlySpan<float> hColumns)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct
    {
        nuint c = (nuint)TSimd.Count;
        ref float hc = ref MemoryMarshal.GetReference(hColumns);
        for (int r = 0; r < m; r++)
        {
            ref float row = ref MemoryMarshal.GetReference(e.Slice(r * ld, ld));
            TVec hr = TSimd.Broadcast(hRows[r]);
            for (nuint j = 0; j < (nuint)ld; j += c)
            {
                TSimd.Store(TSimd.Multiply(TSimd.Load(ref row, j), TSimd.Add(hr, TSimd.Load(ref hc, j))), ref row, j);
            }
        }
    }
}
