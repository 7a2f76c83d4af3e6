using ER.Managed.Kernels;
using static ER.Managed.Tests.Kernels.KernelTestSupport;

namespace ER.Managed.Tests.Kernels;

/// <summary>The symmetric blocked Gram matrix against the simple dot-product path, every width, 1 and 2 threads.</summary>
public class GramKernelTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 3)]
    [InlineData(7, 64)]
    [InlineData(255, 5)]
    [InlineData(256, 17)]
    [InlineData(257, 65)]
    [InlineData(513, 2)]
    [InlineData(130, 1025)]
    [InlineData(66, 4)]
    [InlineData(200, 9)]
    [InlineData(1030, 3)]
    public void Gram_matches_the_simple_path_is_symmetric_and_thread_independent(int k, int d)
    {
        // k = 1030: block rows past the first have a second column chunk, and the last is 6 rows.
        float[] z = Uniform(k * d, k + d);
        var simple = new float[k * k];
        MatrixProductReference.MultiplyTransposed(z, k, z, k, d, simple, KernelWidth.Scalar);
        foreach (KernelWidth width in KernelTestSupport.TestedWidths())
        {
            // Destinations full of NaN: every element must be written, none accumulated into.
            float[] one = NaNs(k * k), two = NaNs(k * k);
            GramKernel.Compute(z, k, d, one, 1, width);
            GramKernel.Compute(z, k, d, two, 2, width);
            Assert.Equal(one, two);
            for (int i = 0; i < k; i++)
            {
                for (int j = 0; j < k; j++)
                {
                    // Two float dot products of the same terms in different orders: 2 d u max|z|^2 d.
                    float got = one[(i * k) + j];
                    if (got != one[(j * k) + i] || !(Math.Abs(got - simple[(i * k) + j]) <= 2 * d * U * d))
                    {
                        Assert.Fail($"{width} C[{i},{j}] = {got}, C[{j},{i}] = {one[(j * k) + i]}, reference {simple[(i * k) + j]}");
                    }
                }
            }
        }
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(300, 70, 9)]
    [InlineData(520, 257, 33)]
    public void Product_with_a_transposed_matrix_matches_the_reference_on_any_thread_count(int aRows, int bRows, int d)
    {
        float[] a = Uniform(aRows * d, aRows), b = Uniform(bRows * d, bRows + 1);
        var reference = new float[aRows * bRows];
        MatrixProductReference.MultiplyTransposed(a, aRows, b, bRows, d, reference, KernelWidth.Scalar);
        foreach (KernelWidth width in KernelTestSupport.TestedWidths())
        {
            float[] one = NaNs(aRows * bRows), two = NaNs(aRows * bRows);
            GramKernel.MultiplyTransposed(a, aRows, b, bRows, d, one, 1, width);
            GramKernel.MultiplyTransposed(a, aRows, b, bRows, d, two, 2, width);
            Assert.Equal(one, two);
            for (int i = 0; i < one.Length; i++)
            {
                // As above: the same d products summed in two orders.
                if (!(Math.Abs(one[i] - reference[i]) <= 2 * d * U * d))
                {
                    Assert.Fail($"{width} C[{i / bRows},{i % bRows}] = {one[i]}, reference {reference[i]}");
                }
            }
        }
    }

    private static float[] NaNs(int length)
    {
        var values = new float[length];
        values.AsSpan().Fill(float.NaN);
        return values;
    }

    [Fact]
    public void Public_gram_and_product_apis_validate_and_agree()
    {
        const int k = 40, d = 9;
        float[] z = Uniform(k * d, 3);
        var c = new float[k * k];
        Gram.Compute(z, k, d, c);
        var p = new float[k * k];
        Gram.MultiplyTransposed(z, k, z, k, d, p, new ErOptions { MaxDegreeOfParallelism = 1 });
        for (int i = 0; i < c.Length; i++)
        {
            Assert.Equal(c[i], p[i], 5);
        }

        Assert.Throws<ArgumentException>(() => Gram.Compute(z, k, d, new float[k * k - 1]));
        Assert.Throws<ArgumentException>(() => Gram.Compute(z, k, d, z.AsSpan(0, 1)));
        z[17] = float.NaN;
        Assert.Contains("[1, 8]", Assert.Throws<ArgumentException>(() => Gram.Compute(z, k, d, c)).Message, StringComparison.Ordinal);
    }
}
