using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ER.Managed.Kernels;

/// <summary>
/// Smallest and largest element of a float span in one pass. Both are NaN if any element is
/// NaN, so "min and max finite" means "every element finite": the input checks use it.
/// An empty span gives (+inf, -inf).
/// </summary>
internal static class MinMaxKernel
{
    internal static (float Min, float Max) Run(ReadOnlySpan<float> x, KernelWidth width) => width switch
    {
        KernelWidth.V512 => Run<Simd512, Vector512<float>>(x),
        KernelWidth.V256 => Run<Simd256, Vector256<float>>(x),
        KernelWidth.V128 => Run<Simd128, Vector128<float>>(x),
        _ => Run<SimdScalar, float>(x),
    };

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static (float Min, float Max) Run<TSimd, TVec>(ReadOnlySpan<float> x)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        nuint n = (nuint)x.Length;
        nuint c = (nuint)TSimd.Count;
        nuint i = 0;
        TVec lo = TSimd.Broadcast(float.PositiveInfinity);
        TVec hi = TSimd.Broadcast(float.NegativeInfinity);
        for (; i + c <= n; i += c)
        {
            TVec v = TSimd.Load(ref xr, i);
            lo = TSimd.Min(lo, v);
            hi = TSimd.Max(hi, v);
        }

        if (i < n)
        {
            int rest = (int)(n - i);
            lo = TSimd.Min(lo, SimdTail.LoadPartial<TSimd, TVec>(ref xr, i, rest, float.PositiveInfinity));
            hi = TSimd.Max(hi, SimdTail.LoadPartial<TSimd, TVec>(ref xr, i, rest, float.NegativeInfinity));
        }

        return (TSimd.MinAcross(lo), TSimd.MaxAcross(hi));
    }
}
