using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ER.Managed.Kernels;

/// <summary>
/// The discrete reconstruction's value and gradient for one row pair in one pass:
/// returns <c>sum_i a_i log(b_i + eps) + b_i log(a_i + eps)</c> (as <see cref="CrossLogKernel"/>) and writes
/// <c>ga_i = s (-log(b_i + eps) - b_i / (a_i + eps))</c>, <c>gb_i = s (-log(a_i + eps) - a_i / (b_i + eps))</c>.
/// </summary>
/// <remarks>Hand-written (not two TensorPrimitives passes) because the logs are shared between the value and both gradients.</remarks>
internal static class CrossLogGradientKernel
{
    internal static double Run(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> gradA, Span<float> gradB, float eps, float scale, KernelWidth width) => width switch
    {
        KernelWidth.V512 => Run<Simd512, Vector512<float>>(a, b, gradA, gradB, eps, scale),
        KernelWidth.V256 => Run<Simd256, Vector256<float>>(a, b, gradA, gradB, eps, scale),
        KernelWidth.V128 => Run<Simd128, Vector128<float>>(a, b, gradA, gradB, eps, scale),
        _ => Run<SimdScalar, float>(a, b, gradA, gradB, eps, scale),
    };

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static double Run<TSimd, TVec>(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> gradA, Span<float> gradB, float eps, float scale)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct
    {
        if (a.Length != b.Length || gradA.Length < a.Length || gradB.Length < a.Length)
        {
            throw new ArgumentException("The spans must have the same length.", nameof(b));
        }

        double total = 0.0;
        for (int start = 0; start < a.Length; start += SumExpKernel.ChunkLength)
        {
            int length = Math.Min(SumExpKernel.ChunkLength, a.Length - start);
            total += Chunk<TSimd, TVec>(a.Slice(start, length), b.Slice(start, length), gradA.Slice(start, length), gradB.Slice(start, length), eps, scale);
        }

        return total;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Chunk<TSimd, TVec>(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> gradA, Span<float> gradB, float eps, float scale)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct
    {
        ref float ar = ref MemoryMarshal.GetReference(a);
        ref float br = ref MemoryMarshal.GetReference(b);
        ref float gar = ref MemoryMarshal.GetReference(gradA);
        ref float gbr = ref MemoryMarshal.GetReference(gradB);
        nuint n = (nuint)a.Length;
        nuint c = (nuint)TSimd.Count;
        TVec e = TSimd.Broadcast(eps);
        TVec negS = TSimd.Broadcast(-scale);
        TVec sum = TSimd.Zero;
        for (nuint i = 0; i < n; i += c)
        {
            int rest = (int)Math.Min(c, n - i);
            bool full = rest == (int)c;
            TVec x = full ? TSimd.Load(ref ar, i) : SimdTail.LoadPartial<TSimd, TVec>(ref ar, i, rest, 0f);
            TVec y = full ? TSimd.Load(ref br, i) : SimdTail.LoadPartial<TSimd, TVec>(ref br, i, rest, 0f);
            TVec xe = TSimd.Add(x, e), ye = TSimd.Add(y, e);
            TVec logX = FastLog.Run<TSimd, TVec>(xe), logY = FastLog.Run<TSimd, TVec>(ye);
            sum = TSimd.MultiplyAdd(x, logY, TSimd.MultiplyAdd(y, logX, sum));
            TVec ga = TSimd.Multiply(negS, TSimd.Add(logY, TSimd.Divide(y, xe)));
            TVec gb = TSimd.Multiply(negS, TSimd.Add(logX, TSimd.Divide(x, ye)));
            if (full)
            {
                TSimd.Store(ga, ref gar, i);
                TSimd.Store(gb, ref gbr, i);
            }
            else
            {
                SimdTail.StorePartial<TSimd, TVec>(ga, ref gar, i, rest);
                SimdTail.StorePartial<TSimd, TVec>(gb, ref gbr, i, rest);
            }
        }

        return TSimd.Sum(sum);
    }
}
