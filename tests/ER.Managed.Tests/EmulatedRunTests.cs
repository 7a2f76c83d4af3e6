using System.Linq;
using ER.Managed.Kernels;
using ER.Managed.Tests.Kernels;

namespace ER.Managed.Tests;

/// <summary>What a run under emulation leaves out of the kernel widths, checked on this machine's own support.</summary>
public class EmulatedRunTests
{
    [Fact]
    public void A_native_run_tests_every_width_and_an_emulated_one_those_with_hardware_support()
    {
        Assert.Equal([KernelWidth.V512, KernelWidth.V256, KernelWidth.V128, KernelWidth.Scalar], KernelTestSupport.TestedWidths(emulated: false));
        KernelWidth[] emulated = KernelTestSupport.TestedWidths(emulated: true);

        // The width the library picks here and the scalar path always run; a width above it never does.
        Assert.Contains(KernelIsa.Best, emulated);
        Assert.Contains(KernelWidth.Scalar, emulated);
        Assert.All(emulated, w => Assert.True(w <= KernelIsa.Best, $"{w} above {KernelIsa.Best}"));
        Assert.Equal(KernelIsa.All.ToArray().Where(w => w <= KernelIsa.Best), emulated);
    }
}
