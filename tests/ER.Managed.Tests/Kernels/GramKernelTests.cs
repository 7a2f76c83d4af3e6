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
    public void Gram_matches_the_simple_path_is_symmetric_and_thread_independent(int k, int d)
    {
        float[] z = Uniform(k * d, k + d);
        foreach (KernelWidth width in KernelIsa.All.ToArray())
        {
            var simple = new float[k * k];
            MatrixProductReference.MultiplyTransposed(z, k, z, k, d, simple, KernelWidth.Scalar);
            var one = new float[k * k];
            var two = new float[k * k];
            GramKernel.Compute(z, k, d, one, 1, width);
            GramKernel.Compute(z, k, d, two, 2, width);
            Assert.Equal(one, two);
            for (int i = 0; i < k; i++)
            {
                for (int j = 0; j < k; j++)
                {
                    Assert.Equal(one[(i * k) + j], one[(j * k) + i]);

                    // Two float dot products of the same terms in different orders: 2 d u max|z|^2 d.
                    Assert.True(Math.Abs(one[(i * k) + j] - simple[(i * k) + j]) <= 2 * d * U * d, $"{width} C[{i},{j}]");
                }
            }
        }
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
