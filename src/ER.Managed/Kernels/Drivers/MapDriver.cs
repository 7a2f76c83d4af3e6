using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ER.Managed.Kernels.Drivers;

/// <summary>
/// <c>y_i = f(x_i)</c> for an <see cref="IUnaryOperator"/> f: chooses the width once per call, runs
/// full registers, then the tail as one partial register (a masked load padded with
/// <see cref="IUnaryOperator.Padding"/>, a masked store), so the tail takes the same arithmetic as
/// the body. In place (<c>y</c> the same span as <c>x</c>) is allowed.
/// </summary>
internal static class MapDriver
{
    internal static void Run<TOp>(ReadOnlySpan<float> x, Span<float> y, TOp op, KernelWidth width)
        where TOp : struct, IUnaryOperator
    {
        switch (width)
        {
            case KernelWidth.V512: Run<Simd512, Vector512<float>, TOp>(x, y, op); break;
            case KernelWidth.V256: Run<Simd256, Vector256<float>, TOp>(x, y, op); break;
            case KernelWidth.V128: Run<Simd128, Vector128<float>, TOp>(x, y, op); break;
            default: Run<SimdScalar, float, TOp>(x, y, op); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Run<TSimd, TVec, TOp>(ReadOnlySpan<float> x, Span<float> y, TOp op)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct
        where TOp : struct, IUnaryOperator
    {
        if (y.Length < x.Length)
        {
            throw new ArgumentException("The destination is shorter than the input.", nameof(y));
        }

        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        nuint n = (nuint)x.Length;
        nuint c = (nuint)TSimd.Count;
        nuint i = 0;
        for (; i + c <= n; i += c)
        {
            TSimd.Store(op.Invoke<TSimd, TVec>(TSimd.Load(ref xr, i)), ref yr, i);
        }

        if (i < n)
        {
            int rest = (int)(n - i);
            TVec v = op.Invoke<TSimd, TVec>(SimdTail.LoadPartial<TSimd, TVec, float>(ref xr, i, rest, op.Padding));
            SimdTail.StorePartial<TSimd, TVec, float>(v, ref yr, i, rest);
        }
    }
}
