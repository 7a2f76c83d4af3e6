using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ER.Managed.Kernels.Drivers;

/// <summary>
/// <c>sum_i t(a_i, b_i)</c> for an <see cref="IPairOperator"/> t, in double (float accumulation over
/// chunks of <see cref="ReduceDriver.ChunkLength"/>, chunks in double), and, when the operator
/// <see cref="IPairOperator.WritesOutputs"/>, its two element-wise outputs: a map-reduce in one pass.
/// One accumulator register, in element order, so that an operator computing only the sum and
/// one computing the sum with outputs, sharing their term, give the same sum bit for bit. The tail
/// is one partial register of zeros.
/// </summary>
internal static class PairDriver
{
    internal static double Run<TOp>(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> first, Span<float> second, TOp op, KernelWidth width)
        where TOp : struct, IPairOperator => width switch
        {
            KernelWidth.V512 => Run<Simd512, Vector512<float>, TOp>(a, b, first, second, op),
            KernelWidth.V256 => Run<Simd256, Vector256<float>, TOp>(a, b, first, second, op),
            KernelWidth.V128 => Run<Simd128, Vector128<float>, TOp>(a, b, first, second, op),
            _ => Run<SimdScalar, float, TOp>(a, b, first, second, op),
        };

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static double Run<TSimd, TVec, TOp>(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> first, Span<float> second, TOp op)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct
        where TOp : struct, IPairOperator
    {
        if (a.Length != b.Length || (op.WritesOutputs && (first.Length < a.Length || second.Length < a.Length)))
        {
            throw new ArgumentException("The spans must have the same length.", nameof(b));
        }

        double total = 0.0;
        for (int start = 0; start < a.Length; start += ReduceDriver.ChunkLength)
        {
            int length = Math.Min(ReduceDriver.ChunkLength, a.Length - start);
            total += op.WritesOutputs
                ? Chunk<TSimd, TVec, TOp>(a.Slice(start, length), b.Slice(start, length), first.Slice(start, length), second.Slice(start, length), op)
                : Chunk<TSimd, TVec, TOp>(a.Slice(start, length), b.Slice(start, length), default, default, op);
        }

        return total;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Chunk<TSimd, TVec, TOp>(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> first, Span<float> second, TOp op)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct
        where TOp : struct, IPairOperator
    {
        ref float ar = ref MemoryMarshal.GetReference(a);
        ref float br = ref MemoryMarshal.GetReference(b);
        ref float fr = ref MemoryMarshal.GetReference(first);
        ref float sr = ref MemoryMarshal.GetReference(second);
        nuint n = (nuint)a.Length;
        nuint c = (nuint)TSimd.Count;
        TVec sum = TSimd.Zero;
        nuint i = 0;
        for (; i + c <= n; i += c)
        {
            sum = op.Invoke<TSimd, TVec>(TSimd.Load(ref ar, i), TSimd.Load(ref br, i), sum, out TVec f, out TVec s);
            if (op.WritesOutputs)
            {
                TSimd.Store(f, ref fr, i);
                TSimd.Store(s, ref sr, i);
            }
        }

        if (i < n)
        {
            int rest = (int)(n - i);
            TVec x = SimdTail.LoadPartial<TSimd, TVec, float>(ref ar, i, rest, 0f);
            TVec y = SimdTail.LoadPartial<TSimd, TVec, float>(ref br, i, rest, 0f);
            sum = op.Invoke<TSimd, TVec>(x, y, sum, out TVec f, out TVec s);
            if (op.WritesOutputs)
            {
                SimdTail.StorePartial<TSimd, TVec, float>(f, ref fr, i, rest);
                SimdTail.StorePartial<TSimd, TVec, float>(s, ref sr, i, rest);
            }
        }

        return TSimd.Sum(sum);
    }
}
