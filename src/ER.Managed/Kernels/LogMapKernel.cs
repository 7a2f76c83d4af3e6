using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ER.Managed.Kernels;

/// <summary>
/// Element-wise <c>y_i = log(x_i + offset)</c>, the sum <c>x_i + offset</c> rounded to float first
/// (as the original's float32 <c>log(p + eps)</c> does). In place is allowed.
/// </summary>
/// <remarks>Hand-written rather than TensorPrimitives.Log because the offset is fused into the same pass.</remarks>
internal static class LogMapKernel
{
    internal static void Run(ReadOnlySpan<float> x, Span<float> y, float offset, KernelWidth width)
    {
        switch (width)
        {
            case KernelWidth.V512: Run<Simd512, Vector512<float>>(x, y, offset); break;
            case KernelWidth.V256: Run<Simd256, Vector256<float>>(x, y, offset); break;
            case KernelWidth.V128: Run<Simd128, Vector128<float>>(x, y, offset); break;
            default: Run<SimdScalar, float>(x, y, offset); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Run<TSimd, TVec>(ReadOnlySpan<float> x, Span<float> y, float offset)
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
        TVec o = TSimd.Broadcast(offset);
        nuint i = 0;
        for (; i + c <= n; i += c)
        {
            TSimd.Store(FastLog.Run<TSimd, TVec>(TSimd.Add(TSimd.Load(ref xr, i), o)), ref yr, i);
        }

        if (i < n)
        {
            int rest = (int)(n - i);
            TVec v = FastLog.Run<TSimd, TVec>(TSimd.Add(SimdTail.LoadPartial<TSimd, TVec>(ref xr, i, rest, 1f), o));
            SimdTail.StorePartial<TSimd, TVec>(v, ref yr, i, rest);
        }
    }
}
