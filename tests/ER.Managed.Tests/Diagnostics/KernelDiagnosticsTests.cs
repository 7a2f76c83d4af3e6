using ER.Managed.Diagnostics;
using ER.Managed.Kernels;
using ER.Managed.Kernels.Drivers;
using ER.Managed.Kernels.Gemm;
using ER.Managed.Tests.Kernels;

namespace ER.Managed.Tests.Diagnostics;

public class KernelDiagnosticsTests
{
    [Fact]
    public void Report_states_the_chosen_width_kernel_blocking_and_caches()
    {
        KernelReport report = KernelDiagnostics.Current;
        Assert.Equal(KernelIsa.Best.ToString(), report.KernelWidth);
        Assert.Equal(KernelIsa.Best switch { KernelWidth.V512 => 512, KernelWidth.V256 => 256, KernelWidth.V128 => 128, _ => 32 }, report.KernelBits);
        Assert.Equal(CacheSizes.Current.L1Data, report.L1DataBytes);
        Assert.Equal(CacheSizes.Current.L2, report.L2Bytes);
        Assert.Equal(CacheSizes.Current.L3, report.L3Bytes);
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

    [Theory]
    [InlineData(512, 16)]
    [InlineData(256, 8)]
    [InlineData(128, 4)]
    [InlineData(1, 1)] // KernelWidth.Scalar
    public void Fma_peak_counts_two_flops_per_lane_of_each_chains_fma(int widthBits, int lanes)
    {
        var width = (KernelWidth)widthBits;
        Assert.Equal(lanes, KernelDiagnostics.FloatLanes(width));
        // 2 threads of 12 chains, 20 million steps in 1.5 s.
        double expected = 2.0 * 12 * lanes * 20e6 * 2 / 1.5 / 1e9;
        Assert.Equal(expected, KernelDiagnostics.FmaGflops(width, 20_000_000, 2, 1.5), expected * 1e-15);
    }

    [Theory]
    [MemberData(nameof(KernelTestSupport.Widths), MemberType = typeof(KernelTestSupport))]
    public void Fma_chains_run_every_step_on_every_lane_at_every_width(int widthBits)
    {
        var width = (KernelWidth)widthBits;
        foreach (int steps in new[] { 0, 1, 10 })
        {
            float a = 1f;
            for (int i = 0; i < steps; i++)
            {
                a = MathF.FusedMultiplyAdd(a, 0.9999f, 1e-5f);
            }

            var work = new ChainsWork(steps);
            WidthDispatch.Run(width, ref work);

            // Every lane of every chain holds a; their float sum is within a few ulps of the exact
            // sum (and a path without fused multiply-adds within one ulp a step). One step more or
            // less moves the sum by 9e-5 of itself, ten times the tolerance.
            double expected = (double)KernelDiagnostics.FmaChainCount * KernelDiagnostics.FloatLanes(width) * a;
            Assert.Equal(expected, work.Result, expected * 1e-5);
        }
    }

    private struct ChainsWork(int steps) : IWithWidth
    {
        internal float Result;

        public void Run<TSimd, TVec>()
            where TSimd : struct, ISimd<TVec>
            where TVec : struct => Result = KernelDiagnostics.FmaChains<TSimd, TVec>(steps);
    }

    [Fact]
    public void Fma_peak_is_positive_and_arguments_are_checked()
    {
        Assert.True(KernelDiagnostics.MeasureFmaPeak(1) > 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => KernelDiagnostics.MeasureFmaPeak(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => KernelDiagnostics.GramFlops(-1, 3));
    }
}
