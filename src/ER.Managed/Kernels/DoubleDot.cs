using System.Numerics;

namespace ER.Managed.Kernels;

/// <summary>
/// A dot product of float rows accumulated in double, for the few places where a similarity must be
/// exact to double (near-duplicate pairs at large kappa, the rows' squared norms). It uses
/// <c>Vector&lt;T&gt;</c>'s widening, which the fixed-width structs do not offer; at 256 bits on
/// every x86 path it is a small share of the terms' time.
/// </summary>
internal static class DoubleDot
{
    /// <summary>a . b summed in double (float products are exact in double).</summary>
    internal static double Compute(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var sum0 = Vector<double>.Zero;
        var sum1 = Vector<double>.Zero;
        int t = 0;
        for (; t <= a.Length - Vector<float>.Count; t += Vector<float>.Count)
        {
            Vector.Widen(new Vector<float>(a.Slice(t)), out Vector<double> aLow, out Vector<double> aHigh);
            Vector.Widen(new Vector<float>(b.Slice(t)), out Vector<double> bLow, out Vector<double> bHigh);
            sum0 += aLow * bLow;
            sum1 += aHigh * bHigh;
        }

        double sum = Vector.Sum(sum0 + sum1);
        for (; t < a.Length; t++)
        {
            sum += (double)a[t] * b[t];
        }

        return sum;
    }

    /// <summary><c>||a sa - b sb||^2</c> in double: the scaled rows' differences are formed and squared in double, so a near-duplicate pair's small distance keeps its digits.</summary>
    internal static double DistanceSquared(ReadOnlySpan<float> a, double sa, ReadOnlySpan<float> b, double sb) =>
        DistancesSquared(a, sa, b, sb, b, sb).First;

    /// <summary>
    /// <see cref="DistanceSquared"/> of one row a against two rows at once: the two rows' loads are
    /// independent, so where they come from memory (a kNN row's candidates, scattered through Z)
    /// their cache misses overlap instead of following one another. Same arithmetic as two calls.
    /// </summary>
    internal static (double First, double Second) DistancesSquared(ReadOnlySpan<float> a, double sa, ReadOnlySpan<float> b0, double s0, ReadOnlySpan<float> b1, double s1)
    {
        if (b0.Length != a.Length || b1.Length != a.Length)
        {
            throw new ArgumentException("The rows must have the same length.", nameof(b0));
        }

        var scaleA = new Vector<double>(sa);
        var scale0 = new Vector<double>(s0);
        var scale1 = new Vector<double>(s1);
        Vector<double> sum00 = Vector<double>.Zero, sum01 = Vector<double>.Zero, sum10 = Vector<double>.Zero, sum11 = Vector<double>.Zero;
        int t = 0;
        for (; t <= a.Length - Vector<float>.Count; t += Vector<float>.Count)
        {
            Vector.Widen(new Vector<float>(a.Slice(t)), out Vector<double> aLow, out Vector<double> aHigh);
            Vector.Widen(new Vector<float>(b0.Slice(t)), out Vector<double> low0, out Vector<double> high0);
            Vector.Widen(new Vector<float>(b1.Slice(t)), out Vector<double> low1, out Vector<double> high1);
            aLow *= scaleA;
            aHigh *= scaleA;
            Vector<double> d00 = aLow - (low0 * scale0), d01 = aHigh - (high0 * scale0);
            Vector<double> d10 = aLow - (low1 * scale1), d11 = aHigh - (high1 * scale1);
            sum00 += d00 * d00;
            sum01 += d01 * d01;
            sum10 += d10 * d10;
            sum11 += d11 * d11;
        }

        double first = Vector.Sum(sum00 + sum01), second = Vector.Sum(sum10 + sum11);
        for (; t < a.Length; t++)
        {
            double difference0 = (a[t] * sa) - (b0[t] * s0), difference1 = (a[t] * sa) - (b1[t] * s1);
            first += difference0 * difference0;
            second += difference1 * difference1;
        }

        return (first, second);
    }
}
