using System.Numerics.Tensors;
using ER.Managed.Kernels;

namespace ER.Managed;

/// <summary>
/// Pairwise dot products of row-major float32 matrices on the library's packed GEMM (AVX-512 or
/// AVX2 micro-kernels, the simple dot-product path below that), multi-threaded with results
/// that do not depend on the thread count.
/// </summary>
public static partial class Gram
{
    /// <summary>
    /// The Gram matrix <c>C = Z Z^T</c>: <c>C_ij = &lt;z_i, z_j&gt;</c>. Each off-diagonal product is
    /// computed once and mirrored (C is exactly symmetric).
    /// </summary>
    /// <remarks>
    /// Accumulated in float32. Where the inputs are large enough for a partial sum to overflow
    /// (the largest <c>|z_i|^2</c> from 1.7e38), entries that overflowed are recomputed in double: an entry is
    /// +-infinity only where the exact product lies beyond float32's range, never NaN.
    /// </remarks>
    /// <param name="z">The rows, rows x columns, row-major.</param>
    /// <param name="rows">k (at least 1).</param>
    /// <param name="columns">d (at least 1).</param>
    /// <param name="result">Output: k x k, row-major; must not overlap <paramref name="z"/>.</param>
    /// <param name="options">Threading (and validation: finiteness of z); null for <see cref="ErOptions.Default"/>.</param>
    /// <exception cref="ArgumentException">A length does not match, an element is not finite (when validating), or the spans overlap.</exception>
    /// <exception cref="ArgumentOutOfRangeException">rows or columns below 1, or k x k too large for one array.</exception>
    public static void Compute(ReadOnlySpan<float> z, int rows, int columns, Span<float> result, ErOptions? options = null)
    {
        options ??= ErOptions.Default;
        Validation.CheckShape(z.Length, rows, columns, nameof(z));
        CheckResult(result, rows, rows);
        Validation.CheckNoOverlap(z, result, nameof(z), nameof(result));
        if (options.ValidateInputs)
        {
            Validation.CheckFinite(z, columns, nameof(z));
        }

        GramKernel.Compute(z, rows, columns, result, options.EffectiveDegreeOfParallelism, KernelIsa.Best);

        // Every partial sum of <z_i, z_j> is at most |z_i| |z_j| (Cauchy-Schwarz), so the largest
        // diagonal entry bounds them all: k reads instead of a pass over z.
        double largestSquare = 0;
        for (int i = 0; i < rows && largestSquare < double.PositiveInfinity; i++)
        {
            float square = result[(i * rows) + i];
            largestSquare = float.IsFinite(square) ? Math.Max(largestSquare, square) : double.PositiveInfinity;
        }

        RecomputeOverflowed(z, z, rows, columns, result, largestSquare);
    }

    /// <summary>
    /// <c>C = A B^T</c>: <c>C_ij = &lt;a_i, b_j&gt;</c> for an m x d matrix A and an n x d matrix B.
    /// </summary>
    /// <remarks>As <see cref="Compute(ReadOnlySpan{float}, int, int, Span{float}, ErOptions?)"/>: an entry is +-infinity only where the exact product exceeds float32's range, never NaN.</remarks>
    /// <param name="a">A, aRows x columns, row-major.</param>
    /// <param name="aRows">m (at least 1).</param>
    /// <param name="b">B, bRows x columns, row-major.</param>
    /// <param name="bRows">n (at least 1).</param>
    /// <param name="columns">d (at least 1).</param>
    /// <param name="result">Output: m x n, row-major; must not overlap the inputs.</param>
    /// <param name="options">Threading (and validation: finiteness); null for <see cref="ErOptions.Default"/>.</param>
    /// <exception cref="ArgumentException">A length does not match, an element is not finite (when validating), or spans overlap.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A count below 1, or m x n too large for one array.</exception>
    public static void MultiplyTransposed(ReadOnlySpan<float> a, int aRows, ReadOnlySpan<float> b, int bRows, int columns, Span<float> result, ErOptions? options = null)
    {
        options ??= ErOptions.Default;
        Validation.CheckShape(a.Length, aRows, columns, nameof(a), nameof(aRows));
        Validation.CheckShape(b.Length, bRows, columns, nameof(b), nameof(bRows));
        CheckResult(result, aRows, bRows);
        Validation.CheckNoOverlap(a, result, nameof(a), nameof(result));
        Validation.CheckNoOverlap(b, result, nameof(b), nameof(result));
        if (options.ValidateInputs)
        {
            Validation.CheckFinite(a, columns, nameof(a));
            Validation.CheckFinite(b, columns, nameof(b));
        }

        GramKernel.MultiplyTransposed(a, aRows, b, bRows, columns, result, options.EffectiveDegreeOfParallelism, KernelIsa.Best);

        // Every partial sum is at most d max|a| max|b|: one pass over the inputs.
        RecomputeOverflowed(a, b, bRows, columns, result, (double)TensorPrimitives.MaxMagnitude(a) * TensorPrimitives.MaxMagnitude(b) * columns);
    }

    /// <summary>
    /// Recomputes in double the entries whose float32 accumulation overflowed. Below half of
    /// float32's range for <paramref name="largestPartialSum"/> (a bound on every partial sum) nothing
    /// can overflow and the result is not read again (the usual case). Above it, an entry that came out
    /// +-inf or NaN from finite inputs, whose exact value may well be finite (the sums of (2e19, 2e19)
    /// . (2e19, -2e19) overflow on the way to 0), becomes the exact dot product rounded once: +-inf only
    /// where that lies beyond float32's range, and C = Z Z^T stays symmetric.
    /// </summary>
    private static void RecomputeOverflowed(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int bRows, int columns, Span<float> result, double largestPartialSum)
    {
        if (!(largestPartialSum >= float.MaxValue / 2.0))
        {
            return;
        }

        for (int index = 0; index < result.Length; index++)
        {
            if (!float.IsFinite(result[index]))
            {
                int i = index / bRows, j = index % bRows;
                result[index] = (float)DoubleDot.Compute(a.Slice(i * columns, columns), b.Slice(j * columns, columns));
            }
        }
    }

    private static void CheckResult(Span<float> result, int m, int n)
    {
        long expected = (long)m * n;
        if (expected > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(result), expected, "The result matrix has more elements than one array can hold.");
        }

        Validation.CheckDestination(result.Length, (int)expected, nameof(result));
    }
}
