namespace ER.Managed.Terms;

/// <summary>
/// The sphere entropy estimators as reductions of the row states <c>LSE_i</c> (the row's
/// log-sum-exp, over all j or over j != i) and <c>sum_j P_ij s_ij</c>: the value, the backward's per-row
/// weights <c>g_i = dH/dl_i</c> and dH/dkappa, all in double. The same for every path (single
/// process, row shards, the unfused oracle).
/// </summary>
internal static class SphereReduction
{
    /// <summary>log of the kernel density's count: log k, or log(k - 1) when the self-pair is left out.</summary>
    internal static double LogCount(int k, EntropyReduction reduction) => Math.Log(reduction == EntropyReduction.LeaveOneOut ? k - 1 : k);

    /// <summary>Whether the estimator leaves the self-pair out of each row.</summary>
    internal static bool LeavesOneOut(EntropyReduction reduction) => reduction == EntropyReduction.LeaveOneOut;

    /// <summary>
    /// The entropy from the row log-sum-exps: Joe's (with or without the self-pair)
    /// <c>c + log k' - mean(LSE)</c>, or the plug-in <c>c + log k - sum_i w_i LSE_i</c> with
    /// <c>w = softmax(-l) = softmax(LSE)</c>.
    /// </summary>
    internal static double Value(ReadOnlySpan<double> lse, double c, EntropyReduction reduction) =>
        c + LogCount(lse.Length, reduction) - WeightedMean(lse, reduction, weights: default);

    /// <summary>
    /// H and dH/dkappa from each row's <c>LSE_i</c> and <c>sum_j P_ij s_ij</c>, given c and dc/dkappa:
    /// <c>H = c + log k' - sum_i u_i LSE_i</c>, <c>dH/dkappa = dc - sum_i g_i sum_j P_ij s_ij</c>; writes the
    /// backward's per-row weights g (see <see cref="RowWeights"/>).
    /// </summary>
    internal static SphereTermResult Result(ReadOnlySpan<double> lse, ReadOnlySpan<double> expectedSimilarity, double c, double dc, EntropyReduction reduction, Span<double> g)
    {
        double mean = RowWeights(lse, reduction, g);
        double expected = 0.0;
        for (int i = 0; i < lse.Length; i++)
        {
            expected += g[i] * expectedSimilarity[i];
        }

        return new SphereTermResult(c + LogCount(lse.Length, reduction) - mean, dc - expected);
    }

    /// <summary>
    /// The per-row weights of the backward, <c>g_i = dH/dl_i</c>: Joe's <c>1/k</c> (with or without the
    /// self-pair), or the plug-in's <c>w_i (1 - l_i + H) = w_i (1 + LSE_i - sum_j w_j LSE_j)</c>, the c-free
    /// form (with c near -2032 at d = 1000, l_i - H in float32 would lose ~1e-4). Returns <c>sum_j u_j LSE_j</c>.
    /// </summary>
    internal static double RowWeights(ReadOnlySpan<double> lse, EntropyReduction reduction, Span<double> g)
    {
        double mean = WeightedMean(lse, reduction, g);
        if (reduction == EntropyReduction.Expectation)
        {
            for (int i = 0; i < lse.Length; i++)
            {
                g[i] *= 1.0 + (lse[i] - mean);
            }
        }

        return mean;
    }

    /// <summary>
    /// <c>sum_i u_i LSE_i</c> with u uniform (Joe's, with or without the self-pair) or <c>softmax(LSE)</c>
    /// (plug-in); writes u into <paramref name="weights"/> when it is not empty.
    /// </summary>
    internal static double WeightedMean(ReadOnlySpan<double> lse, EntropyReduction reduction, Span<double> weights)
    {
        int k = lse.Length;
        if (reduction != EntropyReduction.Expectation)
        {
            double sum = 0.0;
            for (int i = 0; i < k; i++)
            {
                sum += lse[i];
            }

            if (!weights.IsEmpty)
            {
                weights[..k].Fill(1.0 / k);
            }

            return sum / k;
        }

        double max = double.NegativeInfinity;
        for (int i = 0; i < k; i++)
        {
            max = Math.Max(max, lse[i]);
        }

        // sum_i w_i LSE_i = max + sum_i w_i (LSE_i - max): the differences keep their digits.
        double total = 0.0, weighted = 0.0;
        for (int i = 0; i < k; i++)
        {
            double e = Math.Exp(lse[i] - max);
            total += e;
            weighted += e * (lse[i] - max);
        }

        if (!weights.IsEmpty)
        {
            for (int i = 0; i < k; i++)
            {
                weights[i] = Math.Exp(lse[i] - max) / total;
            }
        }

        return max + (weighted / total);
    }
}
