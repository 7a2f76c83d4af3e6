using System.Numerics.Tensors;

namespace ER.Managed;

/// <content>
/// The entropies on .NET tensors: a rank-2 <see cref="ReadOnlyTensorSpan{T}"/> [k, d] (dense,
/// row-major, read in place) instead of a span with its row and column counts; gradients into a
/// <see cref="TensorSpan{T}"/> of the same shape. Values, gradients and exceptions are those of the
/// span overloads; a tensor of another rank or with other strides is refused naming its shape and strides.
/// </content>
public static partial class Entropy
{
    /// <summary>The sphere entropy of the rows of a [k, d] tensor; see <see cref="Sphere(ReadOnlySpan{float}, int, int, double, EntropyReduction, NormalizerMode, ErOptions?)"/>.</summary>
    /// <param name="z">The embeddings, [k, d], unit rows.</param>
    /// <param name="kappa">The vMF concentration (default 10); from 0 (the uniform limit) to <see cref="MaxKappa"/>.</param>
    /// <param name="reduction">The estimator: plug-in (default), Joe's, or Joe's leave-one-out.</param>
    /// <param name="normalizer">The constant c: exact (default) or reference.</param>
    /// <param name="options">Validation and threading settings; null for <see cref="ErOptions.Default"/>.</param>
    /// <returns>H, in nats.</returns>
    /// <exception cref="ArgumentException">z is not a dense row-major rank-2 tensor, or as for the span overload.</exception>
    /// <exception cref="ArgumentOutOfRangeException">As for the span overload.</exception>
    public static double Sphere(ReadOnlyTensorSpan<float> z, double kappa = DefaultKappa, EntropyReduction reduction = EntropyReduction.Expectation, NormalizerMode normalizer = NormalizerMode.Exact, ErOptions? options = null) =>
        Sphere(TensorViews.Matrix(z, nameof(z), out int rows, out int columns), rows, columns, kappa, reduction, normalizer, options);

    /// <summary>The sphere entropy, its gradient into <paramref name="gradient"/> ([k, d]) and its kappa derivative; see the span overload.</summary>
    /// <param name="z">The embeddings, [k, d], unit rows.</param>
    /// <param name="gradient">Receives dH/dz, [k, d]; must not overlap z.</param>
    /// <param name="kappa">The vMF concentration (default 10).</param>
    /// <param name="reduction">The estimator: plug-in (default), Joe's, or Joe's leave-one-out.</param>
    /// <param name="normalizer">Exact (default) or reference.</param>
    /// <param name="options">Validation and threading settings.</param>
    /// <returns>H (nats) and dH/dkappa.</returns>
    /// <exception cref="ArgumentException">A tensor of another rank, strides or shape, or as for the span overload.</exception>
    /// <exception cref="ArgumentOutOfRangeException">As for the span overload.</exception>
    public static SphereTermResult SphereWithGradient(ReadOnlyTensorSpan<float> z, TensorSpan<float> gradient, double kappa = DefaultKappa, EntropyReduction reduction = EntropyReduction.Expectation, NormalizerMode normalizer = NormalizerMode.Exact, ErOptions? options = null)
    {
        ReadOnlySpan<float> values = TensorViews.Matrix(z, nameof(z), out int rows, out int columns);
        return SphereWithGradient(values, rows, columns, TensorViews.Matrix(gradient, nameof(gradient), rows, columns), kappa, reduction, normalizer, options);
    }

    /// <summary>As the overload with a gradient tensor, allocating the gradient (<see cref="TermGradients.GradientTensor"/> is [k, d]).</summary>
    /// <param name="z">The embeddings, [k, d], unit rows.</param>
    /// <param name="kappa">The vMF concentration (default 10).</param>
    /// <param name="reduction">The estimator: plug-in (default), Joe's, or Joe's leave-one-out.</param>
    /// <param name="normalizer">Exact (default) or reference.</param>
    /// <param name="options">Validation and threading settings.</param>
    /// <returns>H, dH/dkappa and a new dH/dz.</returns>
    /// <exception cref="ArgumentException">As for the overload with a gradient tensor.</exception>
    /// <exception cref="ArgumentOutOfRangeException">As for the span overload.</exception>
    public static TermGradients SphereWithGradient(ReadOnlyTensorSpan<float> z, double kappa = DefaultKappa, EntropyReduction reduction = EntropyReduction.Expectation, NormalizerMode normalizer = NormalizerMode.Exact, ErOptions? options = null) =>
        SphereWithGradient(TensorViews.Matrix(z, nameof(z), out int rows, out int columns), rows, columns, kappa, reduction, normalizer, options);

