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
    }

    /// <summary>
    /// <c>C = A B^T</c>: <c>C_ij = &lt;a_i, b_j&gt;</c> for an m x d matrix A and an n x d matrix B.
    /// </summary>
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
