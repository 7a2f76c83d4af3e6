using System.Numerics.Tensors;

namespace ER.Managed.Estimation;

/// <content>kappa selection from a [n, d] tensor of unit rows (dense, row-major); results and exceptions as the span overloads.</content>
public static partial class KappaSelection
{
    /// <summary>The leave-one-out log-likelihood and its kappa derivative for a [n, d] tensor; see the span overload.</summary>
    /// <param name="z">The samples, [n, d], unit rows.</param>
    /// <param name="kappa">The kernel concentration.</param>
    /// <param name="derivative">Receives dL/dkappa.</param>
    /// <param name="options">Validation and threading settings.</param>
    /// <returns>L(kappa), in nats per sample.</returns>
    /// <exception cref="ArgumentException">z is not a dense row-major rank-2 tensor, or as for the span overload.</exception>
    /// <exception cref="ArgumentOutOfRangeException">As for the span overload.</exception>
    public static double LeaveOneOutLogLikelihood(ReadOnlyTensorSpan<float> z, double kappa, out double derivative, ErOptions? options = null) =>
        LeaveOneOutLogLikelihood(TensorViews.Matrix(z, nameof(z), out int rows, out int columns), rows, columns, kappa, out derivative, options);

    /// <summary>The leave-one-out likelihood's kappa for a [n, d] tensor; see the span overload.</summary>
    /// <param name="z">The samples, [n, d], unit rows.</param>
    /// <param name="options">Validation and threading settings.</param>
    /// <returns>kappa, L(kappa) and the evaluations it took.</returns>
    /// <exception cref="ArgumentException">z is not a dense row-major rank-2 tensor, or as for the span overload.</exception>
    /// <exception cref="ArgumentOutOfRangeException">As for the span overload.</exception>
    public static KappaSelectionResult LeaveOneOut(ReadOnlyTensorSpan<float> z, ErOptions? options = null) =>
        LeaveOneOut(TensorViews.Matrix(z, nameof(z), out int rows, out int columns), rows, columns, options);

    /// <summary>The rule-of-thumb kappa for a [n, d] tensor; see the span overload.</summary>
    /// <param name="z">The samples, [n, d], unit rows.</param>
    /// <param name="options">Validation and threading settings.</param>
    /// <returns>kappa, L(kappa) and the evaluations of the vMF fit's equation.</returns>
    /// <exception cref="ArgumentException">z is not a dense row-major rank-2 tensor, or as for the span overload.</exception>
    /// <exception cref="ArgumentOutOfRangeException">As for the span overload.</exception>
    public static KappaSelectionResult RuleOfThumb(ReadOnlyTensorSpan<float> z, ErOptions? options = null) =>
        RuleOfThumb(TensorViews.Matrix(z, nameof(z), out int rows, out int columns), rows, columns, options);
}
