using System.Runtime.Intrinsics;
using ER.Managed.Kernels;

namespace ER.Managed.Tests.Kernels;

/// <summary>
/// The width the library selects follows the hardware and the DOTNET_Enable* switches that CI
/// sets, so a run with a switch off really exercises the narrower path.
/// </summary>
public class KernelIsaTests
{
    private static bool Disabled(string name) => Environment.GetEnvironmentVariable("DOTNET_" + name) == "0";

    [Fact]
    public void Best_width_is_the_widest_accelerated_one_and_honours_the_isa_switches()
    {
        KernelWidth expected =
            Vector512.IsHardwareAccelerated ? KernelWidth.V512
            : Vector256.IsHardwareAccelerated ? KernelWidth.V256
            : Vector128.IsHardwareAccelerated ? KernelWidth.V128
            : KernelWidth.Scalar;
        Assert.Equal(expected, KernelIsa.Best);
        Assert.True(KernelIsa.IsAccelerated(KernelIsa.Best));

        if (Disabled("EnableHWIntrinsic"))
        {
            Assert.Equal(KernelWidth.Scalar, KernelIsa.Best);
        }
        else if (Disabled("EnableAVX2"))
        {
            Assert.True(KernelIsa.Best <= KernelWidth.V128, $"AVX2 off but {KernelIsa.Best} selected");
        }
        else if (Disabled("EnableAVX512F") || Disabled("EnableAVX512"))
        {
            // .NET 10 groups the AVX-512 subsets under DOTNET_EnableAVX512 and ignores the old
            // DOTNET_EnableAVX512F alone, so CI sets both; this catches a run that set only one.
            Assert.True(KernelIsa.Best <= KernelWidth.V256, $"AVX-512 switched off but {KernelIsa.Best} selected: on .NET 10 set DOTNET_EnableAVX512=0 as well as DOTNET_EnableAVX512F=0.");
        }
    }
}
