using System.Collections.Generic;
using System.Linq;
using ER.Managed.Kernels;

namespace ER.Managed.Tests.Kernels;

internal static class KernelTestSupport
{
    /// <summary>Unit roundoff of float32, 2^-24.</summary>
    internal const double U = 1.0 / (1 << 24);

    /// <summary>
    /// The widths to test: every width, emulated where the hardware lacks it, so each path runs on every
    /// machine; under instruction-set emulation only those this CPU runs in hardware (<see cref="EmulatedRun"/>).
    /// </summary>
    internal static KernelWidth[] TestedWidths() => TestedWidths(EmulatedRun.Active);

    /// <summary>Every width, or under emulation (<paramref name="emulated"/>) those with hardware support here.</summary>
    internal static KernelWidth[] TestedWidths(bool emulated) =>
        emulated ? KernelIsa.All.ToArray().Where(KernelIsa.IsAccelerated).ToArray() : KernelIsa.All.ToArray();

    /// <summary><see cref="TestedWidths"/> as theory data (the width in bits).</summary>
    public static IEnumerable<object[]> Widths()
    {
        foreach (KernelWidth w in TestedWidths())
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
