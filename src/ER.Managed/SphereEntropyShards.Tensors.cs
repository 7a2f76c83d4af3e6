using System.Numerics.Tensors;

namespace ER.Managed;

/// <content>
/// The two passes on .NET tensors: all rows as a rank-2 <see cref="ReadOnlyTensorSpan{T}"/> [k, d]
/// (dense, row-major, read in place), the own rows' gradient into a <see cref="TensorSpan{T}"/>
/// [rowCount, d]; the states stay flat spans of doubles, the buffers a transport sends.
/// </content>
public static partial class SphereEntropyShards
{
    /// <summary>Pass 1 for the rows of a [k, d] tensor; see <see cref="RowStates(ReadOnlySpan{float}, int, int, int, int, Span{double}, double, EntropyReduction, ErOptions?)"/>.</summary>
    /// <param name="z">All k embeddings, [k, d], unit rows.</param>
    /// <param name="firstRow">The first row this worker owns.</param>
    /// <param name="rowCount">How many rows it owns (0 is allowed).</param>
    /// <param name="states">Output: rowCount x <see cref="StateWidth"/> doubles.</param>
    /// <param name="kappa">The vMF concentration (default 10).</param>
    /// <param name="reduction">The estimator (default plug-in); leave-one-out states leave the self-pair out.</param>
    /// <param name="options">Validation and threading settings; null for <see cref="ErOptions.Default"/>.</param>
    /// <exception cref="ArgumentException">z is not a dense row-major rank-2 tensor, or as for the span overload.</exception>
    /// <exception cref="ArgumentOutOfRangeException">As for the span overload.</exception>
    public static void RowStates(ReadOnlyTensorSpan<float> z, int firstRow, int rowCount, Span<double> states, double kappa = Entropy.DefaultKappa, EntropyReduction reduction = EntropyReduction.Expectation, ErOptions? options = null) =>
        RowStates(TensorViews.Matrix(z, nameof(z), out int rows, out int columns), rows, columns, firstRow, rowCount, states, kappa, reduction, options);

    /// <summary>Pass 2 for the rows of a [k, d] tensor, into a [rowCount, d] tensor; see <see cref="Gradient(ReadOnlySpan{float}, int, int, ReadOnlySpan{double}, int, int, Span{float}, double, EntropyReduction, ErOptions?)"/>.</summary>
    /// <param name="z">All k embeddings, [k, d].</param>
    /// <param name="states">All rows' states, k x <see cref="StateWidth"/>.</param>
    /// <param name="firstRow">The first row this worker owns.</param>
    /// <param name="rowCount">How many rows it owns.</param>
    /// <param name="gradient">Receives dH/dz of the owned rows, [rowCount, d]; must not overlap z.</param>
    /// <param name="kappa">The vMF concentration (default 10).</param>
    /// <param name="reduction">The estimator (default plug-in), as for the states.</param>
    /// <param name="options">Validation and threading settings.</param>
    /// <exception cref="ArgumentException">A tensor of another rank, strides or shape, or as for the span overload.</exception>
    /// <exception cref="ArgumentOutOfRangeException">As for the span overload.</exception>
    public static void Gradient(ReadOnlyTensorSpan<float> z, ReadOnlySpan<double> states, int firstRow, int rowCount, TensorSpan<float> gradient, double kappa = Entropy.DefaultKappa, EntropyReduction reduction = EntropyReduction.Expectation, ErOptions? options = null)
    {
        ReadOnlySpan<float> values = TensorViews.Matrix(z, nameof(z), out int rows, out int columns);
        // A worker without rows passes an empty tensor (a [0, d] one cannot be created).
        Span<float> own = rowCount == 0 && gradient.IsEmpty ? Span<float>.Empty : TensorViews.Matrix(gradient, nameof(gradient), rowCount, columns);
        Gradient(values, rows, columns, states, firstRow, rowCount, own, kappa, reduction, options);
    }
}
