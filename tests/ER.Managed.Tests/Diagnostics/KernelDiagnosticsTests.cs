using ER.Managed.Diagnostics;
using ER.Managed.Kernels;
using ER.Managed.Kernels.Gemm;

namespace ER.Managed.Tests.Diagnostics;

public class KernelDiagnosticsTests
{
    [Fact]
    public void Report_states_the_chosen_width_kernel_blocking_and_caches()
    {
        KernelReport report = KernelDiagnostics.Current;
        Assert.Equal(KernelIsa.Best.ToString(), report.KernelWidth);
        Assert.Equal(CacheSizes.Current.L1Data, report.L1DataBytes);
        Assert.Equal(CacheSizes.Current.Source, report.CacheSource);
        if (MicroKernels.For(KernelIsa.Best) is MicroKernelId id)
        {
            MicroKernelInfo info = MicroKernels.Describe(id);
            Assert.Equal((info.Name, info.Rows, info.Columns), (report.GemmKernel, report.Mr, report.Nr));
            Assert.Equal(info.Blocking, new GemmBlocking(report.Kc, report.Mc, report.Nc));
        }
        else
        {
            Assert.Equal(("dot-product", 0, 0), (report.GemmKernel, report.Mr, report.Kc));
        }
    }

    [Theory]
    [InlineData(0, 5, 0.0)]
    [InlineData(1, 3, 6.0)]
    [InlineData(256, 1, 2.0 * 256 * 256)]
    [InlineData(257, 1, 2.0 * ((256.0 * 257) + 1))]
    public void Gram_flops_count_the_diagonal_and_upper_blocks(int rows, int columns, double flops) =>
        Assert.Equal(flops, KernelDiagnostics.GramFlops(rows, columns));

    [Fact]
    public void Fma_peak_is_positive_and_arguments_are_checked()
    {
        Assert.True(KernelDiagnostics.MeasureFmaPeak(1) > 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => KernelDiagnostics.MeasureFmaPeak(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => KernelDiagnostics.GramFlops(-1, 3));
    }
}
