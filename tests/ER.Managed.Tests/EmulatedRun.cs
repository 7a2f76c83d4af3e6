namespace ER.Managed.Tests;

/// <summary>
/// What a run under instruction-set emulation (linux-arm64 under qemu-user, where the suite runs 20 to
/// 180 times slower than natively) leaves to the native runs. The ARM64 runner sets
/// <see cref="Active"/> before it discovers the tests; test data reads it, so the cases left out are
/// not discovered at all (the runner prints how many ran of how many).
/// </summary>
/// <remarks>
/// Left out under emulation: the kernel widths this CPU does not run in hardware (V256 and V512 on
/// ARM64, where they are software vectors that the library never chooses; the x64 runs with AVX2 off
/// and with intrinsics off test the same software vectors), and the cases whose code paths smaller
/// cases of the same test take as well (marked where they are declared). Every ARM64 path, the
/// AdvSimd micro-kernel, Vector128 and scalar, still runs under emulation.
/// </remarks>
public static class EmulatedRun
{
    /// <summary>Whether this run is under emulation; false unless the ARM64 runner sets it.</summary>
    public static bool Active { get; set; }
}
