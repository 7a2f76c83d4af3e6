using System.Numerics.Tensors;

namespace ER.Managed.Terms;

/// <summary>
/// The self-pair's term <c>exp(kappa ||z_i||^2)</c>, in double. The tiles never hold it (their
/// diagonal is masked, as for the leave-one-out estimator); the plug-in and Joe's estimators add it
/// here, with <c>||z_i||^2</c> summed in double and never rounded to float. At a large kappa that term
/// dominates each row and H is c minus it (both about kappa), so a float32 rounding of the norm
/// (kappa x 3e-8: 3 nats at kappa = 1e8) would be the answer; in double, with c taken at the same
/// kappa as the similarities (see <see cref="Entropy"/>), H at kappa = 1e8 or 1e10 is what the float32
/// rows determine.
/// </summary>
internal static class SelfTerms
{
    /// <summary>
    /// A row's LSE and expected similarity from its other terms (their sums <paramref name="sum"/>, <paramref name="dot"/>
    /// of E and E s under <paramref name="shift"/>) and its self term <c>exp(kappa norm)</c>, by a log-sum-exp of
    /// the two parts (either may dominate by any amount).
    /// </summary>
    internal static (double Lse, double Expected) WithSelf(double shift, double sum, double dot, double kappa, double norm)
    {
        double self = kappa * norm;
        if (!(sum > 0))
        {
            return (self, norm);
        }

        double others = shift + Math.Log(sum);
        double top = Math.Max(others, self);
        double wOthers = Math.Exp(others - top), wSelf = Math.Exp(self - top);
        double total = wOthers + wSelf;
        return (top + Math.Log(total), (((dot / sum) * wOthers) + (norm * wSelf)) / total);
    }

    /// <summary>The self term under the common shift M: <c>exp(kappa norm - M)</c> (at most about 1, M bounding every kappa s).</summary>
    internal static double UnderShift(double kappa, double norm, double shift) => Math.Exp((kappa * norm) - shift);

    /// <summary>
    /// The backward's diagonal, which the tiles leave out: <c>W_ii = 2 g_i P_ii</c>, <c>P_ii = exp(kappa norm - LSE_i)</c>,
    /// adds <c>-kappa W_ii z_i</c> to the gradient row.
    /// </summary>
    internal static void AddGradient(double kappa, double norm, double lse, double g, ReadOnlySpan<float> zRow, Span<float> gradientRow)
    {
        double w = 2.0 * g * Math.Exp((kappa * norm) - lse);
        if (w != 0.0 && double.IsFinite(w))
        {
            TensorPrimitives.MultiplyAdd(zRow, (float)(-kappa * w), gradientRow, gradientRow);
        }
    }
}
