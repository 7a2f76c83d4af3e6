using ER.Managed.Kernels;
using ER.Managed.Terms;

namespace ER.Managed;

/// <summary>
/// The row-wise maps that users chain in front of the ER terms, each with its backward:
/// L2 normalization onto the unit sphere (for the sphere terms) and softmax with a
/// temperature (for the discrete terms). Matrices are row-major float32, <c>rows x columns</c>.
/// </summary>
public static partial class RowOps
{
    /// <summary>
    /// The default floor on a row's norm in <see cref="L2Normalize(ReadOnlySpan{float}, int, int, Span{float}, float)"/>, as PyTorch's
    /// <c>F.normalize</c>: rows with <c>||x|| &lt; epsilon</c> are divided by epsilon instead, so a
    /// zero row maps to zero rather than to NaN.
    /// </summary>
    public const float DefaultNormEpsilon = 1e-12f;

    /// <summary>
    /// <c>z_i = x_i / max(||x_i||, epsilon)</c> for each row.
    /// </summary>
    /// <param name="x">The input, rows x columns, row-major.</param>
    /// <param name="rows">Number of rows k (at least 1).</param>
    /// <param name="columns">Number of columns d (at least 1).</param>
    /// <param name="z">The output, rows x columns; may be the same span as <paramref name="x"/> (in place), not a partial overlap.</param>
    /// <param name="epsilon">The norm floor (default <see cref="DefaultNormEpsilon"/>); positive.</param>
    /// <exception cref="ArgumentException">A length does not match rows x columns, an input is not finite, or the spans partly overlap.</exception>
    /// <exception cref="ArgumentOutOfRangeException">rows or columns is below 1, or epsilon is not positive.</exception>
    public static void L2Normalize(ReadOnlySpan<float> x, int rows, int columns, Span<float> z, float epsilon = DefaultNormEpsilon)
    {
        Validation.CheckShape(x.Length, rows, columns, nameof(x));
        Validation.CheckElementwiseDestination<float>(x, z, nameof(x), nameof(z));
        Validation.CheckNormFloor(epsilon);
        Validation.CheckFinite(x, columns, nameof(x));
        RowMaps.L2Normalize(x, rows, columns, z, epsilon);
    }

