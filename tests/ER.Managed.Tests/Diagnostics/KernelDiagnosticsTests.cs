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
    public void Gram_flops_of_the_smallest_inputs(int rows, int columns, double flops) =>
        Assert.Equal(flops, KernelDiagnostics.GramFlops(rows, columns));

    [Theory]
    [InlineData(256, 41344.0, 35296.0)]
    [InlineData(257, 41601.0, 35553.0)]
    [InlineData(1024, 558592.0, 534400.0)]
    public void Gram_products_of_the_6x64_and_6x16_kernels(int k, double avx512, double avx2)
    {
        // Worked by hand for 256: bands of rows [0, 66) from column 0, [66, 132) from 64, [132, 192)
        // from 128 and [192, 256) from 192: 66 * 256 + 66 * 192 + 60 * 128 + 64 * 64 = 41344.
        Assert.Equal(avx512, GramKernel.ExecutedProducts(k, KernelWidth.V512));
        Assert.Equal(avx2, GramKernel.ExecutedProducts(k, KernelWidth.V256));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(200)]
    [InlineData(513)]
    public void Gram_products_count_each_entry_formed_by_a_product_once(int k)
    {
        // Entry (i, j) is formed where j is right of i's block, or in i's band of the diagonal
        // square from the band's first column on; everything else is mirrored. Counted entry by
        // entry here, against the kernel's sum over blocks and bands, for every kernel shape.
        foreach (KernelWidth width in new[] { KernelWidth.V512, KernelWidth.V256, KernelWidth.V128, KernelWidth.Scalar })
        {
            MicroKernelId? kernel = MicroKernels.For(width);
            int mr = kernel is { } a ? MicroKernels.Describe(a).Rows : 1;
            int nr = kernel is { } b ? MicroKernels.Describe(b).Columns : 16;
            long formed = 0;
            for (int i = 0; i < k; i++)
            {
                int start = i / GramKernel.BlockRows * GramKernel.BlockRows, r = i - start, band = 0;
                while (r >= RoundUp((band + 1) * nr, mr))
                {
                    band++;
                }

                formed += k - (start + (band * nr));
            }

            Assert.Equal(formed, GramKernel.ExecutedProducts(k, width));
            Assert.True(formed >= (long)k * (k + 1) / 2, "at least the upper triangle");
        }

        Assert.Equal(2.0 * 3 * GramKernel.ExecutedProducts(k, KernelIsa.Best), KernelDiagnostics.GramFlops(k, 3));
    }

    private static int RoundUp(int x, int multiple) => (x + multiple - 1) / multiple * multiple;

    [Fact]
    public void Fma_peak_is_positive_and_arguments_are_checked()
    {
        Assert.True(KernelDiagnostics.MeasureFmaPeak(1) > 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => KernelDiagnostics.MeasureFmaPeak(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => KernelDiagnostics.GramFlops(-1, 3));
    }
}
