using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ER.Managed.Kernels;

/// <summary>
/// The symmetric cross term of the discrete reconstruction for one row pair,
/// <c>sum_i a_i log(b_i + eps) + b_i log(a_i + eps)</c>, fused in one pass (two logs and two
/// FMAs an element), the sums <c>x + eps</c> rounded to float as in the original. Float
/// accumulators over chunks, chunk sums in double.
/// </summary>
internal static class CrossLogKernel
{
    internal static double Run(ReadOnlySpan<float> a, ReadOnlySpan<float> b, float eps, KernelWidth width) => width switch
    {
        KernelWidth.V512 => Run<Simd512, Vector512<float>>(a, b, eps),
        KernelWidth.V256 => Run<Simd256, Vector256<float>>(a, b, eps),
        KernelWidth.V128 => Run<Simd128, Vector128<float>>(a, b, eps),
        _ => Run<SimdScalar, float>(a, b, eps),
    };

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static double Run<TSimd, TVec>(ReadOnlySpan<float> a, ReadOnlySpan<float> b, float eps)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException("The spans must have the same length.", nameof(b));
        }

        double total = 0.0;
        for (int start = 0; start < a.Length; start += SumExpKernel.ChunkLength)
        {
            int length = Math.Min(SumExpKernel.ChunkLength, a.Length - start);
            total += Chunk<TSimd, TVec>(a.Slice(start, length), b.Slice(start, length), eps);
        }

        return total;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Chunk<TSimd, TVec>(ReadOnlySpan<float> a, ReadOnlySpan<float> b, float eps)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct
    {
        // The same operations in the same order as CrossLogGradientKernel, so the forward alone
        // and the forward with gradients give the same value bit for bit.
        ref float ar = ref MemoryMarshal.GetReference(a);
        ref float br = ref MemoryMarshal.GetReference(b);
        nuint n = (nuint)a.Length;
        nuint c = (nuint)TSimd.Count;
        TVec e = TSimd.Broadcast(eps);
        TVec sum = TSimd.Zero;
        for (nuint i = 0; i < n; i += c)
        {
            // Full registers, then one masked tail: zero padding adds 0 * log(eps) = 0.
            int rest = (int)Math.Min(c, n - i);
            bool full = rest == (int)c;
            TVec x = full ? TSimd.Load(ref ar, i) : SimdTail.LoadPartial<TSimd, TVec>(ref ar, i, rest, 0f);
            TVec y = full ? TSimd.Load(ref br, i) : SimdTail.LoadPartial<TSimd, TVec>(ref br, i, rest, 0f);
            TVec logX = FastLog.Run<TSimd, TVec>(TSimd.Add(x, e)), logY = FastLog.Run<TSimd, TVec>(TSimd.Add(y, e));
            sum = TSimd.MultiplyAdd(x, logY, TSimd.MultiplyAdd(y, logX, sum));
        }

        return TSimd.Sum(sum);
    }
}
