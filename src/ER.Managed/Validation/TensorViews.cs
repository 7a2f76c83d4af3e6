using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace ER.Managed;

/// <summary>
/// The tensor overloads' view of their arguments: a rank-2, dense, row-major tensor is the span of
/// its elements in place (no copy); anything else is refused with its shape and strides named.
/// </summary>
internal static class TensorViews
{
    /// <summary>The elements of a rank-2 dense row-major tensor, with its [rows, columns].</summary>
    internal static ReadOnlySpan<float> Matrix(in ReadOnlyTensorSpan<float> tensor, string name, out int rows, out int columns)
    {
        (rows, columns) = Shape(tensor.Rank, tensor.Lengths, tensor.Strides, name);
        return MemoryMarshal.CreateReadOnlySpan(in tensor.GetPinnableReference(), rows * columns);
    }

    /// <summary>The elements of a rank-2 dense row-major tensor that must be [rows, columns] (the first input's shape).</summary>
    internal static ReadOnlySpan<float> Matrix(in ReadOnlyTensorSpan<float> tensor, string name, int rows, int columns)
    {
        CheckShape(Shape(tensor.Rank, tensor.Lengths, tensor.Strides, name), rows, columns, name);
        return MemoryMarshal.CreateReadOnlySpan(in tensor.GetPinnableReference(), rows * columns);
    }

    /// <summary>The elements of a writable rank-2 dense row-major tensor, which must be [rows, columns].</summary>
    internal static Span<float> Matrix(in TensorSpan<float> tensor, string name, int rows, int columns)
    {
        CheckShape(Shape(tensor.Rank, tensor.Lengths, tensor.Strides, name), rows, columns, name);
        return MemoryMarshal.CreateSpan(ref tensor.GetPinnableReference(), rows * columns);
    }

    /// <summary>The elements of a rank-3 dense row-major tensor that must be [views, rows, columns] (several views stacked).</summary>
    internal static ReadOnlySpan<float> Stack(in ReadOnlyTensorSpan<float> tensor, string name, int views, int rows, int columns)
    {
        CheckStack(tensor.Rank, tensor.Lengths, tensor.Strides, name, views, rows, columns);
        return MemoryMarshal.CreateReadOnlySpan(in tensor.GetPinnableReference(), views * rows * columns);
    }

    /// <summary>The elements of a writable rank-3 dense row-major tensor that must be [views, rows, columns].</summary>
    internal static Span<float> Stack(in TensorSpan<float> tensor, string name, int views, int rows, int columns)
    {
        CheckStack(tensor.Rank, tensor.Lengths, tensor.Strides, name, views, rows, columns);
        return MemoryMarshal.CreateSpan(ref tensor.GetPinnableReference(), views * rows * columns);
    }

    /// <summary>A new [rows, columns] tensor over <paramref name="data"/> (no copy).</summary>
    internal static Tensor<float> Wrap(float[] data, int rows, int columns) => Tensor.Create(data, [rows, columns]);

    /// <summary>"[a, b, c]" for messages.</summary>
    internal static string Format(ReadOnlySpan<nint> values)
    {
        var parts = new string[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            parts[i] = values[i].ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return "[" + string.Join(", ", parts) + "]";
    }

    private static void CheckStack(int rank, ReadOnlySpan<nint> lengths, ReadOnlySpan<nint> strides, string name, int views, int rows, int columns)
    {
        if (rank != 3 || lengths[0] != views || lengths[1] != rows || lengths[2] != columns)
        {
            throw new ArgumentException($"'{name}' must be a rank-3 tensor [{views}, {rows}, {columns}] (views, rows, columns); got rank {rank}, shape {Format(lengths)}.", name);
        }

        if (!IsRowMajor(lengths, strides))
        {
            throw new ArgumentException(
                $"'{name}' has strides {Format(strides)}; only dense row-major tensors (strides [{(nint)rows * columns}, {columns}, 1]) are read in place. Copy it into a dense tensor first.",
                name);
        }
    }

    /// <summary>
    /// Whether the elements lie in row-major order with no gaps: each dimension's stride is the
    /// product of the lengths after it. A dimension of length 1 is never stepped along, so its stride
    /// is not compared (System.Numerics.Tensors gives it 0: a dense [1, d] tensor has strides [0, 1]).
    /// </summary>
    private static bool IsRowMajor(ReadOnlySpan<nint> lengths, ReadOnlySpan<nint> strides)
    {
        nint expected = 1;
        for (int i = lengths.Length - 1; i >= 0; i--)
        {
            if (lengths[i] > 1 && strides[i] != expected)
            {
                return false;
            }

            expected *= lengths[i];
        }

        return true;
    }

    private static void CheckShape((int Rows, int Columns) shape, int rows, int columns, string name)
    {
        if (shape.Rows != rows || shape.Columns != columns)
        {
            throw new ArgumentException($"'{name}' must have the input's shape [{rows}, {columns}], got [{shape.Rows}, {shape.Columns}].", name);
        }
    }

    private static (int Rows, int Columns) Shape(int rank, ReadOnlySpan<nint> lengths, ReadOnlySpan<nint> strides, string name)
    {
        if (rank != 2)
        {
            throw new ArgumentException($"'{name}' must be a rank-2 tensor [k, d] (one sample a row); got rank {rank}, shape {Format(lengths)}.", name);
        }

        if (lengths[0] < 1 || lengths[1] < 1 || lengths[0] * lengths[1] > Array.MaxLength)
        {
            throw new ArgumentException($"'{name}' has shape {Format(lengths)}: both lengths must be at least 1 and the elements fit one array.", name);
        }

        if (!IsRowMajor(lengths, strides))
        {
            throw new ArgumentException(
                $"'{name}' has shape {Format(lengths)} and strides {Format(strides)}; only dense row-major tensors (strides [{lengths[1]}, 1]) are read in place. Copy it into a dense tensor first (Tensor.Create and CopyTo).",
                name);
        }

        return ((int)lengths[0], (int)lengths[1]);
    }
}
