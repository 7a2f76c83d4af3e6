using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Vec = System.Runtime.Intrinsics.Vector256<float>;
using VecOps = System.Runtime.Intrinsics.Vector256;

namespace ER.Managed.Kernels;

/// <summary>The 256-bit width: Vector256&lt;float&gt;, Vec.Count floats a register.</summary>
internal readonly struct Simd256 : ISimd<Vec>
{
    public static int Count => Vec.Count;

    public static bool IsHardwareAccelerated => VecOps.IsHardwareAccelerated;

    public static Vec Zero => Vec.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec Broadcast(float value) => VecOps.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec Load(ref float source, nuint offset) => VecOps.LoadUnsafe(ref source, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vec value, ref float destination, nuint offset) => value.StoreUnsafe(ref destination, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec Add(Vec a, Vec b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec Subtract(Vec a, Vec b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec Multiply(Vec a, Vec b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec Divide(Vec a, Vec b) => a / b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec MultiplyAdd(Vec a, Vec b, Vec c) => VecOps.MultiplyAddEstimate(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec MinNative(Vec a, Vec b) => VecOps.MinNative(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec Exp(Vec x) => VecOps.Exp(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec Log(Vec x) => VecOps.Log(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec MultiplyByPowerOfTwo(Vec x, Vec n) =>
        (x.AsInt32() + VecOps.ShiftLeft(VecOps.ConvertToInt32Native(n), 23)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec SplitExponent(Vec x, out Vec exponent)
    {
        // Subtracting the bits of sqrt(1/2) first puts the mantissa in [sqrt(1/2), sqrt(2)).
        var bits = x.AsInt32();
        var e = VecOps.ShiftRightArithmetic(bits - VecOps.Create(0x3F3504F3), 23);
        exponent = VecOps.ConvertToSingle(e);
        return (bits - VecOps.ShiftLeft(e, 23)).AsSingle();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec ZeroWhereBelow(Vec value, Vec x, Vec limit) =>
        VecOps.ConditionalSelect(VecOps.GreaterThanOrEqual(x, limit), value, Vec.Zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vec value) => VecOps.Sum(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AnyAbove(Vec value, Vec limit, bool orEqual) =>
        orEqual ? VecOps.GreaterThanOrEqualAny(value, limit) : VecOps.GreaterThanAny(value, limit);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong AtOrAboveMask(Vec value, Vec limit) => VecOps.GreaterThanOrEqual(value, limit).ExtractMostSignificantBits();
}
