using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ER.Managed.Kernels;

/// <summary>
/// Dot product <c>sum_i x_i y_i</c> of two float spans of equal length, in float with four
/// independent accumulators (they hide the FMA latency and shorten each rounding chain).
/// </summary>
internal static class DotKernel
{
    internal static float Run(ReadOnlySpan<float> x, ReadOnlySpan<float> y, KernelWidth width) => width switch
    {
        KernelWidth.V512 => Run<Simd512, Vector512<float>>(x, y),
        KernelWidth.V256 => Run<Simd256, Vector256<float>>(x, y),
        KernelWidth.V128 => Run<Simd128, Vector128<float>>(x, y),
        _ => Run<SimdScalar, float>(x, y),
    };

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static float Run<TSimd, TVec>(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct
    {
        if (x.Length != y.Length)
        {
            throw new ArgumentException("The spans must have the same length.", nameof(y));
        }

        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        nuint n = (nuint)x.Length;
        nuint c = (nuint)TSimd.Count;
        nuint i = 0;
        TVec a0 = TSimd.Zero, a1 = TSimd.Zero, a2 = TSimd.Zero, a3 = TSimd.Zero;
        for (; i + (4 * c) <= n; i += 4 * c)
        {
            a0 = TSimd.MultiplyAdd(TSimd.Load(ref xr, i), TSimd.Load(ref yr, i), a0);
            a1 = TSimd.MultiplyAdd(TSimd.Load(ref xr, i + c), TSimd.Load(ref yr, i + c), a1);
            a2 = TSimd.MultiplyAdd(TSimd.Load(ref xr, i + (2 * c)), TSimd.Load(ref yr, i + (2 * c)), a2);
            a3 = TSimd.MultiplyAdd(TSimd.Load(ref xr, i + (3 * c)), TSimd.Load(ref yr, i + (3 * c)), a3);
        }

        for (; i + c <= n; i += c)
        {
            a0 = TSimd.MultiplyAdd(TSimd.Load(ref xr, i), TSimd.Load(ref yr, i), a0);
        }

        if (i < n)
        {
            int rest = (int)(n - i);
            a1 = TSimd.MultiplyAdd(
                SimdTail.LoadPartial<TSimd, TVec>(ref xr, i, rest, 0f),
                SimdTail.LoadPartial<TSimd, TVec>(ref yr, i, rest, 0f),
                a1);
        }

        return TSimd.Sum(TSimd.Add(TSimd.Add(a0, a1), TSimd.Add(a2, a3)));
    }
}
