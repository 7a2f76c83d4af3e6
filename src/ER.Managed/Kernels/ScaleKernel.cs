using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ER.Managed.Kernels;

/// <summary>In-place <c>x_i *= factor</c>.</summary>
internal static class ScaleKernel
{
    internal static void Run(Span<float> x, float factor, KernelWidth width)
    {
        switch (width)
        {
            case KernelWidth.V512: Run<Simd512, Vector512<float>>(x, factor); break;
            case KernelWidth.V256: Run<Simd256, Vector256<float>>(x, factor); break;
            case KernelWidth.V128: Run<Simd128, Vector128<float>>(x, factor); break;
            default: Run<SimdScalar, float>(x, factor); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Run<TSimd, TVec>(Span<float> x, float factor)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        nuint n = (nuint)x.Length;
        nuint c = (nuint)TSimd.Count;
        TVec f = TSimd.Broadcast(factor);
        nuint i = 0;
        for (; i + c <= n; i += c)
        {
            TSimd.Store(TSimd.Multiply(TSimd.Load(ref xr, i), f), ref xr, i);
        }

        for (; i < n; i++)
        {
            x[(int)i] *= factor;
        }
    }
}
