using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ER.Managed.Kernels;

/// <summary>
/// Element-wise <c>y_i = exp(scale x_i + offset)</c> (the plain map is scale 1, offset 0). In place is allowed.
/// </summary>
/// <remarks>Hand-written rather than TensorPrimitives.Exp because the scale and offset are fused into the same pass.</remarks>
internal static class ExpMapKernel
{
    internal static void Run(ReadOnlySpan<float> x, Span<float> y, float scale, float offset, KernelWidth width)
    {
        switch (width)
        {
            case KernelWidth.V512: Run<Simd512, Vector512<float>>(x, y, scale, offset); break;
            case KernelWidth.V256: Run<Simd256, Vector256<float>>(x, y, scale, offset); break;
            case KernelWidth.V128: Run<Simd128, Vector128<float>>(x, y, scale, offset); break;
            default: Run<SimdScalar, float>(x, y, scale, offset); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Run<TSimd, TVec>(ReadOnlySpan<float> x, Span<float> y, float scale, float offset)
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
        TVec s = TSimd.Broadcast(scale);
        TVec o = TSimd.Broadcast(offset);
        nuint i = 0;
        for (; i + c <= n; i += c)
        {
            TSimd.Store(TSimd.Exp(TSimd.MultiplyAdd(TSimd.Load(ref xr, i), s, o)), ref yr, i);
        }

        if (i < n)
        {
            int rest = (int)(n - i);
            TVec v = TSimd.Exp(TSimd.MultiplyAdd(SimdTail.LoadPartial<TSimd, TVec>(ref xr, i, rest, 0f), s, o));
            SimdTail.StorePartial<TSimd, TVec>(v, ref yr, i, rest);
        }
    }
}
