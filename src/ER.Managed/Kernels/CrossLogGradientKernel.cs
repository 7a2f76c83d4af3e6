using System.Runtime.CompilerServices;
using ER.Managed.Kernels.Drivers;

namespace ER.Managed.Kernels;

/// <summary>
/// The discrete reconstruction's value and gradient for one row pair in one pass:
/// returns <c>sum_i a_i log(b_i + eps) + b_i log(a_i + eps)</c> (as <see cref="CrossLogKernel"/>, bit for bit) and writes
/// <c>ga_i = s (-log(b_i + eps) - b_i / (a_i + eps))</c>, <c>gb_i = s (-log(a_i + eps) - a_i / (b_i + eps))</c>.
/// </summary>
/// <remarks>Hand-written (not two TensorPrimitives passes) because the logs are shared between the value and both gradients.</remarks>
internal static class CrossLogGradientKernel
{
    internal static double Run(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> gradA, Span<float> gradB, float eps, float scale, KernelWidth width) =>
        PairDriver.Run(a, b, gradA, gradB, new CrossLogWithGradient(eps, scale), width);
}

/// <summary>The cross term with both gradients, scaled by s.</summary>
internal readonly struct CrossLogWithGradient(float eps, float scale) : IPairOperator
{
    public bool WritesOutputs => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVec Invoke<TSimd, TVec>(TVec x, TVec y, TVec sum, out TVec first, out TVec second)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct
    {
        TVec e = TSimd.Broadcast(eps), negS = TSimd.Broadcast(-scale);
        TVec xe = TSimd.Add(x, e), ye = TSimd.Add(y, e);
        TVec total = CrossLogSum.Term<TSimd, TVec>(x, y, xe, ye, sum, out TVec logX, out TVec logY);
        first = TSimd.Multiply(negS, TSimd.Add(logY, TSimd.Divide(y, xe)));
        second = TSimd.Multiply(negS, TSimd.Add(logX, TSimd.Divide(x, ye)));
        return total;
    }
}
