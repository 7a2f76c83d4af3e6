using System.Runtime.CompilerServices;
using Vec = float;

namespace ER.Managed.Kernels;

/// <summary>
/// The scalar fallback: a "register" of one float, for machines (or runs with
/// DOTNET_EnableHWIntrinsic=0) without SIMD. The same kernels run on it unchanged.
/// </summary>
internal readonly struct SimdScalar : ISimd<Vec>
{
    public static int Count => 1;

    public static bool IsHardwareAccelerated => true;

    public static Vec Zero => 0f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec Broadcast(float value) => value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec Load(ref float source, nuint offset) => Unsafe.Add(ref source, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vec value, ref float destination, nuint offset) => Unsafe.Add(ref destination, offset) = value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec Add(Vec a, Vec b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec Subtract(Vec a, Vec b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec Multiply(Vec a, Vec b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec Divide(Vec a, Vec b) => a / b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec MultiplyAdd(Vec a, Vec b, Vec c) => (a * b) + c;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec MinNative(Vec a, Vec b) => a < b ? a : b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec Exp(Vec x) => MathF.Exp(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec Log(Vec x) => MathF.Log(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec MultiplyByPowerOfTwo(Vec x, Vec n) => MathF.ScaleB(x, (int)n);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec SplitExponent(Vec x, out Vec exponent)
    {
        int bits = BitConverter.SingleToInt32Bits(x);
        int e = (bits - 0x3F3504F3) >> 23;
        exponent = e;
        return BitConverter.Int32BitsToSingle(bits - (e << 23));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec ZeroWhereBelow(Vec value, Vec x, Vec limit) => x >= limit ? value : 0f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vec value) => value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AnyAbove(Vec value, Vec limit, bool orEqual) => orEqual ? value >= limit : value > limit;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong AtOrAboveMask(Vec value, Vec limit) => value >= limit ? 1UL : 0UL;
}
