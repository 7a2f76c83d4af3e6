using System.Collections.Generic;
using ER.Managed.Kernels;

namespace ER.Managed.Tests.Kernels;

internal static class KernelTestSupport
{
    /// <summary>Unit roundoff of float32, 2^-24.</summary>
    internal const double U = 1.0 / (1 << 24);

    /// <summary>Every width, emulated where the hardware lacks it, so each path runs on every machine.</summary>
    public static IEnumerable<object[]> Widths()
    {
        foreach (KernelWidth w in KernelIsa.All.ToArray())
        {
            yield return new object[] { (int)w };
        }
    }

    internal const int MaxLength = 300;

    /// <summary>Uniform floats in [lo, hi), seeded by length so failures reproduce.</summary>
    internal static float[] Uniform(int length, int seed, float lo = -1f, float hi = 1f)
    {
        var random = new Random(seed);
        var x = new float[length];
        for (int i = 0; i < length; i++)
        {
            x[i] = lo + ((hi - lo) * random.NextSingle());
        }

        return x;
    }
}
