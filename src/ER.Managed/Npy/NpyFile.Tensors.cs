using System.IO;
using System.Numerics.Tensors;

namespace ER.Managed.Npy;

/// <content>
/// Writing .NET tensors as .npy files of their shape, in C order; read them back with <see cref="NpyArray.ToTensor"/>.
/// A view that is not dense (a transposed or permuted tensor, a slice, a broadcast) is written as the
/// elements it shows, in its own row-major order, as numpy saves a strided array.
/// </content>
public static partial class NpyFile
{
    /// <summary>Writes a float32 tensor as .npy (<c>&lt;f4</c>, C order, its shape), atomically (as the span overload).</summary>
    /// <param name="path">The destination file.</param>
    /// <param name="tensor">The tensor, dense or any strided view (written in its logical row-major order).</param>
    /// <exception cref="ArgumentException">A rank above 32, more elements than one array holds, or a dimension beyond <see cref="int.MaxValue"/>.</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static void Write(string path, ReadOnlyTensorSpan<float> tensor)
    {
        nint[] lengths = CheckTensor(tensor.Rank, tensor.Lengths, tensor.FlattenedLength, nameof(tensor));
        var data = new float[tensor.FlattenedLength];
        tensor.FlattenTo(data);
        Write(path, data, ToShape(lengths));
    }

    /// <summary>Writes a float64 tensor as .npy (<c>&lt;f8</c>, C order, its shape), atomically.</summary>
    /// <param name="path">The destination file.</param>
    /// <param name="tensor">The tensor, dense or any strided view (written in its logical row-major order).</param>
    /// <exception cref="ArgumentException">A rank above 32, more elements than one array holds, or a dimension beyond <see cref="int.MaxValue"/>.</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static void Write(string path, ReadOnlyTensorSpan<double> tensor)
    {
        nint[] lengths = CheckTensor(tensor.Rank, tensor.Lengths, tensor.FlattenedLength, nameof(tensor));
        var data = new double[tensor.FlattenedLength];
        tensor.FlattenTo(data);
        Write(path, data, ToShape(lengths));
    }

    private static nint[] CheckTensor(int rank, ReadOnlySpan<nint> lengths, nint count, string name)
    {
        if (rank > NpyHeader.MaxRank)
        {
            throw new ArgumentException($"At most {NpyHeader.MaxRank} dimensions are written; got rank {rank}, shape {TensorViews.Format(lengths)}.", name);
        }

        if (count > Array.MaxLength)
        {
            throw new ArgumentException($"The tensor has {count} elements, more than one array can hold.", name);
        }

        foreach (nint length in lengths)
        {
            // An empty tensor may still have one dimension beyond int (.npy shapes here are int).
            if (length > int.MaxValue)
            {
                throw new ArgumentException($"The tensor's shape {TensorViews.Format(lengths)} has a dimension beyond {int.MaxValue}.", name);
            }
        }

        return lengths.ToArray();
    }

    private static int[] ToShape(nint[] lengths) => Array.ConvertAll(lengths, length => (int)length);
}
