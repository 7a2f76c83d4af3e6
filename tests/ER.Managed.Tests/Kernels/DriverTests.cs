using ER.Managed.Kernels;
using ER.Managed.Kernels.Drivers;

namespace ER.Managed.Tests.Kernels;

/// <summary>
/// The shared drivers through the kernels that use them: the pair driver writing both outputs
/// (the discrete reconstruction's gradient), every width, lengths on and off the vector and chunk
/// boundaries, and the drivers' refusals of short outputs.
/// </summary>
public class DriverTests
{
    [Theory]
    [MemberData(nameof(KernelTestSupport.Widths), MemberType = typeof(KernelTestSupport))]
    public void The_cross_log_gradient_is_the_value_kernel_bit_for_bit_and_the_double_formula(int widthBits)
    {
        var width = (KernelWidth)widthBits;
        const float eps = 1e-7f, scale = 0.25f;
        foreach (int n in new[] { 0, 1, 7, 8, 16, 17, 64, 100, 1024, 1025, 2100 })
        {
            float[] a = KernelTestSupport.Uniform(n, n + 1, 0f, 1f), b = KernelTestSupport.Uniform(n, n + 2, 0f, 1f);
            var ga = new float[n + 3];
            var gb = new float[n + 3];
            ga[n] = gb[n] = 42f;
            double value = CrossLogGradientKernel.Run(a, b, ga, gb, eps, scale, width);
            Assert.Equal(CrossLogKernel.Run(a, b, eps, width), value);
            double want = 0;
            for (int i = 0; i < n; i++)
            {
                double la = Math.Log(a[i] + (double)eps), lb = Math.Log(b[i] + (double)eps);
                want += (a[i] * lb) + (b[i] * la);

                // float32 logs and a division: a few ulps of terms of size ~|log eps| = 16.
                Assert.Equal(scale * (-lb - (b[i] / (a[i] + (double)eps))), ga[i], 2e-5 * Math.Max(1, Math.Abs(ga[i])));
                Assert.Equal(scale * (-la - (a[i] / (b[i] + (double)eps))), gb[i], 2e-5 * Math.Max(1, Math.Abs(gb[i])));
            }

            Assert.Equal(want, value, 1e-5 * Math.Max(1, Math.Abs(want)));
            Assert.Equal(42f, ga[n]);
            Assert.Equal(42f, gb[n]);
        }
    }

