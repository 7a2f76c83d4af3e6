using System.IO;
using System.Numerics.Tensors;

namespace ER.Managed.Npy;

/// <content>Writing dense .NET tensors as .npy files of their shape; read them back with <see cref="NpyArray.ToTensor"/>.</content>
public static partial class NpyFile
{
    /// <summary>Writes a dense float32 tensor as .npy, atomically (as the span overload).</summary>
    /// <param name="path">The destination file.</param>
    /// <param name="tensor">The tensor; dense (row-major for 2-D).</param>
    /// <exception cref="ArgumentException">A rank above 32, or a tensor that is not dense.</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static void Write(string path, ReadOnlyTensorSpan<float> tensor)
    {
        nint[] lengths = CheckTensor(tensor.Rank, tensor.Lengths, tensor.Strides, tensor.IsDense, tensor.FlattenedLength, nameof(tensor));
        var data = new float[tensor.FlattenedLength];
        tensor.FlattenTo(data);
        Write(path, data, ToShape(lengths));
    }

    /// <summary>Writes a dense float64 tensor as .npy, atomically.</summary>
    /// <param name="path">The destination file.</param>
    /// <param name="tensor">The tensor; dense (row-major for 2-D).</param>
    /// <exception cref="ArgumentException">A rank above 32, or a tensor that is not dense.</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static void Write(string path, ReadOnlyTensorSpan<double> tensor)
    {
        nint[] lengths = CheckTensor(tensor.Rank, tensor.Lengths, tensor.Strides, tensor.IsDense, tensor.FlattenedLength, nameof(tensor));
        var data = new double[tensor.FlattenedLength];
        tensor.FlattenTo(data);
        Write(path, data, ToShape(lengths));
    }

    private static nint[] CheckTensor(int rank, ReadOnlySpan<nint> lengths, ReadOnlySpan<nint> strides, bool dense, nint count, string name)
    {
        if (rank > NpyHeader.MaxRank)
        {
            throw new ArgumentException($"At most {NpyHeader.MaxRank} dimensions are written; got rank {rank}, shape {TensorViews.Format(lengths)}.", name);
        }

        if (!dense)
        {
            throw new ArgumentException($"The tensor with shape {TensorViews.Format(lengths)} and strides {TensorViews.Format(strides)} is not dense; copy it into a dense tensor first.", name);
        }

        if (count > Array.MaxLength)
        {
            throw new ArgumentException($"The tensor has {count} elements, more than one array can hold.", name);
        }

        return lengths.ToArray();
    }

    private static int[] ToShape(nint[] lengths) => Array.ConvertAll(lengths, length => (int)length);
}
