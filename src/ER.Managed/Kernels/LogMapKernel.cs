using System.Runtime.CompilerServices;
using ER.Managed.Kernels.Drivers;

namespace ER.Managed.Kernels;

/// <summary>
/// Element-wise <c>y_i = log(x_i + offset)</c>, the sum <c>x_i + offset</c> rounded to float first
/// (as the original's float32 <c>log(p + eps)</c> does). In place is allowed.
/// </summary>
/// <remarks>Hand-written rather than TensorPrimitives.Log because the offset is fused into the same pass.</remarks>
internal static class LogMapKernel
{
    internal static void Run(ReadOnlySpan<float> x, Span<float> y, float offset, KernelWidth width) =>
        MapDriver.Run(x, y, new OffsetLog(offset), width);
}

/// <summary><c>log(x + offset)</c> (<see cref="FastLog"/>); padding 1 keeps the tail's logs finite.</summary>
internal readonly struct OffsetLog(float offset) : IUnaryOperator
{
    public float Padding => 1f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVec Invoke<TSimd, TVec>(TVec x)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct => FastLog.Run<TSimd, TVec>(TSimd.Add(x, TSimd.Broadcast(offset)));
}
