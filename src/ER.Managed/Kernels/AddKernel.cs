using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ER.Managed.Kernels;

/// <summary>In-place <c>y_i += a x_i</c> (axpy).</summary>
internal static class AddKernel
{
    internal static void Run(ReadOnlySpan<float> x, Span<float> y, float a, KernelWidth width)
    {
        switch (width)
        {
            case KernelWidth.V512: Run<Simd512, Vector512<float>>(x, y, a); break;
            case KernelWidth.V256: Run<Simd256, Vector256<float>>(x, y, a); break;
            case KernelWidth.V128: Run<Simd128, Vector128<float>>(x, y, a); break;
            default: Run<SimdScalar, float>(x, y, a); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Run<TSimd, TVec>(ReadOnlySpan<float> x, Span<float> y, float a)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct
    {
        if (y.Length < x.Length)
        {
            throw new ArgumentException("The destination is shorter than the input.", nameof(y));
        }

        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        nuint n = (nuint)x.Length;
        nuint c = (nuint)TSimd.Count;
        TVec av = TSimd.Broadcast(a);
        nuint i = 0;
        for (; i + c <= n; i += c)
        {
            TSimd.Store(TSimd.MultiplyAdd(TSimd.Load(ref xr, i), av, TSimd.Load(ref yr, i)), ref yr, i);
        }

        if (i < n)
        {
            int rest = (int)(n - i);
            TVec v = TSimd.MultiplyAdd(
                SimdTail.LoadPartial<TSimd, TVec>(ref xr, i, rest, 0f),
                av,
                SimdTail.LoadPartial<TSimd, TVec>(ref yr, i, rest, 0f));
            SimdTail.StorePartial<TSimd, TVec>(v, ref yr, i, rest);
        }
    }
}
