using System.Numerics.Tensors;

namespace ER.Managed;

/// <summary>
/// A term's value with freshly allocated gradients, from the convenience overloads that allocate.
/// In hot loops use the overloads that write into caller-provided spans instead.
/// </summary>
public sealed class TermGradients
{
    internal TermGradients(double value, double kappaGradient, float[] gradient, float[]? gradientB, int rows, int columns)
    {
        Value = value;
        KappaGradient = kappaGradient;
        Gradient = gradient;
        GradientB = gradientB;
        Rows = rows;
        Columns = columns;
    }

    /// <summary>The term's value, in nats.</summary>
    public double Value { get; }

    /// <summary>d(value)/d(kappa) for the sphere terms; 0 for the discrete terms, which do not use kappa.</summary>
    public double KappaGradient { get; }

    /// <summary>The gradient with respect to the first input (z, w, or view a): rows x columns, row-major.</summary>
    public float[] Gradient { get; }

    /// <summary>The gradient with respect to the second view b (reconstruction terms); null for entropy terms.</summary>
    public float[]? GradientB { get; }

    /// <summary>The number of rows k of the gradients.</summary>
    public int Rows { get; }

    /// <summary>The number of columns d of the gradients.</summary>
    public int Columns { get; }

    /// <summary><see cref="Gradient"/> as a [k, d] tensor over the same array (no copy).</summary>
    public Tensor<float> GradientTensor => TensorViews.Wrap(Gradient, Rows, Columns);

    /// <summary><see cref="GradientB"/> as a [k, d] tensor over the same array (no copy); null for entropy terms.</summary>
    public Tensor<float>? GradientBTensor => GradientB is null ? null : TensorViews.Wrap(GradientB, Rows, Columns);
}
