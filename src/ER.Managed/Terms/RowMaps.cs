using System;
using ER.Managed.Kernels;
using System.Numerics.Tensors;

namespace ER.Managed.Terms;

/// <summary>
/// The row-wise maps of <see cref="RowOps"/> and their backwards, after validation: one pass a row,
/// on TensorPrimitives' dot, multiply and multiply-add (measured faster than ours were; see
/// docs/tensor-primitives.md) and our softmax kernel (it subtracts the row maximum; TensorPrimitives' does not).
/// </summary>
internal static class RowMaps
{
    /// <summary><c>z_i = x_i / max(||x_i||, epsilon)</c>; z may be x itself.</summary>
    internal static void L2Normalize(ReadOnlySpan<float> x, int rows, int columns, Span<float> z, float epsilon)
    {
        for (int i = 0; i < rows; i++)
        {
            ReadOnlySpan<float> xi = x.Slice(i * columns, columns);
            float norm = MathF.Max(MathF.Sqrt(TensorPrimitives.Dot(xi, xi)), epsilon);
            Span<float> zi = z.Slice(i * columns, columns);
            xi.CopyTo(zi);
            TensorPrimitives.Multiply(zi, 1f / norm, zi);
        }
    }

    /// <summary><c>dx_i = (dz_i - z_i &lt;z_i, dz_i&gt;) / ||x_i||</c>, or <c>dz_i / epsilon</c> where the norm was floored.</summary>
    internal static void L2NormalizeBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> gradZ, int rows, int columns, Span<float> gradX, float epsilon)
    {
        for (int i = 0; i < rows; i++)
        {
            ReadOnlySpan<float> xi = x.Slice(i * columns, columns);
            ReadOnlySpan<float> gi = gradZ.Slice(i * columns, columns);
            Span<float> outi = gradX.Slice(i * columns, columns);
            float norm = MathF.Sqrt(TensorPrimitives.Dot(xi, xi));
            outi.Clear();
            if (norm < epsilon)
            {
                TensorPrimitives.MultiplyAdd(gi, 1f / epsilon, outi, outi);
                continue;
            }

            // With z = x / n: dx = (dz - z <z, dz>) / n = dz / n - x <x, dz> / n^3.
            float inverse = 1f / norm;
            float projection = TensorPrimitives.Dot(xi, gi) * inverse * inverse * inverse;
            TensorPrimitives.MultiplyAdd(gi, inverse, outi, outi);
            TensorPrimitives.MultiplyAdd(xi, -projection, outi, outi);
        }
    }

    /// <summary><c>p_i = softmax(scale x_i)</c> with the row maximum subtracted; p may be x itself.</summary>
    internal static void Softmax(ReadOnlySpan<float> x, int rows, int columns, Span<float> p, float scale, KernelWidth width)
    {
        for (int i = 0; i < rows; i++)
        {
            SoftmaxKernel.Run(x.Slice(i * columns, columns), p.Slice(i * columns, columns), scale, width);
        }
    }

    /// <summary><c>dx_i = p_i (dp_i - &lt;p_i, dp_i&gt;) scale</c>.</summary>
    internal static void SoftmaxBackward(ReadOnlySpan<float> p, ReadOnlySpan<float> gradP, int rows, int columns, Span<float> gradX, float scale)
    {
        for (int i = 0; i < rows; i++)
        {
            ReadOnlySpan<float> pi = p.Slice(i * columns, columns);
            ReadOnlySpan<float> gi = gradP.Slice(i * columns, columns);
            Span<float> outi = gradX.Slice(i * columns, columns);
            float inner = TensorPrimitives.Dot(pi, gi);
            for (int j = 0; j < columns; j++)
            {
                outi[j] = pi[j] * (gi[j] - inner) * scale;
            }
        }
    }
}
