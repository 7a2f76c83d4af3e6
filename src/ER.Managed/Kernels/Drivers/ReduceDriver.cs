using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ER.Managed.Kernels.Drivers;

/// <summary>
/// <c>sum_i f(x_i)</c> for an <see cref="IUnaryOperator"/> f, returned in double: float
/// accumulators (four registers, for independent add chains) over chunks of <see cref="ChunkLength"/>
/// elements, the chunk sums added in double. Each float rounding chain is then at most
/// 1024 / (4 Count) terms long whatever the length, so the sum keeps float's precision (about
/// 1e-7 relative) for rows of any length; the tail is one partial register padded with
/// <see cref="IUnaryOperator.Padding"/>, whose images add nothing.
/// </summary>
internal static class ReduceDriver
{
    /// <summary>Elements per float-accumulated chunk.</summary>
    internal const int ChunkLength = 1024;

    internal static double Sum<TOp>(ReadOnlySpan<float> x, TOp op, KernelWidth width)
        where TOp : struct, IUnaryOperator => width switch
        {
            KernelWidth.V512 => Sum<Simd512, Vector512<float>, TOp>(x, op),
            KernelWidth.V256 => Sum<Simd256, Vector256<float>, TOp>(x, op),
            KernelWidth.V128 => Sum<Simd128, Vector128<float>, TOp>(x, op),
            _ => Sum<SimdScalar, float, TOp>(x, op),
        };

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static double Sum<TSimd, TVec, TOp>(ReadOnlySpan<float> x, TOp op)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct
        where TOp : struct, IUnaryOperator
    {
        double total = 0.0;
        for (int start = 0; start < x.Length; start += ChunkLength)
        {
            total += Chunk<TSimd, TVec, TOp>(x.Slice(start, Math.Min(ChunkLength, x.Length - start)), op);
        }

        return total;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Chunk<TSimd, TVec, TOp>(ReadOnlySpan<float> x, TOp op)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct
        where TOp : struct, IUnaryOperator
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        nuint n = (nuint)x.Length;
        nuint c = (nuint)TSimd.Count;
        nuint i = 0;
        TVec a0 = TSimd.Zero, a1 = TSimd.Zero, a2 = TSimd.Zero, a3 = TSimd.Zero;
        for (; i + (4 * c) <= n; i += 4 * c)
        {
            a0 = TSimd.Add(a0, op.Invoke<TSimd, TVec>(TSimd.Load(ref xr, i)));
            a1 = TSimd.Add(a1, op.Invoke<TSimd, TVec>(TSimd.Load(ref xr, i + c)));
            a2 = TSimd.Add(a2, op.Invoke<TSimd, TVec>(TSimd.Load(ref xr, i + (2 * c))));
            a3 = TSimd.Add(a3, op.Invoke<TSimd, TVec>(TSimd.Load(ref xr, i + (3 * c))));
        }

        for (; i + c <= n; i += c)
        {
            a0 = TSimd.Add(a0, op.Invoke<TSimd, TVec>(TSimd.Load(ref xr, i)));
        }

        if (i < n)
        {
            a1 = TSimd.Add(a1, op.Invoke<TSimd, TVec>(SimdTail.LoadPartial<TSimd, TVec, float>(ref xr, i, (int)(n - i), op.Padding)));
        }

        return TSimd.Sum(TSimd.Add(TSimd.Add(a0, a1), TSimd.Add(a2, a3)));
    }
}
