using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Vec = System.Runtime.Intrinsics.Vector256<double>;
using VecOps = System.Runtime.Intrinsics.Vector256;

namespace ER.Managed.Kernels.VmfNormalizer;

/// <summary>The 256-bit width of doubles: Vector256&lt;double&gt;, Vec.Count doubles a register.</summary>
internal readonly struct SimdDouble256 : ISimdDouble<Vec>
{
    public static int Count => Vec.Count;

    public static bool IsHardwareAccelerated => VecOps.IsHardwareAccelerated;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec Broadcast(double value) => VecOps.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec Load(ref double source, nuint offset) => VecOps.LoadUnsafe(ref source, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vec value, ref double destination, nuint offset) => value.StoreUnsafe(ref destination, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec Add(Vec a, Vec b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec Subtract(Vec a, Vec b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec Multiply(Vec a, Vec b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec Divide(Vec a, Vec b) => a / b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec Sqrt(Vec x) => VecOps.Sqrt(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec Abs(Vec x) => VecOps.Abs(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec Max(Vec a, Vec b) => VecOps.Max(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec Min(Vec a, Vec b) => VecOps.Min(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec SplitExponent(Vec x, out Vec exponent)
    {
        // biased = bits + (bits(1.0) - bits(sqrt(1/2))) puts the mantissa in [sqrt(1/2), sqrt(2)) and
        // stays non-negative for every positive double, so a logical shift extracts e + 1023.
        var bits = x.AsUInt64();
        var biasedExponent = VecOps.ShiftRightLogical(bits + VecOps.Create(DoubleBits.SqrtHalfOffset), 52);
        exponent = (biasedExponent | VecOps.Create(DoubleBits.MagicBits)).AsDouble() - VecOps.Create(DoubleBits.MagicPlusBias);
        return (bits - VecOps.ShiftLeft(biasedExponent, 52) + VecOps.Create(DoubleBits.OneBits)).AsDouble();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec LessThan(Vec a, Vec b) => VecOps.LessThan(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec LessThanOrEqual(Vec a, Vec b) => VecOps.LessThanOrEqual(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec GreaterThan(Vec a, Vec b) => VecOps.GreaterThan(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec Equal(Vec a, Vec b) => VecOps.Equals(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec And(Vec a, Vec b) => a & b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec Or(Vec a, Vec b) => a | b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec AndNot(Vec a, Vec b) => VecOps.AndNot(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec Select(Vec mask, Vec whenTrue, Vec whenFalse) => VecOps.ConditionalSelect(mask, whenTrue, whenFalse);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Any(Vec mask) => VecOps.ExtractMostSignificantBits(mask) != 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool All(Vec mask) => VecOps.ExtractMostSignificantBits(mask) == (1u << Vec.Count) - 1u;
}
