using System.Numerics.Tensors;

namespace ER.Managed;

/// <content>
/// The reconstruction terms on .NET tensors: two [k, d] views (dense, row-major, read in place),
/// gradients into [k, d] tensors. Values, gradients and exceptions are those of the span overloads;
/// views of different shapes, another rank or other strides are refused naming the shapes and strides.
/// </content>
public static partial class Reconstruction
{
    /// <summary>The sphere reconstruction term of two [k, d] views; see the span overload.</summary>
    /// <param name="a">View 1, [k, d], unit rows.</param>
    /// <param name="b">View 2, [k, d], unit rows; row i pairs with row i of a.</param>
    /// <param name="kappa">The vMF concentration (default 10).</param>
    /// <param name="normalizer">Exact (default) or reference.</param>
    /// <param name="options">Validation and threading settings.</param>
    /// <returns>R, in nats.</returns>
    /// <exception cref="ArgumentException">A view is not a dense row-major rank-2 tensor, the shapes differ, or as for the span overload.</exception>
    /// <exception cref="ArgumentOutOfRangeException">As for the span overload.</exception>
    public static double Sphere(ReadOnlyTensorSpan<float> a, ReadOnlyTensorSpan<float> b, double kappa = Entropy.DefaultKappa, NormalizerMode normalizer = NormalizerMode.Exact, ErOptions? options = null)
    {
        ReadOnlySpan<float> first = Views(a, b, out ReadOnlySpan<float> second, out int rows, out int columns);
        return Sphere(first, second, rows, columns, kappa, normalizer, options);
    }

    /// <summary>The sphere reconstruction term with its gradients into two [k, d] tensors and its kappa derivative.</summary>
    /// <param name="a">View 1, [k, d], unit rows.</param>
    /// <param name="b">View 2, [k, d], unit rows.</param>
    /// <param name="gradientA">Receives dR/da, [k, d].</param>
    /// <param name="gradientB">Receives dR/db, [k, d].</param>
    /// <param name="kappa">The vMF concentration (default 10).</param>
    /// <param name="normalizer">Exact (default) or reference.</param>
    /// <param name="options">Validation and threading settings.</param>
    /// <returns>R (nats) and dR/dkappa.</returns>
    /// <exception cref="ArgumentException">A tensor of another rank, strides or shape, or as for the span overload.</exception>
    /// <exception cref="ArgumentOutOfRangeException">As for the span overload.</exception>
    public static SphereTermResult SphereWithGradient(ReadOnlyTensorSpan<float> a, ReadOnlyTensorSpan<float> b, TensorSpan<float> gradientA, TensorSpan<float> gradientB, double kappa = Entropy.DefaultKappa, NormalizerMode normalizer = NormalizerMode.Exact, ErOptions? options = null)
    {
        ReadOnlySpan<float> first = Views(a, b, out ReadOnlySpan<float> second, out int rows, out int columns);
        return SphereWithGradient(first, second, rows, columns, TensorViews.Matrix(gradientA, nameof(gradientA), rows, columns), TensorViews.Matrix(gradientB, nameof(gradientB), rows, columns), kappa, normalizer, options);
    }

    /// <summary>As the overload with gradient tensors, allocating both gradients (see <see cref="TermGradients.GradientTensor"/>).</summary>
    /// <param name="a">View 1, [k, d], unit rows.</param>
    /// <param name="b">View 2, [k, d], unit rows.</param>
    /// <param name="kappa">The vMF concentration (default 10).</param>
    /// <param name="normalizer">Exact (default) or reference.</param>
    /// <param name="options">Validation and threading settings.</param>
    /// <returns>R, dR/dkappa and new dR/da, dR/db.</returns>
    /// <exception cref="ArgumentException">As for the overload with gradient tensors.</exception>
    /// <exception cref="ArgumentOutOfRangeException">As for the span overload.</exception>
    public static TermGradients SphereWithGradient(ReadOnlyTensorSpan<float> a, ReadOnlyTensorSpan<float> b, double kappa = Entropy.DefaultKappa, NormalizerMode normalizer = NormalizerMode.Exact, ErOptions? options = null)
    {
        ReadOnlySpan<float> first = Views(a, b, out ReadOnlySpan<float> second, out int rows, out int columns);
        return SphereWithGradient(first, second, rows, columns, kappa, normalizer, options);
    }

