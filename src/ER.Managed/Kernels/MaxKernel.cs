using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ER.Managed.Kernels;

/// <summary>Largest element of a float span (negative infinity for an empty one; NaN if any element is NaN).</summary>
internal static class MaxKernel
{
    internal static float Run(ReadOnlySpan<float> x, KernelWidth width) => width switch
    {
        KernelWidth.V512 => Run<Simd512, Vector512<float>>(x),
        KernelWidth.V256 => Run<Simd256, Vector256<float>>(x),
        KernelWidth.V128 => Run<Simd128, Vector128<float>>(x),
        _ => Run<SimdScalar, float>(x),
    };

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static float Run<TSimd, TVec>(ReadOnlySpan<float> x)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        nuint n = (nuint)x.Length;
        nuint c = (nuint)TSimd.Count;
        nuint i = 0;
        TVec m0 = TSimd.Broadcast(float.NegativeInfinity), m1 = m0;
        for (; i + (2 * c) <= n; i += 2 * c)
        {
            m0 = TSimd.Max(m0, TSimd.Load(ref xr, i));
            m1 = TSimd.Max(m1, TSimd.Load(ref xr, i + c));
        }

        for (; i + c <= n; i += c)
        {
            m0 = TSimd.Max(m0, TSimd.Load(ref xr, i));
        }

        if (i < n)
        {
            m1 = TSimd.Max(m1, SimdTail.LoadPartial<TSimd, TVec>(ref xr, i, (int)(n - i), float.NegativeInfinity));
        }

        return TSimd.MaxAcross(TSimd.Max(m0, m1));
    }
}
