using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ER.Managed.Kernels;

/// <summary>
/// Sum of a float span, returned in double: float accumulators (four registers) over chunks of
/// <see cref="SumExpKernel.ChunkLength"/> elements, chunk sums added in double, so the error
/// stays near float's rounding of each chunk whatever the length.
/// </summary>
internal static class SumKernel
{
    internal static double Run(ReadOnlySpan<float> x, KernelWidth width) => width switch
    {
        KernelWidth.V512 => Run<Simd512, Vector512<float>>(x),
        KernelWidth.V256 => Run<Simd256, Vector256<float>>(x),
        KernelWidth.V128 => Run<Simd128, Vector128<float>>(x),
        _ => Run<SimdScalar, float>(x),
    };

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static double Run<TSimd, TVec>(ReadOnlySpan<float> x)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct
    {
        double total = 0.0;
        for (int start = 0; start < x.Length; start += SumExpKernel.ChunkLength)
        {
            total += Chunk<TSimd, TVec>(x.Slice(start, Math.Min(SumExpKernel.ChunkLength, x.Length - start)));
        }

        return total;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Chunk<TSimd, TVec>(ReadOnlySpan<float> x)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        nuint n = (nuint)x.Length;
        nuint c = (nuint)TSimd.Count;
        nuint i = 0;
        TVec a0 = TSimd.Zero, a1 = TSimd.Zero, a2 = TSimd.Zero, a3 = TSimd.Zero;
        for (; i + (4 * c) <= n; i += 4 * c)
        {
            a0 = TSimd.Add(a0, TSimd.Load(ref xr, i));
            a1 = TSimd.Add(a1, TSimd.Load(ref xr, i + c));
            a2 = TSimd.Add(a2, TSimd.Load(ref xr, i + (2 * c)));
            a3 = TSimd.Add(a3, TSimd.Load(ref xr, i + (3 * c)));
        }

        for (; i + c <= n; i += c)
        {
            a0 = TSimd.Add(a0, TSimd.Load(ref xr, i));
        }

        if (i < n)
        {
            a1 = TSimd.Add(a1, SimdTail.LoadPartial<TSimd, TVec>(ref xr, i, (int)(n - i), 0f));
        }

        return TSimd.Sum(TSimd.Add(TSimd.Add(a0, a1), TSimd.Add(a2, a3)));
    }
}
