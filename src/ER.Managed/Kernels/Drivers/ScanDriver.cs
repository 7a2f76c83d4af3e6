using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ER.Managed.Kernels.Drivers;

/// <summary>
/// The next element above a threshold: <c>min { j &gt;= start : x_j &gt; t }</c> (or <c>&gt;=</c>),
/// <c>x.Length</c> if none. Whole registers with no lane above are passed over with one compare,
/// which is what makes a scan cheap where hits are rare (a kNN row's candidates, a tile's
/// near-duplicate pairs); the last partial register is read element by element. NaN is never above.
/// </summary>
internal static class ScanDriver
{
    internal static int NextAbove(ReadOnlySpan<float> x, int start, float threshold, bool orEqual, KernelWidth width) => width switch
    {
        KernelWidth.V512 => NextAbove<Simd512, Vector512<float>>(x, start, threshold, orEqual),
        KernelWidth.V256 => NextAbove<Simd256, Vector256<float>>(x, start, threshold, orEqual),
        KernelWidth.V128 => NextAbove<Simd128, Vector128<float>>(x, start, threshold, orEqual),
        _ => NextAbove<SimdScalar, float>(x, start, threshold, orEqual),
    };

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static int NextAbove<TSimd, TVec>(ReadOnlySpan<float> x, int start, float threshold, bool orEqual)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        int n = x.Length, c = TSimd.Count, j = start;
        TVec limit = TSimd.Broadcast(threshold);
        for (; j + c <= n; j += c)
        {
            if (TSimd.AnyAbove(TSimd.Load(ref xr, (nuint)j), limit, orEqual))
            {
                break;
            }
        }

        for (; j < n; j++)
        {
            float v = Unsafe.Add(ref xr, j);
            if (orEqual ? v >= threshold : v > threshold)
            {
                return j;
            }
        }

        return n;
    }

    /// <summary>
    /// Reports every element of a row at or above a cut: the row's own cut (one for all elements,
    /// which <paramref name="hits"/> may raise as it goes) and, with <paramref name="columns"/>, each
    /// element's own in <paramref name="columnCuts"/> (which hits may raise too). One pass: a kNN tile
    /// row offers each similarity to its row and to its column's row at once. Whole registers with no
    /// lane at or above either cut are passed over with two compares; NaN is never reported.
    /// </summary>
    internal static void ScanRow<THits>(ReadOnlySpan<float> x, ReadOnlySpan<float> columnCuts, bool columns, ref THits hits, KernelWidth width)
        where THits : struct, IScanHits
    {
        if (columns && columnCuts.Length < x.Length)
        {
            throw new ArgumentException("One column cut per element is needed.", nameof(columnCuts));
        }

        switch (width)
        {
            case KernelWidth.V512: ScanRow<Simd512, Vector512<float>, THits>(x, columnCuts, columns, ref hits); break;
            case KernelWidth.V256: ScanRow<Simd256, Vector256<float>, THits>(x, columnCuts, columns, ref hits); break;
            case KernelWidth.V128: ScanRow<Simd128, Vector128<float>, THits>(x, columnCuts, columns, ref hits); break;
            default: ScanRow<SimdScalar, float, THits>(x, columnCuts, columns, ref hits); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void ScanRow<TSimd, TVec, THits>(ReadOnlySpan<float> x, ReadOnlySpan<float> columnCuts, bool columns, ref THits hits)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct
        where THits : struct, IScanHits
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float cr = ref MemoryMarshal.GetReference(columnCuts);
        int n = x.Length, c = TSimd.Count, j = 0;
        TVec rowLimit = TSimd.Broadcast(hits.RowCut);
        for (; j + c <= n; j += c)
        {
            TVec v = TSimd.Load(ref xr, (nuint)j);
            ulong lanes = TSimd.AtOrAboveMask(v, rowLimit);
            if (columns)
            {
                lanes |= TSimd.AtOrAboveMask(v, TSimd.Load(ref cr, (nuint)j));
            }

            if (lanes != 0)
            {
                // Only the flagged lanes are looked at, each against the cuts as they are now.
                do
                {
                    Lane(ref xr, ref cr, j + BitOperations.TrailingZeroCount(lanes), columns, ref hits);
                    lanes &= lanes - 1;
                }
                while (lanes != 0);

                rowLimit = TSimd.Broadcast(hits.RowCut);
            }
        }

        for (; j < n; j++)
        {
            Lane(ref xr, ref cr, j, columns, ref hits);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Lane<THits>(ref float xr, ref float cr, int j, bool columns, ref THits hits)
        where THits : struct, IScanHits
    {
        float value = Unsafe.Add(ref xr, j);
        if (value >= hits.RowCut)
        {
            hits.RowHit(j, value);
        }

        if (columns && value >= Unsafe.Add(ref cr, j))
        {
            hits.ColumnHit(j, value);
        }
    }
}

/// <summary>What <c>ScanDriver.ScanRow</c> reports to: the row's cut, and the elements at or above the cuts.</summary>
internal interface IScanHits
{
    /// <summary>The row's cut now (read again after every hit).</summary>
    float RowCut { get; }

    /// <summary>Element j is at or above the row's cut.</summary>
    void RowHit(int j, float value);

    /// <summary>Element j is at or above its column's cut.</summary>
    void ColumnHit(int j, float value);
}
