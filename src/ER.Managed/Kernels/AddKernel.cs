using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ER.Managed.Kernels.Drivers;

namespace ER.Managed.Kernels;

/// <summary>
/// Four rows added into an accumulator in one pass. The plain axpy (<c>y += a x</c>) is
/// TensorPrimitives.MultiplyAdd: measured 2x faster than ours was (65536 floats, Zen 5), see
/// docs/tensor-primitives.md; this fused form has no TensorPrimitives equivalent short of four passes.
/// </summary>
internal static class AddKernel
{
    /// <summary>
    /// <c>y_i += x0_i + x1_i + x2_i + x3_i</c>: four rows added in one pass over y, so a column sum
    /// reads and writes its accumulator once per four rows instead of once per row.
    /// </summary>
    internal static void Run4(ReadOnlySpan<float> x0, ReadOnlySpan<float> x1, ReadOnlySpan<float> x2, ReadOnlySpan<float> x3, Span<float> y, KernelWidth width)
    {
        var work = new Run4Work(x0, x1, x2, x3, y);
        WidthDispatch.Run(width, ref work);
    }

    private readonly ref struct Run4Work(ReadOnlySpan<float> x0, ReadOnlySpan<float> x1, ReadOnlySpan<float> x2, ReadOnlySpan<float> x3, Span<float> y) : IWithWidth
    {
        private readonly ReadOnlySpan<float> _x0 = x0, _x1 = x1, _x2 = x2, _x3 = x3;
        private readonly Span<float> _y = y;

        public void Run<TSimd, TVec>()
            where TSimd : struct, ISimd<TVec>
            where TVec : struct => Run4<TSimd, TVec>(_x0, _x1, _x2, _x3, _y);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Run4<TSimd, TVec>(ReadOnlySpan<float> x0, ReadOnlySpan<float> x1, ReadOnlySpan<float> x2, ReadOnlySpan<float> x3, Span<float> y)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct
    {
        int n = y.Length;
        if (x0.Length < n || x1.Length < n || x2.Length < n || x3.Length < n)
        {
            throw new ArgumentException("The rows are shorter than the destination.", nameof(y));
        }

        ref float r0 = ref MemoryMarshal.GetReference(x0);
        ref float r1 = ref MemoryMarshal.GetReference(x1);
        ref float r2 = ref MemoryMarshal.GetReference(x2);
        ref float r3 = ref MemoryMarshal.GetReference(x3);
        ref float yr = ref MemoryMarshal.GetReference(y);
        nuint c = (nuint)TSimd.Count;
        nuint i = 0;
        for (; i + c <= (nuint)n; i += c)
        {
            TVec pair0 = TSimd.Add(TSimd.Load(ref r0, i), TSimd.Load(ref r1, i));
            TVec pair1 = TSimd.Add(TSimd.Load(ref r2, i), TSimd.Load(ref r3, i));
            TSimd.Store(TSimd.Add(TSimd.Load(ref yr, i), TSimd.Add(pair0, pair1)), ref yr, i);
        }

        if (i < (nuint)n)
        {
            // The tail as one partial register, the same arithmetic as the body.
            int rest = (int)((nuint)n - i);
            TVec pair0 = TSimd.Add(SimdTail.LoadPartial<TSimd, TVec, float>(ref r0, i, rest, 0f), SimdTail.LoadPartial<TSimd, TVec, float>(ref r1, i, rest, 0f));
            TVec pair1 = TSimd.Add(SimdTail.LoadPartial<TSimd, TVec, float>(ref r2, i, rest, 0f), SimdTail.LoadPartial<TSimd, TVec, float>(ref r3, i, rest, 0f));
            TVec sum = TSimd.Add(SimdTail.LoadPartial<TSimd, TVec, float>(ref yr, i, rest, 0f), TSimd.Add(pair0, pair1));
            SimdTail.StorePartial<TSimd, TVec, float>(sum, ref yr, i, rest);
        }
    }
}
