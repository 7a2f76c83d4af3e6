using System.Numerics.Tensors;

namespace ER.Managed.Npy;

/// <content>The array as a .NET tensor of its stored shape.</content>
public sealed partial class NpyArray
{
    /// <summary>The data as a float32 tensor of <see cref="Shape"/> (float64 data rounded as in <see cref="ToSingleArray"/>).</summary>
    /// <returns>A new tensor of the stored shape (a 0-D array gives a 1-D tensor of one element).</returns>
    /// <exception cref="OverflowException">A float64 value is finite but outside float32's range.</exception>
    public Tensor<float> ToTensor() => Tensor.Create(ToSingleArray(), Lengths());

    /// <summary>The data as a float64 tensor of <see cref="Shape"/> (float32 data widened exactly).</summary>
    /// <returns>A new tensor of the stored shape (a 0-D array gives a 1-D tensor of one element).</returns>
    public Tensor<double> ToDoubleTensor() => Tensor.Create(ToDoubleArray(), Lengths());

    private nint[] Lengths()
    {
        if (Shape.Count == 0)
        {
            return [1];
        }

        var lengths = new nint[Shape.Count];
        for (int i = 0; i < lengths.Length; i++)
        {
            lengths[i] = Shape[i];
        }

        return lengths;
    }
}