    /// <summary>The discrete entropy of the rows of a [k, d] tensor of probabilities; see the span overload.</summary>
    /// <param name="w">The probabilities, [k, d], rows summing to 1.</param>
    /// <param name="reduction">Expectation (default) or average.</param>
    /// <param name="options">Validation and threading settings.</param>
    /// <returns>H, in nats.</returns>
    /// <exception cref="ArgumentException">w is not a dense row-major rank-2 tensor, or as for the span overload.</exception>
    /// <exception cref="ArgumentOutOfRangeException">As for the span overload.</exception>
    public static double Discrete(ReadOnlyTensorSpan<float> w, EntropyReduction reduction = EntropyReduction.Expectation, ErOptions? options = null) =>
        Discrete(TensorViews.Matrix(w, nameof(w), out int rows, out int columns), rows, columns, reduction, options);

    /// <summary>The discrete entropy and its gradient into <paramref name="gradient"/> ([k, d]); see the span overload.</summary>
    /// <param name="w">The probabilities, [k, d].</param>
    /// <param name="gradient">Receives dH/dw, [k, d]; must not overlap w.</param>
    /// <param name="reduction">Expectation (default) or average.</param>
    /// <param name="options">Validation and threading settings.</param>
    /// <returns>H, in nats.</returns>
    /// <exception cref="ArgumentException">A tensor of another rank, strides or shape, or as for the span overload.</exception>
    /// <exception cref="ArgumentOutOfRangeException">As for the span overload.</exception>
    public static double DiscreteWithGradient(ReadOnlyTensorSpan<float> w, TensorSpan<float> gradient, EntropyReduction reduction = EntropyReduction.Expectation, ErOptions? options = null)
    {
        ReadOnlySpan<float> values = TensorViews.Matrix(w, nameof(w), out int rows, out int columns);
        return DiscreteWithGradient(values, rows, columns, TensorViews.Matrix(gradient, nameof(gradient), rows, columns), reduction, options);
    }

    /// <summary>As the overload with a gradient tensor, allocating the gradient.</summary>
    /// <param name="w">The probabilities, [k, d].</param>
    /// <param name="reduction">Expectation (default) or average.</param>
    /// <param name="options">Validation and threading settings.</param>
    /// <returns>H and a new dH/dw.</returns>
    /// <exception cref="ArgumentException">As for the overload with a gradient tensor.</exception>
    /// <exception cref="ArgumentOutOfRangeException">As for the span overload.</exception>
    public static TermGradients DiscreteWithGradient(ReadOnlyTensorSpan<float> w, EntropyReduction reduction = EntropyReduction.Expectation, ErOptions? options = null) =>
        DiscreteWithGradient(TensorViews.Matrix(w, nameof(w), out int rows, out int columns), rows, columns, reduction, options);

    /// <summary>Joe's leave-one-out estimator of a [k, d] tensor's rows; see the span overload.</summary>
    /// <param name="z">The embeddings, [k, d], unit rows, k at least 2.</param>
    /// <param name="kappa">The vMF concentration (default 10).</param>
    /// <param name="normalizer">Exact (default) or reference.</param>
    /// <param name="options">Validation and threading settings.</param>
    /// <returns>H, in nats.</returns>
    /// <exception cref="ArgumentException">z is not a dense row-major rank-2 tensor, or as for the span overload.</exception>
    /// <exception cref="ArgumentOutOfRangeException">As for the span overload.</exception>
    public static double SphereLeaveOneOut(ReadOnlyTensorSpan<float> z, double kappa = DefaultKappa, NormalizerMode normalizer = NormalizerMode.Exact, ErOptions? options = null) =>
        SphereLeaveOneOut(TensorViews.Matrix(z, nameof(z), out int rows, out int columns), rows, columns, kappa, normalizer, options);

    /// <summary>The kNN entropy of a [k, d] tensor's rows; see the span overload.</summary>
    /// <param name="z">The embeddings, [k, d], unit rows, d at least 2.</param>
    /// <param name="neighbors">m (default 4).</param>
    /// <param name="options">Validation and threading settings.</param>
    /// <returns>H, in nats.</returns>
    /// <exception cref="ArgumentException">z is not a dense row-major rank-2 tensor, or as for the span overload.</exception>
    /// <exception cref="ArgumentOutOfRangeException">As for the span overload.</exception>
    public static double SphereKnn(ReadOnlyTensorSpan<float> z, int neighbors = 4, ErOptions? options = null) =>
        SphereKnn(TensorViews.Matrix(z, nameof(z), out int rows, out int columns), rows, columns, neighbors, options);
}
