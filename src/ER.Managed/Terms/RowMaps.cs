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
    /// <summary>
    /// Sums of squares in float32 from here to <see cref="SafeSquareSumMax"/> carry no overflow and no
    /// underflow that matters: a square flushed to zero is below 2^-149, under 1e-15 of such a sum.
    /// </summary>
    private const float SafeSquareSumMin = 1e-30f;

    /// <summary>The upper end of the float32 fast path; beyond it (rows with entries from ~1e19) the squares overflow.</summary>
    private const float SafeSquareSumMax = 1e30f;

    /// <summary>
    /// <c>||x||</c>: the float32 dot product where it is safe (nearly always), else in double, where
    /// the square of every finite float is a normal number, so rows of entries near float's
    /// largest or smallest values keep their norm.
    /// </summary>
    internal static double RowNorm(ReadOnlySpan<float> x, out bool safeInFloat)
    {
        float squares = TensorPrimitives.Dot(x, x);
        safeInFloat = squares >= SafeSquareSumMin && squares <= SafeSquareSumMax;
        if (safeInFloat)
        {
            return MathF.Sqrt(squares);
        }

        return RowNormInDouble(x);
    }

    private static double RowNormInDouble(ReadOnlySpan<float> x)
    {
        double sum = 0.0;
        foreach (float v in x)
        {
            sum += (double)v * v;
        }

        return Math.Sqrt(sum);
    }

    /// <summary><c>z_i = x_i / max(||x_i||, epsilon)</c>; z may be x itself.</summary>
    internal static void L2Normalize(ReadOnlySpan<float> x, int rows, int columns, Span<float> z, float epsilon)
    {
        for (int i = 0; i < rows; i++)
        {
            ReadOnlySpan<float> xi = x.Slice(i * columns, columns);
            Span<float> zi = z.Slice(i * columns, columns);
            double norm = Math.Max(RowNorm(xi, out bool safeInFloat), epsilon);
            if (safeInFloat)
            {
                xi.CopyTo(zi);
                TensorPrimitives.Multiply(zi, (float)(1.0 / norm), zi);
                continue;
            }

            // 1/norm may not be a float (norms from ~3e38 up, or below ~3e-39): divide in double.
            for (int t = 0; t < columns; t++)
            {
                zi[t] = (float)(xi[t] / norm);
            }
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
            double norm = RowNorm(xi, out bool safeInFloat);
            if (norm < epsilon)
            {
                for (int t = 0; t < columns; t++)
                {
                    outi[t] = (float)(gi[t] / (double)epsilon);
                }

                continue;
            }

            float inverse = (float)(1.0 / norm);
            float projection = TensorPrimitives.Dot(xi, gi) * inverse * inverse * inverse;
            if (safeInFloat && float.IsFinite(projection))
            {
                // With z = x / n: dx = (dz - z <z, dz>) / n = dz / n - x <x, dz> / n^3.
                outi.Clear();
                TensorPrimitives.MultiplyAdd(gi, inverse, outi, outi);
                TensorPrimitives.MultiplyAdd(xi, -projection, outi, outi);

                // dz / n can overflow where the projection would bring the element back in range
                // (x = (0.54, 0.72), dz = (3.2e38, 0): +inf for 2.28e38): such a row goes to double.
                if (float.IsFinite(TensorPrimitives.MaxMagnitude(outi)))
                {
                    continue;
                }
            }

            // The same in double, through u = x / n so that nothing leaves double's range, with the
            // norm in double too: a float norm leaves |u|^2 off 1 by up to 2^-23, and where dz lies
            // along z the cancellation in dz - u <u, dz> keeps that error times |dz| (1e31 for
            // dz = (3e38, 3e38, 5) on x = (1, 1, 0), whose derivative is (0, 0, 3.54)).
            if (safeInFloat)
            {
                norm = RowNormInDouble(xi);
            }

            double inner = 0.0;
            for (int t = 0; t < columns; t++)
            {
                inner += xi[t] / norm * gi[t];
            }

            for (int t = 0; t < columns; t++)
            {
                outi[t] = (float)((gi[t] - (xi[t] / norm * inner)) / norm);
            }
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

            if (float.IsFinite(TensorPrimitives.MaxMagnitude(outi)))
            {
                continue;
            }

            // dp_j - <p, dp> reaches twice float32's range for finite gradients: a probability of 0
            // times that overflow was NaN (p = (1, 0), dp = (-3e38, 3e38)), one of 1e-7 gave +inf
            // for 6e31. In double every factor is finite, so each element is the derivative rounded
            // once (+-inf only beyond float32's range). Four to five times the float loop's time,
            // so only for such rows.
            double exactInner = DoubleDot.Compute(pi, gi);
            for (int j = 0; j < columns; j++)
            {
                outi[j] = (float)(pi[j] * (gi[j] - exactInner) * scale);
            }
        }
    }
}
