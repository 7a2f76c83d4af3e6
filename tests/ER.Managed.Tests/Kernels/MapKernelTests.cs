using System.Linq;
using ER.Managed.Kernels;
using static ER.Managed.Tests.Kernels.KernelTestSupport;

namespace ER.Managed.Tests.Kernels;

/// <summary>The element-wise kernels (exp, log, axpy, scale) and softmax, every length 0..300, every width.</summary>
public class MapKernelTests
{
    [Theory]
    [MemberData(nameof(Widths), MemberType = typeof(KernelTestSupport))]
    public void Exp_map_matches_double_reference_in_and_out_of_place(int widthBits)
    {
        var width = (KernelWidth)widthBits;
        for (int n = 0; n <= MaxLength; n++)
        {
            float[] x = Uniform(n, n, -80f, 80f);
            var y = new float[n];
            ExpMapKernel.Run(x, y, 0.5f, 1f, width);
            float[] inPlace = (float[])x.Clone();
            ExpMapKernel.Run(inPlace, inPlace, 0.5f, 1f, width);
            for (int i = 0; i < n; i++)
            {
                // 0.5 x + 1 is fused or rounded once (u |0.5 x|), then exp within ~1 ulp: relative 4u + u |0.5 x|.
                double want = Math.Exp((0.5 * x[i]) + 1.0);
                Assert.True(Math.Abs(y[i] - want) <= ((4 + Math.Abs(0.5 * x[i])) * U * want), $"n={n} i={i}: {y[i]} vs {want}");
                Assert.Equal(y[i], inPlace[i]);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Widths), MemberType = typeof(KernelTestSupport))]
    public void Log_map_matches_double_reference(int widthBits)
    {
        var width = (KernelWidth)widthBits;
        for (int n = 0; n <= MaxLength; n++)
        {
            float[] x = Uniform(n, n, 0f, 10f);
            var y = new float[n];
            LogMapKernel.Run(x, y, 1e-7f, width);
            for (int i = 0; i < n; i++)
            {
                // log of the float sum x + eps, within a few ulps of its magnitude (absolute near 1).
                double want = Math.Log(x[i] + 1e-7f);
                Assert.True(Math.Abs(y[i] - want) <= 4 * U * Math.Max(1.0, Math.Abs(want)), $"n={n} i={i}: {y[i]} vs {want}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Widths), MemberType = typeof(KernelTestSupport))]
    public void Four_row_add_matches_reference(int widthBits)
    {
        var width = (KernelWidth)widthBits;
        for (int n = 0; n <= MaxLength; n++)
        {
            float[] a = Uniform(n, n), b = Uniform(n, n + 1), c = Uniform(n, n + 2), e = Uniform(n, n + 3), y = Uniform(n, n + 4);
            float[] y0 = (float[])y.Clone();
            AddKernel.Run4(a, b, c, e, y, width);
            for (int i = 0; i < n; i++)
            {
                // Three roundings of partial sums and one of the total.
                double want = (double)y0[i] + a[i] + b[i] + c[i] + e[i];
                double magnitude = Math.Abs(y0[i]) + Math.Abs(a[i]) + Math.Abs(b[i]) + Math.Abs(c[i]) + Math.Abs(e[i]);
                Assert.True(Math.Abs(y[i] - want) <= 4 * U * magnitude, $"n={n} i={i}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Widths), MemberType = typeof(KernelTestSupport))]
    public void Four_row_add_refuses_any_row_shorter_than_the_destination(int widthBits)
    {
        // The kernel reads the rows by reference, so a short row would be read past its end: each
        // of the four is checked, and nothing is written before the refusal. Longer rows are fine
        // (their first y.Length elements are added).
        var width = (KernelWidth)widthBits;
        const int n = 19;
        for (int shortRow = 0; shortRow < 4; shortRow++)
        {
            float[][] rows = [new float[n], new float[n], new float[n], new float[n]];
            rows[shortRow] = new float[n - 1];
            float[] y = Uniform(n, 5), before = (float[])y.Clone();
            var error = Assert.Throws<ArgumentException>(() => AddKernel.Run4(rows[0], rows[1], rows[2], rows[3], y, width));
            Assert.Equal("y", error.ParamName);
            Assert.Equal(before, y);
        }

        float[] ones = Enumerable.Repeat(1f, n + 3).ToArray(), target = new float[n];
        AddKernel.Run4(ones, ones, ones, ones, target, width);
        Assert.All(target, v => Assert.Equal(4f, v));
    }

    [Theory]
    [MemberData(nameof(Widths), MemberType = typeof(KernelTestSupport))]
    public void Softmax_matches_double_reference_and_rows_sum_to_one(int widthBits)
    {
        var width = (KernelWidth)widthBits;
        for (int n = 1; n <= MaxLength; n++)
        {
            float[] x = Uniform(n, n, -5f, 5f);
            var p = new float[n];
            double lse = SoftmaxKernel.Run(x, p, 2f, width);
            double max = 2.0 * x.Max();
            double sum = x.Sum(v => Math.Exp((2.0 * v) - max));
            for (int i = 0; i < n; i++)
            {
                // The exponent 2 x_i - 2 max is formed in float: an absolute error of about
                // u (|2 max| + |2 x_i - 2 max|), which exp turns into that much relative error;
                // then a few ulps for exp and the normalization by an n-term float sum.
                double exponent = (2.0 * x[i]) - max;
                double want = Math.Exp(exponent) / sum;
                double tol = (Math.Abs(max) + Math.Abs(exponent) + n + 8) * U * want;
                Assert.True(Math.Abs(p[i] - want) <= tol, $"n={n} i={i}: {p[i]} vs {want}");
            }

            Assert.Equal(max + Math.Log(sum), lse, 1e-5);
            Assert.True(Math.Abs(p.Sum(v => (double)v) - 1.0) <= (n + 4) * U, $"n={n}: sum {p.Sum(v => (double)v)}");
        }
    }

    [Theory]
    [MemberData(nameof(Widths), MemberType = typeof(KernelTestSupport))]
    public void Softmax_refuses_a_short_destination_and_leaves_a_longer_ones_tail(int widthBits)
    {
        var width = (KernelWidth)widthBits;
        float[] x = [1f, 2f, 3f];
        ArgumentException error = Assert.Throws<ArgumentException>(() => SoftmaxKernel.Run(x, new float[2], 1f, width));
        Assert.Equal("destination", error.ParamName);

        // An empty row: log-sum-exp of nothing is -infinity, and nothing is written.
        float[] untouched = [7f];
        Assert.Equal(double.NegativeInfinity, SoftmaxKernel.Run([], untouched, 1f, width));
        Assert.Equal(7f, untouched[0]);

        float[] longer = [0f, 0f, 0f, 7f, 7f];
        SoftmaxKernel.Run(x, longer, 1f, width);
        Assert.Equal([7f, 7f], longer[3..]);
        Assert.True(Math.Abs(longer[..3].Sum(v => (double)v) - 1.0) <= 8 * U);

        // In place (the destination is the row) gives the out-of-place bits, on the plain path and on
        // the one for rows wider than float's range below scale 1.
        foreach ((float[] row, float scale) in new[] { (Uniform(37, 3, -5f, 5f), 2f), ([3e38f, -3e38f, 1f, -1e38f], 1e-38f) })
        {
            var outOfPlace = new float[row.Length];
            double lse = SoftmaxKernel.Run(row, outOfPlace, scale, width);
            float[] inPlace = (float[])row.Clone();
            Assert.Equal(lse, SoftmaxKernel.Run(inPlace, inPlace, scale, width));
            Assert.Equal(outOfPlace, inPlace);
        }
    }

    [Theory]
    [MemberData(nameof(Widths), MemberType = typeof(KernelTestSupport))]
    public void Softmax_of_inputs_up_to_1e4_is_finite_and_sums_to_one(int widthBits)
    {
        var width = (KernelWidth)widthBits;
        foreach (float magnitude in new[] { 100f, 1000f, 1e4f })
        {
            float[] x = Uniform(300, (int)magnitude, -magnitude, magnitude);
            var p = new float[x.Length];
            SoftmaxKernel.Run(x, p, 1f, width);
            Assert.All(p, v => Assert.True(float.IsFinite(v) && v >= 0f));
            Assert.True(Math.Abs(p.Sum(v => (double)v) - 1.0) <= 1e-5, $"magnitude {magnitude}");
            Assert.True(p[Array.IndexOf(x, x.Max())] > 0f);
        }
    }

    [Theory]
    [MemberData(nameof(Widths), MemberType = typeof(KernelTestSupport))]
    public void Softmax_of_a_row_wider_than_float_range_below_scale_one_matches_double(int widthBits)
    {
        // Logits at +-3e38 (x - max overflows float) with s = 1e-38: exponents s (x - max) in [-6, 0].
        var width = (KernelWidth)widthBits;
        for (int n = 2; n <= MaxLength; n++)
        {
            var random = new Random(n);
            float[] x = [.. Enumerable.Range(0, n).Select(_ => (float)((random.NextDouble() - 0.5) * 6e38))];
            x[0] = -3e38f;
            x[n - 1] = 3e38f;
            var p = new float[n];
            SoftmaxKernel.Run(x, p, 1e-38f, width);
            double[] exponents = [.. x.Select(v => (v * (double)1e-38f) - (3e38f * (double)1e-38f))];
            double sum = exponents.Sum(Math.Exp);
            for (int i = 0; i < n; i++)
            {
                // Exponents of at most 6 in magnitude, each formed with two or three float roundings.
                double want = Math.Exp(exponents[i]) / sum;
                Assert.True(Math.Abs(p[i] - want) <= (32 + n) * U * want, $"n={n} i={i}: {p[i]} vs {want}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Widths), MemberType = typeof(KernelTestSupport))]
    public void Matrix_products_match_double_reference(int widthBits)
    {
        var width = (KernelWidth)widthBits;
        foreach ((int m, int n, int d) in new[] { (1, 1, 1), (3, 5, 7), (17, 16, 33), (8, 31, 64) })
        {
            float[] a = Uniform(m * d, m + d), b = Uniform(n * d, n + d + 1);
            var c = new float[m * n];
            MatrixProductReference.MultiplyTransposed(a, m, b, n, d, c, width);
            var e = new float[m * d];
            float[] g = Uniform(m * n, 9);
            MatrixProductReference.MultiplyAdd(g, m, n, b, d, e, width);
            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    double want = 0;
                    for (int t = 0; t < d; t++)
                    {
                        want += (double)a[(i * d) + t] * b[(j * d) + t];
                    }

                    Assert.True(Math.Abs(c[(i * n) + j] - want) <= d * U * d, $"C[{i},{j}]");
                }

                for (int t = 0; t < d; t++)
                {
                    double want = 0;
                    for (int j = 0; j < n; j++)
                    {
                        want += (double)g[(i * n) + j] * b[(j * d) + t];
                    }

                    Assert.True(Math.Abs(e[(i * d) + t] - want) <= n * U * n, $"E[{i},{t}]");
                }
            }
        }
    }
}
