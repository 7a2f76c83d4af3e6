using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

using ER.Managed.Kernels;

namespace ER.Managed.Tests.Kernels;

/// <summary>
/// Products of row-major float matrices built from <see cref="DotKernel"/>, one dot product an entry:
/// the reference the blocked GEMM and the Gram kernel are tested against (the library itself always
/// multiplies through <c>GemmKernel</c>).
/// </summary>
internal static class MatrixProductReference
{
    /// <summary>
    /// <c>C = A B^T</c>: A is m x d, B is n x d, C is m x n (row stride n); each entry one dot product.
    /// </summary>
    internal static void MultiplyTransposed(ReadOnlySpan<float> a, int m, ReadOnlySpan<float> b, int n, int d, Span<float> c, KernelWidth width)
    {
        switch (width)
        {
            case KernelWidth.V512: MultiplyTransposed<Simd512, Vector512<float>>(a, m, b, n, d, c); break;
            case KernelWidth.V256: MultiplyTransposed<Simd256, Vector256<float>>(a, m, b, n, d, c); break;
            case KernelWidth.V128: MultiplyTransposed<Simd128, Vector128<float>>(a, m, b, n, d, c); break;
            default: MultiplyTransposed<SimdScalar, float>(a, m, b, n, d, c); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void MultiplyTransposed<TSimd, TVec>(ReadOnlySpan<float> a, int m, ReadOnlySpan<float> b, int n, int d, Span<float> c)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct
    {
        for (int i = 0; i < m; i++)
        {
            ReadOnlySpan<float> ai = a.Slice(i * d, d);
            Span<float> ci = c.Slice(i * n, n);
            for (int j = 0; j < n; j++)
            {
                double dot = 0;
                ReadOnlySpan<float> bj = b.Slice(j * d, d);
                for (int t = 0; t < d; t++)
                {
                    dot += (double)ai[t] * bj[t];
                }

                ci[j] = (float)dot;
            }
        }
    }

    /// <summary>
    /// <c>C += A B</c>: A is m x n, B is n x d, C is m x d; row i of C gains sum_j A_ij B_j (one axpy per entry of A).
    /// </summary>
    internal static void MultiplyAdd(ReadOnlySpan<float> a, int m, int n, ReadOnlySpan<float> b, int d, Span<float> c, KernelWidth width)
    {
        switch (width)
        {
            case KernelWidth.V512: MultiplyAdd<Simd512, Vector512<float>>(a, m, n, b, d, c); break;
            case KernelWidth.V256: MultiplyAdd<Simd256, Vector256<float>>(a, m, n, b, d, c); break;
            case KernelWidth.V128: MultiplyAdd<Simd128, Vector128<float>>(a, m, n, b, d, c); break;
            default: MultiplyAdd<SimdScalar, float>(a, m, n, b, d, c); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void MultiplyAdd<TSimd, TVec>(ReadOnlySpan<float> a, int m, int n, ReadOnlySpan<float> b, int d, Span<float> c)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct
    {
        for (int i = 0; i < m; i++)
        {
            Span<float> ci = c.Slice(i * d, d);
            for (int j = 0; j < n; j++)
            {
                float aij = a[(i * n) + j];
                if (aij != 0f)
                {
                    ReadOnlySpan<float> bj = b.Slice(j * d, d);
                    for (int t = 0; t < d; t++)
                    {
                        ci[t] += aij * bj[t];
                    }
                }
            }
        }
    }
}
