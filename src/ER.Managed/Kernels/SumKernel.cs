using System.Runtime.CompilerServices;
using ER.Managed.Kernels.Drivers;

namespace ER.Managed.Kernels;

/// <summary>
/// Sum of a float span, returned in double (<see cref="ReduceDriver"/>: float accumulators over
/// chunks, chunk sums in double, so the error stays near float's rounding of each chunk whatever
/// the length). Kept rather than TensorPrimitives.Sum, which accumulates the whole span in float.
/// </summary>
internal static class SumKernel
{
    internal static double Run(ReadOnlySpan<float> x, KernelWidth width) => ReduceDriver.Sum(x, default(Identity), width);
}

/// <summary>x itself; padding 0.</summary>
internal readonly struct Identity : IUnaryOperator
{
    public float Padding => 0f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVec Invoke<TSimd, TVec>(TVec x)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct => x;
}
