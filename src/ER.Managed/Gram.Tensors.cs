using System.Numerics.Tensors;

namespace ER.Managed;

/// <content>The Gram matrix and <c>A B^T</c> on tensors (dense, row-major); results and exceptions as the span overloads.</content>
public static partial class Gram
{
    /// <summary><c>Z Z^T</c> of a [k, d] tensor into a [k, k] tensor.</summary>
    /// <param name="z">Z, [k, d].</param>
    /// <param name="result">Receives Z Z^T, [k, k]; must not overlap z.</param>
    /// <param name="options">Threading and validation; null for <see cref="ErOptions.Default"/>.</param>
    /// <exception cref="ArgumentException">A tensor of another rank, strides or shape, or as for the span overload.</exception>
    /// <exception cref="ArgumentOutOfRangeException">As for the span overload.</exception>
    public static void Compute(ReadOnlyTensorSpan<float> z, TensorSpan<float> result, ErOptions? options = null)
    {
        ReadOnlySpan<float> values = TensorViews.Matrix(z, nameof(z), out int rows, out int columns);
        Compute(values, rows, columns, TensorViews.Matrix(result, nameof(result), rows, rows), options);
    }

    /// <summary><c>Z Z^T</c> of a [k, d] tensor as a new [k, k] tensor.</summary>
    /// <param name="z">Z, [k, d].</param>
    /// <param name="options">Threading and validation; null for <see cref="ErOptions.Default"/>.</param>
    /// <returns>A new [k, k] tensor.</returns>
    /// <exception cref="ArgumentException">z is not a dense row-major rank-2 tensor, or as for the span overload.</exception>
    /// <exception cref="ArgumentOutOfRangeException">As for the span overload (k x k too large for one array included).</exception>
    public static Tensor<float> Compute(ReadOnlyTensorSpan<float> z, ErOptions? options = null)
    {
        ReadOnlySpan<float> values = TensorViews.Matrix(z, nameof(z), out int rows, out int columns);
        float[] result = new float[CheckedProduct(rows, rows, nameof(z))];
        Compute(values, rows, columns, result, options);
        return TensorViews.Wrap(result, rows, rows);
    }

    /// <summary><c>A B^T</c> of an [m, d] and an [n, d] tensor into an [m, n] tensor.</summary>
    /// <param name="a">A, [m, d].</param>
    /// <param name="b">B, [n, d].</param>
    /// <param name="result">Receives A B^T, [m, n]; must not overlap the inputs.</param>
    /// <param name="options">Threading and validation.</param>
    /// <exception cref="ArgumentException">A tensor of another rank, strides or shape (a and b must agree in d), or as for the span overload.</exception>
    /// <exception cref="ArgumentOutOfRangeException">As for the span overload.</exception>
    public static void MultiplyTransposed(ReadOnlyTensorSpan<float> a, ReadOnlyTensorSpan<float> b, TensorSpan<float> result, ErOptions? options = null)
    {
        ReadOnlySpan<float> first = Operands(a, b, out ReadOnlySpan<float> second, out int aRows, out int bRows, out int columns);
        MultiplyTransposed(first, aRows, second, bRows, columns, TensorViews.Matrix(result, nameof(result), aRows, bRows), options);
    }

    /// <summary><c>A B^T</c> as a new [m, n] tensor.</summary>
    /// <param name="a">A, [m, d].</param>
    /// <param name="b">B, [n, d].</param>
    /// <param name="options">Threading and validation.</param>
    /// <returns>A new [m, n] tensor.</returns>
    /// <exception cref="ArgumentException">As for the overload with a result tensor.</exception>
    /// <exception cref="ArgumentOutOfRangeException">As for the span overload.</exception>
    public static Tensor<float> MultiplyTransposed(ReadOnlyTensorSpan<float> a, ReadOnlyTensorSpan<float> b, ErOptions? options = null)
    {
        ReadOnlySpan<float> first = Operands(a, b, out ReadOnlySpan<float> second, out int aRows, out int bRows, out int columns);
        float[] result = new float[CheckedProduct(aRows, bRows, nameof(b))];
        MultiplyTransposed(first, aRows, second, bRows, columns, result, options);
        return TensorViews.Wrap(result, aRows, bRows);
    }

    private static ReadOnlySpan<float> Operands(in ReadOnlyTensorSpan<float> a, in ReadOnlyTensorSpan<float> b, out ReadOnlySpan<float> second, out int aRows, out int bRows, out int columns)
    {
        ReadOnlySpan<float> first = TensorViews.Matrix(a, nameof(a), out aRows, out columns);
        second = TensorViews.Matrix(b, nameof(b), out bRows, out int bColumns);
        if (bColumns != columns)
        {
            throw new ArgumentException($"a is [{aRows}, {columns}] and b is [{bRows}, {bColumns}]: A B^T needs the same number of columns.", nameof(b));
        }

        return first;
    }

    private static int CheckedProduct(int m, int n, string name)
    {
        long count = (long)m * n;
        if (count > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(name, count, $"The [{m}, {n}] result has more elements than one array can hold.");
        }

        return (int)count;
    }
}