    /// <summary>
    /// Backward of <see cref="L2Normalize(ReadOnlySpan{float}, int, int, Span{float}, float)"/>: <c>dx_i = (dz_i - z_i &lt;z_i, dz_i&gt;) / ||x_i||</c>, and
    /// <c>dx_i = dz_i / epsilon</c> for rows whose norm was floored (there the map is x / epsilon).
    /// </summary>
    /// <remarks>
    /// Where float32 products would overflow or underflow the row is done in double, so every element
    /// is the derivative rounded once to float; an element whose magnitude exceeds float32's range
    /// (<c>|dz| / max(|x|, epsilon)</c> near 3.4e38: a huge gradient, a tiny row or a tiny epsilon) is
    /// +-infinity, as IEEE rounding gives it, never NaN.
    /// </remarks>
    /// <param name="x">The forward input, rows x columns.</param>
    /// <param name="gradZ">The gradient with respect to the output z, rows x columns.</param>
    /// <param name="rows">Number of rows k.</param>
    /// <param name="columns">Number of columns d.</param>
    /// <param name="gradX">The gradient with respect to x (output), rows x columns; must not overlap the inputs.</param>
    /// <param name="epsilon">The norm floor used in the forward.</param>
    /// <exception cref="ArgumentException">A length does not match, an input is not finite, or the output overlaps an input.</exception>
    /// <exception cref="ArgumentOutOfRangeException">rows or columns is below 1, or epsilon is not positive.</exception>
    public static void L2NormalizeBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> gradZ, int rows, int columns, Span<float> gradX, float epsilon = DefaultNormEpsilon)
    {
        Validation.CheckShape(x.Length, rows, columns, nameof(x));
        Validation.CheckDestination(gradZ.Length, x.Length, nameof(gradZ));
        Validation.CheckDestination(gradX.Length, x.Length, nameof(gradX));
        Validation.CheckNoOverlap(x, gradX, nameof(x), nameof(gradX));
        Validation.CheckNoOverlap(gradZ, gradX, nameof(gradZ), nameof(gradX));
        Validation.CheckNormFloor(epsilon);
        Validation.CheckFinite(x, columns, nameof(x));
        Validation.CheckFinite(gradZ, columns, nameof(gradZ));
        RowMaps.L2NormalizeBackward(x, gradZ, rows, columns, gradX, epsilon);
    }

    /// <summary>
    /// Row softmax with temperature, <c>p_i = softmax(x_i / t)</c>, with the row maximum subtracted
    /// first so any finite input gives rows that sum to 1.
    /// </summary>
    /// <param name="x">The logits, rows x columns.</param>
    /// <param name="rows">Number of rows k.</param>
    /// <param name="columns">Number of columns d.</param>
    /// <param name="p">The output, rows x columns; may be the same span as <paramref name="x"/> (in place), not a partial overlap.</param>
    /// <param name="temperature">The temperature t (default 1); finite and positive.</param>
    /// <exception cref="ArgumentException">A length does not match, an input is not finite, or the spans partly overlap.</exception>
    /// <exception cref="ArgumentOutOfRangeException">rows or columns is below 1, or the temperature is not finite and positive.</exception>
    public static void Softmax(ReadOnlySpan<float> x, int rows, int columns, Span<float> p, double temperature = 1.0)
    {
        Validation.CheckShape(x.Length, rows, columns, nameof(x));
        Validation.CheckElementwiseDestination<float>(x, p, nameof(x), nameof(p));
        float scale = Validation.CheckTemperature(temperature);
        Validation.CheckFinite(x, columns, nameof(x));
        RowMaps.Softmax(x, rows, columns, p, scale, KernelIsa.Best);
    }

    /// <summary>
    /// Backward of <see cref="Softmax(ReadOnlySpan{float}, int, int, Span{float}, double)"/>: <c>dx_i = p_i * (dp_i - &lt;p_i, dp_i&gt;) / t</c>.
    /// </summary>
    /// <remarks>
    /// A row whose float32 result overflows anywhere is computed again in double and rounded once, so
    /// no intermediate overflow shows: an element whose magnitude exceeds float32's range is
    /// +-infinity, never NaN.
    /// </remarks>
    /// <param name="p">The forward output (probabilities), rows x columns.</param>
    /// <param name="gradP">The gradient with respect to p, rows x columns.</param>
    /// <param name="rows">Number of rows k.</param>
    /// <param name="columns">Number of columns d.</param>
    /// <param name="gradX">The gradient with respect to the logits (output); must not overlap the inputs.</param>
    /// <param name="temperature">The temperature used in the forward.</param>
    /// <exception cref="ArgumentException">A length does not match, an input is not finite, or the output overlaps an input.</exception>
    /// <exception cref="ArgumentOutOfRangeException">rows or columns is below 1, or the temperature is not finite and positive.</exception>
    public static void SoftmaxBackward(ReadOnlySpan<float> p, ReadOnlySpan<float> gradP, int rows, int columns, Span<float> gradX, double temperature = 1.0)
    {
        Validation.CheckShape(p.Length, rows, columns, nameof(p));
        Validation.CheckDestination(gradP.Length, p.Length, nameof(gradP));
        Validation.CheckDestination(gradX.Length, p.Length, nameof(gradX));
        Validation.CheckNoOverlap(p, gradX, nameof(p), nameof(gradX));
        Validation.CheckNoOverlap(gradP, gradX, nameof(gradP), nameof(gradX));
        float scale = Validation.CheckTemperature(temperature);
        Validation.CheckFinite(p, columns, nameof(p));
        Validation.CheckFinite(gradP, columns, nameof(gradP));
        RowMaps.SoftmaxBackward(p, gradP, rows, columns, gradX, scale);
    }
}
