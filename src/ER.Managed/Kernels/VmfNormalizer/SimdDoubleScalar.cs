using System.Runtime.CompilerServices;
using Vec = double;

namespace ER.Managed.Kernels.VmfNormalizer;

/// <summary>
/// The scalar width: a "register" of one double, a mask being a double whose bits are all set
/// (true) or clear (false). It is what the scalar <see cref="ER.Managed.VonMisesFisher"/> API runs.
/// </summary>
internal readonly struct SimdDoubleScalar : ISimdDouble<Vec>
{
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec SplitExponent(Vec x, out Vec exponent)
    {
        ulong bits = BitConverter.DoubleToUInt64Bits(x);
        ulong biasedExponent = (bits + DoubleBits.SqrtHalfOffset) >> 52;
        exponent = BitConverter.UInt64BitsToDouble(biasedExponent | DoubleBits.MagicBits) - DoubleBits.MagicPlusBias;
        return BitConverter.UInt64BitsToDouble(bits - (biasedExponent << 52) + DoubleBits.OneBits);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec LessThan(Vec a, Vec b) => a < b ? AllBits : 0.0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec LessThanOrEqual(Vec a, Vec b) => a <= b ? AllBits : 0.0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec GreaterThan(Vec a, Vec b) => a > b ? AllBits : 0.0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec Equal(Vec a, Vec b) => a == b ? AllBits : 0.0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec And(Vec a, Vec b) => IsSet(a) && IsSet(b) ? AllBits : 0.0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec Or(Vec a, Vec b) => IsSet(a) || IsSet(b) ? AllBits : 0.0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec AndNot(Vec a, Vec b) => IsSet(a) && !IsSet(b) ? AllBits : 0.0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec Select(Vec mask, Vec whenTrue, Vec whenFalse) => IsSet(mask) ? whenTrue : whenFalse;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Any(Vec mask) => IsSet(mask);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool All(Vec mask) => IsSet(mask);

    /// <summary>A true mask: every bit set (a NaN). A property, not a static readonly field, which the JIT
    /// could not fold in code compiled before the type's initializer ran (TieredCompilation off).</summary>
    private static Vec AllBits
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => BitConverter.Int64BitsToDouble(-1L);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsSet(Vec mask) => BitConverter.DoubleToInt64Bits(mask) != 0;
}
