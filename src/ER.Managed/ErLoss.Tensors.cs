using System.Numerics.Tensors;

namespace ER.Managed;

/// <content>The objective on tensors: views and gradients [rows, columns] each, or all views as one [views, rows, columns] tensor (dense, row-major).</content>
public sealed partial class ErLoss
{
    /// <summary>As the two-view span <c>Compute</c>, on [<see cref="Rows"/>, <see cref="Columns"/>] tensors.</summary>
    /// <param name="view1">Raw projector outputs of view 1, [k, d].</param>
    /// <param name="view2">Raw projector outputs of view 2, [k, d].</param>
    /// <param name="gradient1">Receives dLoss/dview1, [k, d].</param>
    /// <param name="gradient2">Receives dLoss/dview2, [k, d].</param>
    /// <returns>The loss and its parts, in nats.</returns>
    /// <exception cref="ArgumentException">A tensor of another rank, strides or shape than [k, d], or as for the span overload.</exception>
    /// <exception cref="OverflowException">As for the span overload.</exception>
    /// <exception cref="InvalidOperationException">The loss was created for more than two views.</exception>
    public ErLossResult Compute(ReadOnlyTensorSpan<float> view1, ReadOnlyTensorSpan<float> view2, TensorSpan<float> gradient1, TensorSpan<float> gradient2) =>
        Compute(
            TensorViews.Matrix(view1, nameof(view1), Rows, Columns),
            TensorViews.Matrix(view2, nameof(view2), Rows, Columns),
            TensorViews.Matrix(gradient1, nameof(gradient1), Rows, Columns),
            TensorViews.Matrix(gradient2, nameof(gradient2), Rows, Columns));

    /// <summary>As the stacked span <c>Compute</c>, on [<see cref="Views"/>, <see cref="Rows"/>, <see cref="Columns"/>] tensors.</summary>
    /// <param name="views">Raw projector outputs of every view, [V, k, d].</param>
    /// <param name="gradients">Receives dLoss/dview for every view, [V, k, d].</param>
    /// <returns>The loss and its parts, in nats.</returns>
    /// <exception cref="ArgumentException">A tensor of another rank, strides or shape than [V, k, d], or as for the span overload.</exception>
    /// <exception cref="OverflowException">As for the span overload.</exception>
    public ErLossResult Compute(ReadOnlyTensorSpan<float> views, TensorSpan<float> gradients) =>
        Compute(TensorViews.Stack(views, nameof(views), Views, Rows, Columns), TensorViews.Stack(gradients, nameof(gradients), Views, Rows, Columns));
}
