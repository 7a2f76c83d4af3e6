using System.Runtime.CompilerServices;
using ER.Managed.Kernels.Drivers;

namespace ER.Managed.Kernels;

/// <summary>
/// Element-wise <c>y_i = exp(scale x_i + offset)</c> (the plain map is scale 1, offset 0). In place is allowed.
/// </summary>
/// <remarks>Hand-written rather than TensorPrimitives.Exp because the scale and offset are fused into the same pass.</remarks>
internal static class ExpMapKernel
{
    internal static void Run(ReadOnlySpan<float> x, Span<float> y, float scale, float offset, KernelWidth width) =>
        MapDriver.Run(x, y, new ScaledExp(scale, offset), width);
}

/// <summary><c>exp(scale x + offset)</c>, the multiply-add fused; padding -inf maps to 0 for a positive scale (so sums of it ignore padding).</summary>
internal readonly struct ScaledExp(float scale, float offset) : IUnaryOperator
{
    public float Padding => float.NegativeInfinity;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVec Invoke<TSimd, TVec>(TVec x)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct => TSimd.Exp(TSimd.MultiplyAdd(x, TSimd.Broadcast(scale), TSimd.Broadcast(offset)));
}
