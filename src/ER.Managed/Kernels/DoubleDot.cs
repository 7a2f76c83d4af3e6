using System;
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
}
