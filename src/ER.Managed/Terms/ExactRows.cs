using System.Buffers;
using ER.Managed.Kernels;

namespace ER.Managed.Terms;

/// <summary>
/// The sphere entropy at a very large kappa (from <see cref="FromKappa"/> up), row by row, in double
/// where it matters. The float32 tiles form <c>kappa s_ij - shift</c> in float: its rounding is half an
/// ulp of kappa s (0.004 nats at kappa = 65536, 500 nats at 1e10), so beyond this kappa their exponents
/// would be noise (the fused tiles' rounding is 0.01 nats at most below it). Here the float32 products only find, for each row, the terms within
/// <see cref="Range"/> nats of its largest (with a margin for the products' rounding); those terms are
/// recomputed in double and summed in double, the rest (each below e^-40 of the largest, k e^-40 in
/// all) are left out. The self-pair enters with its exact <c>||z_i||^2</c> (plug-in and Joe's) or not at
/// all (leave-one-out). A row's state and gradient row depend on that row alone, so any split of the
/// rows (threads, shards) gives the same bits, and the single process and the shards share this code.
/// </summary>
/// <remarks>
/// Cost: the forward and the backward each form every row of S (2 k^2 d flops, twice the fused
/// forward's) plus, per row, a double dot product for each term near its top: a handful for data
/// that are not collapsed, up to k for a batch collapsed onto one point.
/// </remarks>
internal static class ExactRows
{
    /// <summary>From this kappa (2^16) up, the sphere entropy takes this path.</summary>
    internal const double FromKappa = 65536;

    /// <summary>Terms more than this many nats below a row's largest are left out (each below e^-40 of it).</summary>
    internal const double Range = 40;

    /// <summary>Rows formed at a time (a strip of 64 x k floats per thread).</summary>
    private const int StripRows = 64;

    /// <summary>
    /// A bound on a float32 product's error in s for unit-scale rows of dimension d: d half-ulps of
    /// the accumulated sum (the GEMM's rounding is about sqrt(d) of them), plus the rows' deviation from
    /// unit norm that validation accepts, both far above what they are in practice.
    /// </summary>
    private static double Margin(int d, double largestNorm) => (4.0 * d * Math.Pow(2, -24) * Math.Max(1.0, largestNorm)) + 1e-7;

    /// <summary>States <c>(LSE_i, sum_j P_ij s_ij)</c> of rows [first, first + count) into <paramref name="lse"/> and <paramref name="expected"/> (indexed from first).</summary>
    internal static unsafe void States(ReadOnlySpan<float> z, int k, int d, double kappa, bool leaveOneOut, int first, int count, Span<double> lse, Span<double> expected, int degree, KernelWidth width)
    {
        double[] norms = ArrayPool<double>.Shared.Rent(k);
        double[] lseBuffer = ArrayPool<double>.Shared.Rent(count);
        double[] expectedBuffer = ArrayPool<double>.Shared.Rent(count);
        try
        {
            double margin = Margin(d, SimilarityTiles.SquaredNorms(z, k, d, norms));
            fixed (float* zp = z)
            {
                var zh = new PinnedFloats(zp, z.Length);
                using var walker = new SimilarityWalker(zh, k, d, width);
                Parallelism.For((count + StripRows - 1) / StripRows, degree, strip =>
                    ForEachRow(walker, first + (strip * StripRows), Math.Min(StripRows, count - (strip * StripRows)), k, (i, row) =>
                    {
                        (lseBuffer[i - first], expectedBuffer[i - first]) = RowState(zh.Span, row, norms, d, kappa, leaveOneOut, margin, i);
                    }));
            }

            lseBuffer.AsSpan(0, count).CopyTo(lse);
            expectedBuffer.AsSpan(0, count).CopyTo(expected);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(norms);
            ArrayPool<double>.Shared.Return(lseBuffer);
            ArrayPool<double>.Shared.Return(expectedBuffer);
        }
    }