    /// <summary>The scan against a plain loop: sparse hits, hits equal to the threshold, NaN (never above), every start, lengths around the register sizes.</summary>
    [Theory]
    [MemberData(nameof(KernelTestSupport.Widths), MemberType = typeof(KernelTestSupport))]
    public void The_scan_finds_the_next_element_above_the_threshold_as_a_plain_loop_does(int widthBits)
    {
        var width = (KernelWidth)widthBits;
        var random = new Random(widthBits);
        foreach (int n in new[] { 0, 1, 3, 4, 8, 15, 16, 17, 31, 33, 64, 100 })
        {
            var x = new float[n];
            for (int i = 0; i < n; i++)
            {
                double u = random.NextDouble();
                x[i] = u < 0.05 ? 0.5f : u < 0.1 ? 0.75f : u < 0.13 ? float.NaN : (float)(random.NextDouble() * 0.5);
            }

            foreach (bool orEqual in new[] { false, true })
            {
                for (int start = 0; start <= n; start++)
                {
                    int want = start;
                    while (want < n && !(orEqual ? x[want] >= 0.5f : x[want] > 0.5f))
                    {
                        want++;
                    }

                    Assert.Equal(want, ScanDriver.NextAbove(x, start, 0.5f, orEqual, width));
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(KernelTestSupport.Widths), MemberType = typeof(KernelTestSupport))]
    public void Drivers_refuse_spans_of_different_lengths_and_short_outputs(int widthBits)
    {
        var width = (KernelWidth)widthBits;
        float[] a = new float[10], b = new float[10];
        Assert.Throws<ArgumentException>(() => CrossLogKernel.Run(a, new float[9], 1e-7f, width));
        Assert.Throws<ArgumentException>(() => CrossLogGradientKernel.Run(a, b, new float[9], new float[10], 1e-7f, 1f, width));
        Assert.Throws<ArgumentException>(() => CrossLogGradientKernel.Run(a, b, new float[10], new float[9], 1e-7f, 1f, width));
        Assert.Throws<ArgumentException>(() => ExpMapKernel.Run(a, new float[9], 1f, 0f, width));
    }

    /// <summary>
    /// The row scan against a plain loop that applies the same rules: every element at or above the
    /// row's cut is reported to the row and every element at or above its column's cut to the column,
    /// with cuts that the hits raise as they come (as a kNN row's do); NaN never; lengths around the
    /// register sizes, with and without the column side.
    /// </summary>
    [Theory]
    [MemberData(nameof(KernelTestSupport.Widths), MemberType = typeof(KernelTestSupport))]
    public void The_row_scan_reports_what_a_plain_loop_with_rising_cuts_reports(int widthBits)
    {
        var width = (KernelWidth)widthBits;
        var random = new Random(widthBits + 1);
        foreach (int n in new[] { 0, 1, 5, 16, 17, 33, 64, 100, 257 })
        {
            var x = new float[n];
            var columnCuts = new float[n];
            for (int i = 0; i < n; i++)
            {
                double u = random.NextDouble();
                x[i] = u < 0.03 ? float.NaN : u < 0.06 ? 0.2f : (float)random.NextDouble();
                double v = random.NextDouble();
                columnCuts[i] = v < 0.4 ? float.NegativeInfinity : v < 0.5 ? x[i] : (float)random.NextDouble();
            }

            foreach (bool columns in new[] { false, true })
            {
                var got = new ScanLog((float[])columnCuts.Clone(), 0.2f);
                ScanDriver.ScanRow(x, got.ColumnCuts, columns, ref got, width);

                var want = new ScanLog((float[])columnCuts.Clone(), 0.2f);
                for (int j = 0; j < n; j++)
                {
                    if (x[j] >= want.RowCut)
                    {
                        want.RowHit(j, x[j]);
                    }

                    if (columns && x[j] >= want.ColumnCuts[j])
                    {
                        want.ColumnHit(j, x[j]);
                    }
                }

                Assert.Equal(want.Log.ToString(), got.Log.ToString());
                Assert.Equal(want.ColumnCuts, got.ColumnCuts);
            }
        }
    }

    [Theory]
    [MemberData(nameof(KernelTestSupport.Widths), MemberType = typeof(KernelTestSupport))]
    public void The_row_scan_refuses_fewer_column_cuts_than_elements(int widthBits)
    {
        var hits = new ScanLog(new float[3], 0f);
        Assert.Throws<ArgumentException>(() => ScanDriver.ScanRow(new float[4], new float[3], columns: true, ref hits, (KernelWidth)widthBits));
        ScanDriver.ScanRow(new float[4], new float[3], columns: false, ref hits, (KernelWidth)widthBits);
        Assert.Equal("r0 ", hits.Log.ToString()); // the first hit raises the row cut to 0.5
    }

    /// <summary>Hits written down in order; each raises its row's or column's cut halfway to 1.</summary>
    private struct ScanLog(float[] columnCuts, float rowCut) : IScanHits
    {
        internal readonly float[] ColumnCuts = columnCuts;
        internal readonly System.Text.StringBuilder Log = new();
        private float _rowCut = rowCut;

        public readonly float RowCut => _rowCut;

        public void RowHit(int j, float value)
        {
            Log.Append('r').Append(j).Append(' ');
            _rowCut = (value + 1) / 2;
        }

        public readonly void ColumnHit(int j, float value)
        {
            Log.Append('c').Append(j).Append(' ');
            ColumnCuts[j] = (value + 1) / 2;
        }
    }

    [Fact]
    public void Distances_of_a_row_to_two_rows_at_once_are_the_single_distances_bit_for_bit()
    {
        foreach (int d in new[] { 1, 7, 8, 16, 33, 128 })
        {
            float[] a = KernelTestSupport.Uniform(d, d, -1f, 1f), b0 = KernelTestSupport.Uniform(d, d + 1, -1f, 1f), b1 = KernelTestSupport.Uniform(d, d + 2, -1f, 1f);
            (double first, double second) = DoubleDot.DistancesSquared(a, 0.7, b0, 1.3, b1, 0.9);
            Assert.Equal(DoubleDot.DistanceSquared(a, 0.7, b0, 1.3), first);
            Assert.Equal(DoubleDot.DistanceSquared(a, 0.7, b1, 0.9), second);

            double want = 0;
            for (int t = 0; t < d; t++)
            {
                double difference = (a[t] * 0.7) - (b0[t] * 1.3);
                want += difference * difference;
            }

            // The same terms summed in another order: d rounding errors of the sum at most.
            Assert.Equal(want, first, d * 1e-16 * Math.Max(1, want));
        }

        Assert.Throws<ArgumentException>(() => DoubleDot.DistancesSquared(new float[4], 1, new float[3], 1, new float[4], 1));
    }
}
