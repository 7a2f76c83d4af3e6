using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Vec = double;

namespace ER.Managed.Kernels.VmfNormalizer;

/// <summary>
/// The scalar width: a "register" of one double, a mask being a double whose bits are all set
/// (true) or clear (false). It is what the scalar <see cref="ER.Managed.VonMisesFisher"/> API runs.
/// </summary>
internal readonly struct SimdDoubleScalar : ISimdDouble<Vec>
{
    private static readonly Vec True = BitConverter.Int64BitsToDouble(-1L);

    public static int Count => 1;

    public static bool IsHardwareAccelerated => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec Broadcast(double value) => value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec Load(ref double source, nuint offset) => Unsafe.Add(ref source, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vec value, ref double destination, nuint offset) => Unsafe.Add(ref destination, offset) = value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec Add(Vec a, Vec b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec Subtract(Vec a, Vec b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec Multiply(Vec a, Vec b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec Divide(Vec a, Vec b) => a / b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec Sqrt(Vec x) => Math.Sqrt(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec Abs(Vec x) => Math.Abs(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec Max(Vec a, Vec b) => Math.Max(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec Min(Vec a, Vec b) => Math.Min(a, b);

    /// <summary>
    /// The runtime's vectorized log on a one-lane Vector128, not <see cref="Math.Log(double)"/>: the
    /// two differ by up to ~3 ulp, and the scalar width must give the wide widths' bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec Log(Vec x) => Vector128.Log(Vector128.CreateScalarUnsafe(x)).ToScalar();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec LessThan(Vec a, Vec b) => a < b ? True : 0.0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec LessThanOrEqual(Vec a, Vec b) => a <= b ? True : 0.0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec GreaterThan(Vec a, Vec b) => a > b ? True : 0.0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec Equal(Vec a, Vec b) => a == b ? True : 0.0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec And(Vec a, Vec b) => IsSet(a) && IsSet(b) ? True : 0.0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec Or(Vec a, Vec b) => IsSet(a) || IsSet(b) ? True : 0.0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec AndNot(Vec a, Vec b) => IsSet(a) && !IsSet(b) ? True : 0.0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec Select(Vec mask, Vec whenTrue, Vec whenFalse) => IsSet(mask) ? whenTrue : whenFalse;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Any(Vec mask) => IsSet(mask);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool All(Vec mask) => IsSet(mask);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsSet(Vec mask) => BitConverter.DoubleToInt64Bits(mask) != 0;
}