    /// <summary>
    /// dH/dz of rows [first, first + count) into <paramref name="gradient"/> (count x d), from every row's
    /// LSE and weight g: <c>dH/dz_i = -kappa sum_j (g_i P_ij + g_j P_ji) z_j</c> over the pairs within
    /// <see cref="Range"/> of either row's LSE.
    /// </summary>
    internal static unsafe void Gradient(ReadOnlySpan<float> z, int k, int d, double kappa, bool leaveOneOut, ReadOnlySpan<double> lse, ReadOnlySpan<double> g, int first, int count, Span<float> gradient, int degree, KernelWidth width)
    {
        double[] norms = ArrayPool<double>.Shared.Rent(k);
        double[] lseAll = ArrayPool<double>.Shared.Rent(k);
        double[] gAll = ArrayPool<double>.Shared.Rent(k);
        try
        {
            double margin = Margin(d, SimilarityTiles.SquaredNorms(z, k, d, norms));
            lse.CopyTo(lseAll);
            g.CopyTo(gAll);
            fixed (float* zp = z)
            fixed (float* gp = gradient)
            {
                var zh = new PinnedFloats(zp, z.Length);
                var gh = new PinnedFloats(gp, gradient.Length);
                using var walker = new SimilarityWalker(zh, k, d, width);
                Parallelism.For((count + StripRows - 1) / StripRows, degree, strip =>
                    ForEachRow(walker, first + (strip * StripRows), Math.Min(StripRows, count - (strip * StripRows)), k, (i, row) =>
                        RowGradient(zh.Span, row, norms, lseAll, gAll, d, kappa, leaveOneOut, margin, i, gh.Span.Slice((i - first) * d, d))));
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(norms);
            ArrayPool<double>.Shared.Return(lseAll);
            ArrayPool<double>.Shared.Return(gAll);
        }
    }

    private delegate void RowAction(int row, ReadOnlySpan<float> similarities);

    /// <summary>Forms rows [i0, i0 + m) of S in float32 and hands each to <paramref name="action"/>.</summary>
    private static void ForEachRow(SimilarityWalker walker, int i0, int m, int k, RowAction action)
    {
        float[] buffer = ArrayPool<float>.Shared.Rent(m * k);
        try
        {
            using (SimilarityWalker.RowBlock rows = walker.Rows(i0, m, pack: false))
            {
                walker.Product(rows, 0, k, buffer, k, accumulate: false);
            }

            for (int r = 0; r < m; r++)
            {
                action(i0 + r, buffer.AsSpan(r * k, k));
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    /// <summary>Row i's LSE and expected similarity from its terms near the top, in double.</summary>
    private static (double Lse, double Expected) RowState(ReadOnlySpan<float> z, ReadOnlySpan<float> row, double[] norms, int d, double kappa, bool leaveOneOut, double margin, int i)
    {
        int k = row.Length;
        double top = leaveOneOut ? double.NegativeInfinity : norms[i];
        for (int j = 0; j < k; j++)
        {
            if (j != i && row[j] > top)
            {
                top = row[j];
            }
        }

        // Candidates: float s within Range/kappa of the float maximum, widened by the products' error.
        double cut = top - (Range / kappa) - (2 * margin);
        ReadOnlySpan<float> zi = z.Slice(i * d, d);
        double best = leaveOneOut ? double.NegativeInfinity : kappa * norms[i];
        for (int j = 0; j < k; j++)
        {
            if (j != i && row[j] >= cut)
            {
                best = Math.Max(best, kappa * DoubleDot.Compute(zi, z.Slice(j * d, d)));
            }
        }

        double sum = 0.0, dot = 0.0;
        if (!leaveOneOut)
        {
            double e = Math.Exp((kappa * norms[i]) - best);
            sum += e;
            dot += e * norms[i];
        }

        for (int j = 0; j < k; j++)
        {
            if (j != i && row[j] >= cut)
            {
                double s = DoubleDot.Compute(zi, z.Slice(j * d, d));
                double e = Math.Exp((kappa * s) - best);
                sum += e;
                dot += e * s;
            }
        }

        return (best + Math.Log(sum), dot / sum);
    }

    /// <summary>Row i's gradient: the pairs within Range of either row's LSE, in double.</summary>
    private static void RowGradient(ReadOnlySpan<float> z, ReadOnlySpan<float> row, double[] norms, double[] lse, double[] g, int d, double kappa, bool leaveOneOut, double margin, int i, Span<float> target)
    {
        int k = row.Length;
        ReadOnlySpan<float> zi = z.Slice(i * d, d);
        Span<double> sum = d <= 1024 ? stackalloc double[d] : new double[d];
        sum.Clear();

        // A pair matters where kappa s_ij is within Range of LSE_i or of LSE_j (P_ij or P_ji above
        // e^-Range): s >= (min(LSE_i, LSE_j) - Range) / kappa, less the float products' error.
        for (int j = 0; j < k; j++)
        {
            if ((j == i && leaveOneOut) || (j != i && row[j] < ((Math.Min(lse[i], lse[j]) - Range) / kappa) - (2 * margin)))
            {
                continue;
            }

            double s = j == i ? norms[i] : DoubleDot.Compute(zi, z.Slice(j * d, d));
            double w = (g[i] * Math.Exp((kappa * s) - lse[i])) + (g[j] * Math.Exp((kappa * s) - lse[j]));
            if (w == 0.0)
            {
                continue;
            }

            ReadOnlySpan<float> zj = z.Slice(j * d, d);
            for (int t = 0; t < d; t++)
            {
                sum[t] += w * zj[t];
            }
        }

        for (int t = 0; t < d; t++)
        {
            target[t] = (float)(-kappa * sum[t]);
        }
    }
}