    /// <summary>The discrete reconstruction term of two [k, d] probability views; see the span overload.</summary>
    /// <param name="a">View 1, [k, d], probability rows.</param>
    /// <param name="b">View 2, [k, d], probability rows.</param>
    /// <param name="options">Validation and threading settings.</param>
    /// <returns>R, in nats.</returns>
    /// <exception cref="ArgumentException">A view is not a dense row-major rank-2 tensor, the shapes differ, or as for the span overload.</exception>
    /// <exception cref="ArgumentOutOfRangeException">As for the span overload.</exception>
    public static double Discrete(ReadOnlyTensorSpan<float> a, ReadOnlyTensorSpan<float> b, ErOptions? options = null)
    {
        ReadOnlySpan<float> first = Views(a, b, out ReadOnlySpan<float> second, out int rows, out int columns);
        return Discrete(first, second, rows, columns, options);
    }

    /// <summary>The discrete reconstruction term with its gradients into two [k, d] tensors.</summary>
    /// <param name="a">View 1, [k, d], probability rows.</param>
    /// <param name="b">View 2, [k, d], probability rows.</param>
    /// <param name="gradientA">Receives dR/da, [k, d].</param>
    /// <param name="gradientB">Receives dR/db, [k, d].</param>
    /// <param name="options">Validation and threading settings.</param>
    /// <returns>R, in nats.</returns>
    /// <exception cref="ArgumentException">A tensor of another rank, strides or shape, or as for the span overload.</exception>
    /// <exception cref="ArgumentOutOfRangeException">As for the span overload.</exception>
    public static double DiscreteWithGradient(ReadOnlyTensorSpan<float> a, ReadOnlyTensorSpan<float> b, TensorSpan<float> gradientA, TensorSpan<float> gradientB, ErOptions? options = null)
    {
        ReadOnlySpan<float> first = Views(a, b, out ReadOnlySpan<float> second, out int rows, out int columns);
        return DiscreteWithGradient(first, second, rows, columns, TensorViews.Matrix(gradientA, nameof(gradientA), rows, columns), TensorViews.Matrix(gradientB, nameof(gradientB), rows, columns), options);
    }

    /// <summary>As the overload with gradient tensors, allocating both gradients.</summary>
    /// <param name="a">View 1, [k, d], probability rows.</param>
    /// <param name="b">View 2, [k, d], probability rows.</param>
    /// <param name="options">Validation and threading settings.</param>
    /// <returns>R and new dR/da, dR/db.</returns>
    /// <exception cref="ArgumentException">As for the overload with gradient tensors.</exception>
    /// <exception cref="ArgumentOutOfRangeException">As for the span overload.</exception>
    public static TermGradients DiscreteWithGradient(ReadOnlyTensorSpan<float> a, ReadOnlyTensorSpan<float> b, ErOptions? options = null)
    {
        ReadOnlySpan<float> first = Views(a, b, out ReadOnlySpan<float> second, out int rows, out int columns);
        return DiscreteWithGradient(first, second, rows, columns, options);
    }

    /// <summary>Both views' elements; b must have a's shape.</summary>
    private static ReadOnlySpan<float> Views(in ReadOnlyTensorSpan<float> a, in ReadOnlyTensorSpan<float> b, out ReadOnlySpan<float> second, out int rows, out int columns)
    {
        ReadOnlySpan<float> first = TensorViews.Matrix(a, nameof(a), out rows, out columns);
        second = TensorViews.Matrix(b, nameof(b), rows, columns);
        return first;
    }
}
