using System;
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
}
