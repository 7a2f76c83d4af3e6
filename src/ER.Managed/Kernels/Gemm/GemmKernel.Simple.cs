using System.Buffers;
using System.Numerics.Tensors;

namespace ER.Managed.Kernels.Gemm;

/// <summary>The scalar width's product: dot products over contiguous rows, no micro-kernel.</summary>
internal static partial class GemmKernel
{
    /// <summary>The simple path: dot products over contiguous rows, transposing an operand into scratch where needed.</summary>
    private static void Simple(
        ReadOnlySpan<float> a, int lda, bool transA,
        ReadOnlySpan<float> b, int ldb, bool transB,
        Span<float> c, int ldc,
        int m, int n, int k, bool accumulate, KernelWidth width)
    {
        float[]? aCopy = null;
        float[]? bCopy = null;
        try
        {
            // Bring A to m x k row-major and B to n x k row-major (B^T), then C_ij = <A_i, B_j>.
            ReadOnlySpan<float> rowsA = transA || lda != k ? Dense(a, lda, transA, m, k, out aCopy) : a[..(m * k)];
            ReadOnlySpan<float> rowsB = !transB || ldb != k ? Dense(b, ldb, !transB, n, k, out bCopy) : b[..(n * k)];
            for (int i = 0; i < m; i++)
            {
                ReadOnlySpan<float> ai = rowsA.Slice(i * k, k);
                Span<float> ci = c.Slice(i * ldc, n);
                for (int j = 0; j < n; j++)
                {
                    float dot = TensorPrimitives.Dot(ai, rowsB.Slice(j * k, k));
                    ci[j] = accumulate ? ci[j] + dot : dot;
                }
            }
        }
        finally
        {
            if (aCopy is not null)
            {
                ArrayPool<float>.Shared.Return(aCopy);
            }

            if (bCopy is not null)
            {
                ArrayPool<float>.Shared.Return(bCopy);
            }
        }
    }

    /// <summary>Copies a rows x k matrix, stored as is (stride ld) or transposed (k x rows, stride ld), into a dense rows x k buffer.</summary>
    private static ReadOnlySpan<float> Dense(ReadOnlySpan<float> source, int ld, bool transposed, int rows, int k, out float[] buffer)
    {
        buffer = ArrayPool<float>.Shared.Rent(rows * k);
        for (int r = 0; r < rows; r++)
        {
            for (int p = 0; p < k; p++)
            {
                buffer[(r * k) + p] = transposed ? source[(p * ld) + r] : source[(r * ld) + p];
            }
        }

        return buffer.AsSpan(0, rows * k);
    }
}
