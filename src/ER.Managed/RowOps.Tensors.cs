using System.Numerics.Tensors;

namespace ER.Managed;

/// <content>The row maps on [k, d] tensors (dense, row-major); results and exceptions as the span overloads.</content>
public static partial class RowOps
{
    /// <summary><c>z_i = x_i / max(||x_i||, epsilon)</c> for each row of a [k, d] tensor.</summary>
    /// <param name="x">The input, [k, d].</param>
    /// <param name="z">The output, [k, d]; may be x itself (in place).</param>
    /// <param name="epsilon">The norm floor (default <see cref="DefaultNormEpsilon"/>).</param>
    /// <exception cref="ArgumentException">A tensor of another rank, strides or shape, or as for the span overload.</exception>
    /// <exception cref="ArgumentOutOfRangeException">As for the span overload.</exception>
    public static void L2Normalize(ReadOnlyTensorSpan<float> x, TensorSpan<float> z, float epsilon = DefaultNormEpsilon)
    {
        ReadOnlySpan<float> input = TensorViews.Matrix(x, nameof(x), out int rows, out int columns);
        L2Normalize(input, rows, columns, TensorViews.Matrix(z, nameof(z), rows, columns), epsilon);
    }

    /// <summary>Backward of the tensor <c>L2Normalize</c>: dx from x and dz, all [k, d].</summary>
    /// <param name="x">The forward input, [k, d].</param>
    /// <param name="gradZ">The gradient with respect to z, [k, d].</param>
    /// <param name="gradX">Receives the gradient with respect to x, [k, d]; must not overlap the inputs.</param>
    /// <param name="epsilon">The norm floor used in the forward.</param>
    /// <exception cref="ArgumentException">A tensor of another rank, strides or shape, or as for the span overload.</exception>
    /// <exception cref="ArgumentOutOfRangeException">As for the span overload.</exception>
    public static void L2NormalizeBackward(ReadOnlyTensorSpan<float> x, ReadOnlyTensorSpan<float> gradZ, TensorSpan<float> gradX, float epsilon = DefaultNormEpsilon)
    {
        ReadOnlySpan<float> input = TensorViews.Matrix(x, nameof(x), out int rows, out int columns);
        ReadOnlySpan<float> upstream = TensorViews.Matrix(gradZ, nameof(gradZ), rows, columns);
        L2NormalizeBackward(input, upstream, rows, columns, TensorViews.Matrix(gradX, nameof(gradX), rows, columns), epsilon);
    }

    /// <summary>Row softmax with temperature of a [k, d] tensor of logits.</summary>
    /// <param name="x">The logits, [k, d].</param>
    /// <param name="p">The output, [k, d]; may be x itself.</param>
    /// <param name="temperature">The temperature (default 1).</param>
    /// <exception cref="ArgumentException">A tensor of another rank, strides or shape, or as for the span overload.</exception>
    /// <exception cref="ArgumentOutOfRangeException">As for the span overload.</exception>
    public static void Softmax(ReadOnlyTensorSpan<float> x, TensorSpan<float> p, double temperature = 1.0)
    {
        ReadOnlySpan<float> input = TensorViews.Matrix(x, nameof(x), out int rows, out int columns);
        Softmax(input, rows, columns, TensorViews.Matrix(p, nameof(p), rows, columns), temperature);
    }

    /// <summary>Backward of the tensor <c>Softmax</c>: dx from p and dp, all [k, d].</summary>
    /// <param name="p">The forward output, [k, d].</param>
    /// <param name="gradP">The gradient with respect to p, [k, d].</param>
    /// <param name="gradX">Receives the gradient with respect to the logits, [k, d].</param>
    /// <param name="temperature">The temperature used in the forward.</param>
    /// <exception cref="ArgumentException">A tensor of another rank, strides or shape, or as for the span overload.</exception>
    /// <exception cref="ArgumentOutOfRangeException">As for the span overload.</exception>
    public static void SoftmaxBackward(ReadOnlyTensorSpan<float> p, ReadOnlyTensorSpan<float> gradP, TensorSpan<float> gradX, double temperature = 1.0)
    {
        ReadOnlySpan<float> probabilities = TensorViews.Matrix(p, nameof(p), out int rows, out int columns);
        ReadOnlySpan<float> upstream = TensorViews.Matrix(gradP, nameof(gradP), rows, columns);
        SoftmaxBackward(probabilities, upstream, rows, columns, TensorViews.Matrix(gradX, nameof(gradX), rows, columns), temperature);
    }
}
