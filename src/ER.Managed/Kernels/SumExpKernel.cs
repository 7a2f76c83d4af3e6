using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ER.Managed.Kernels;

/// <summary>
/// <c>sum_i exp(scale * x_i - shift)</c>, the inner sum of a stable log-sum-exp, returned in double.
/// </summary>
/// <remarks>
/// The exponentials are summed in float with four independent accumulators over chunks of
/// <see cref="ChunkLength"/> elements, and the chunk sums in double: each float rounding chain
/// is then at most 1024 / (4 Count) terms long whatever the length, so the sum keeps
/// float's precision (about 1e-7 relative) for rows of any length.
/// </remarks>
internal static class SumExpKernel
{
    internal const int ChunkLength = 1024;

    internal static double Run(ReadOnlySpan<float> x, float scale, float shift, KernelWidth width) => width switch
    {
        KernelWidth.V512 => Run<Simd512, Vector512<float>>(x, scale, shift),
        KernelWidth.V256 => Run<Simd256, Vector256<float>>(x, scale, shift),
        KernelWidth.V128 => Run<Simd128, Vector128<float>>(x, scale, shift),
        _ => Run<SimdScalar, float>(x, scale, shift),
    };

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static double Run<TSimd, TVec>(ReadOnlySpan<float> x, float scale, float shift)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct
    {
        double total = 0.0;
        for (int start = 0; start < x.Length; start += ChunkLength)
        {
            total += Chunk<TSimd, TVec>(x.Slice(start, Math.Min(ChunkLength, x.Length - start)), scale, shift);
        }

        return total;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Chunk<TSimd, TVec>(ReadOnlySpan<float> x, float scale, float shift)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        nuint n = (nuint)x.Length;
        nuint c = (nuint)TSimd.Count;
        nuint i = 0;
        TVec s = TSimd.Broadcast(scale);
        TVec negShift = TSimd.Broadcast(-shift);
        TVec a0 = TSimd.Zero, a1 = TSimd.Zero, a2 = TSimd.Zero, a3 = TSimd.Zero;
        for (; i + (4 * c) <= n; i += 4 * c)
        {
            a0 = TSimd.Add(a0, TSimd.Exp(TSimd.MultiplyAdd(TSimd.Load(ref xr, i), s, negShift)));
            a1 = TSimd.Add(a1, TSimd.Exp(TSimd.MultiplyAdd(TSimd.Load(ref xr, i + c), s, negShift)));
            a2 = TSimd.Add(a2, TSimd.Exp(TSimd.MultiplyAdd(TSimd.Load(ref xr, i + (2 * c)), s, negShift)));
            a3 = TSimd.Add(a3, TSimd.Exp(TSimd.MultiplyAdd(TSimd.Load(ref xr, i + (3 * c)), s, negShift)));
        }

        for (; i + c <= n; i += c)
        {
            a0 = TSimd.Add(a0, TSimd.Exp(TSimd.MultiplyAdd(TSimd.Load(ref xr, i), s, negShift)));
        }

        if (i < n)
        {
            // Padding lanes hold -inf, whose exponential adds nothing (scale > 0).
            TVec tail = SimdTail.LoadPartial<TSimd, TVec>(ref xr, i, (int)(n - i), float.NegativeInfinity);
            a1 = TSimd.Add(a1, TSimd.Exp(TSimd.MultiplyAdd(tail, s, negShift)));
        }

        return TSimd.Sum(TSimd.Add(TSimd.Add(a0, a1), TSimd.Add(a2, a3)));
    }
}
