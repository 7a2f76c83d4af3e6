using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ER.Managed.Kernels.Drivers;

namespace ER.Managed.Kernels;

/// <summary>
/// Smallest element and sum of a float span in one pass (the probability-row check): the sum is
/// NaN or infinite when any element is, the minimum shows negative entries. Sum in float over
/// chunks of <see cref="ReduceDriver.ChunkLength"/>, chunks in double.
/// </summary>
/// <remarks>
/// The minimum is the hardware's (<see cref="ISimd{TVec}.MinNative"/>), in two chains: with
/// <see cref="ISimd{TVec}.Min"/>'s NaN and signed-zero rules in one chain, the check of the two
/// inputs took a third of the discrete reconstruction's time with it (0.097 of 0.285 ms at 64 x
/// 4096, one thread; 0.042 of 0.225 now, with <see cref="SimdTail"/>'s call-free partial loads;
/// Intel Xeon, Emerald Rapids, AVX-512, 2026-12-05). A NaN lane may then give any minimum, but it
/// makes the sum NaN, which the check refuses; the minimum of a span holding NaN is unspecified.
/// </remarks>
internal static class MinSumKernel
{
    internal static (float Min, double Sum) Run(ReadOnlySpan<float> x, KernelWidth width)
    {
        var work = new RunWork(x);
        WidthDispatch.Run(width, ref work);
        return work.Result;
    }

    private ref struct RunWork(ReadOnlySpan<float> x) : IWithWidth
    {
        private readonly ReadOnlySpan<float> _x = x;

        internal (float Min, double Sum) Result { get; private set; }

        public void Run<TSimd, TVec>()
            where TSimd : struct, ISimd<TVec>
            where TVec : struct => Result = MinSumKernel.Run<TSimd, TVec>(_x);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static (float Min, double Sum) Run<TSimd, TVec>(ReadOnlySpan<float> x)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        nuint n = (nuint)x.Length;
        nuint c = (nuint)TSimd.Count;
        TVec lo0 = TSimd.Broadcast(float.PositiveInfinity), lo1 = lo0;
        double total = 0.0;
        for (nuint start = 0; start < n; start += ReduceDriver.ChunkLength)
        {
            nuint end = Math.Min(n, start + ReduceDriver.ChunkLength);
            TVec s0 = TSimd.Zero, s1 = TSimd.Zero;
            nuint i = start;
            for (; i + (2 * c) <= end; i += 2 * c)
            {
                TVec v0 = TSimd.Load(ref xr, i), v1 = TSimd.Load(ref xr, i + c);
                lo0 = TSimd.MinNative(lo0, v0);
                lo1 = TSimd.MinNative(lo1, v1);
                s0 = TSimd.Add(s0, v0);
                s1 = TSimd.Add(s1, v1);
            }

            for (; i < end; i += c)
            {
                int rest = (int)Math.Min(c, end - i);
                TVec v = rest == (int)c ? TSimd.Load(ref xr, i) : SimdTail.LoadPartial<TSimd, TVec, float>(ref xr, i, rest, 0f);
                TVec vMin = rest == (int)c ? v : SimdTail.LoadPartial<TSimd, TVec, float>(ref xr, i, rest, float.PositiveInfinity);
                lo0 = TSimd.MinNative(lo0, vMin);
                s0 = TSimd.Add(s0, v);
            }

            total += TSimd.Sum(TSimd.Add(s0, s1));
        }

        return (TSimd.MinAcross(TSimd.MinNative(lo0, lo1)), total);
    }
}
