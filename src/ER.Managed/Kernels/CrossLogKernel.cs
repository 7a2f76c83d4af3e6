using System.Runtime.CompilerServices;
using ER.Managed.Kernels.Drivers;

namespace ER.Managed.Kernels;

/// <summary>
/// The symmetric cross term of the discrete reconstruction for one row pair,
/// <c>sum_i a_i log(b_i + eps) + b_i log(a_i + eps)</c>, fused in one pass (two logs and two
/// FMAs an element), the sums <c>x + eps</c> rounded to float as in the original
/// (<see cref="PairDriver"/>: float accumulation over chunks, chunk sums in double).
/// </summary>
/// <remarks>Hand-written because both logs, both products and (with gradients) both gradients share one pass.</remarks>
internal static class CrossLogKernel
{
    internal static double Run(ReadOnlySpan<float> a, ReadOnlySpan<float> b, float eps, KernelWidth width) =>
        PairDriver.Run(a, b, default, default, new CrossLogSum(eps), width);
}

/// <summary>The cross term alone; shares <see cref="Term{TSimd, TVec}"/> with <see cref="CrossLogWithGradient"/> so both give the same sum bit for bit.</summary>
internal readonly struct CrossLogSum(float eps) : IPairOperator
{
    public bool WritesOutputs => false;

    /// <summary><c>sum + a log(b + eps) + b log(a + eps)</c>, with the logs for the gradients; zero padding adds 0 log(eps) = 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVec Term<TSimd, TVec>(TVec x, TVec y, TVec xe, TVec ye, TVec sum, out TVec logX, out TVec logY)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct
    {
        FastLog.RunPair<TSimd, TVec>(xe, ye, out logX, out logY);
        return TSimd.MultiplyAdd(x, logY, TSimd.MultiplyAdd(y, logX, sum));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVec Invoke<TSimd, TVec>(TVec x, TVec y, TVec sum, out TVec first, out TVec second)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct
    {
        TVec e = TSimd.Broadcast(eps);
        first = second = TSimd.Zero;
        return Term<TSimd, TVec>(x, y, TSimd.Add(x, e), TSimd.Add(y, e), sum, out _, out _);
    }
}
