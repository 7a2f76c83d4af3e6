using System.Globalization;
using ER.Managed.Terms;

namespace ER.Managed;

/// <summary>
/// Entropy terms of the ER objective, in nats, for a batch of k samples (rows) of dimension d
/// (columns), row-major float32. Every method is thread-safe and allocation-free apart from
/// pooled scratch.
/// </summary>
public static partial class Entropy
{
    /// <summary>The default vMF concentration, kappa = 10.</summary>
    public const double DefaultKappa = 10.0;

    /// <summary>
    /// The largest kappa the sphere terms take (entropy estimators, reconstruction, <see cref="ErLoss"/>,
    /// <see cref="SphereEntropyShards"/>, the leave-one-out likelihood): 1e10. Their values and
    /// gradients are differences of parts of size kappa (the normalizer c against kappa s_ij, the rows'
    /// log-sum-exps against one another) formed in double, which keep about 16 - log10(kappa) digits:
    /// up to 1e10 the results are as accurate as float32 (measured: 5e-7 relative in the gradient,
    /// 5e-7 nats in the value at 1e10), beyond it they are not, so a larger kappa is refused.
    /// <see cref="VonMisesFisher"/>'s functions take any finite kappa.
    /// </summary>
    public const double MaxKappa = 1e10;

    /// <summary>
    /// The sphere entropy: a vMF kernel density estimate over the batch. With
    /// <c>S = kappa Z Z^T</c> (self-pairs included), <c>LSE_i = log sum_j exp(S_ij)</c> and
    /// <c>l_i = c + log k - LSE_i</c> (= -log p_hat(z_i)), where c = -log C_d(kappa):
    /// <see cref="EntropyReduction.Expectation"/> (plug-in) gives <c>sum_i w_i l_i</c>, <c>w = softmax(-l)</c>;
    /// <see cref="EntropyReduction.Average"/> (Joe's) gives <c>(1/k) sum_i l_i</c>; both lie in
    /// <c>[c - kappa, c - kappa + log k]</c>, and plug-in &lt;= Joe's.
    /// <see cref="EntropyReduction.LeaveOneOut"/> (Joe's leave-one-out) gives
    /// <c>(1/k) sum_i (c + log(k - 1) - log sum_{j != i} exp(kappa z_i.z_j))</c>, at least <c>c - kappa</c> and with no ceiling.
    /// At kappa = 0 every estimator gives log |S^(d-1)|, the entropy of the uniform distribution.
    /// kappa is used as float32 (the similarities' precision); from kappa = 65536 up each row's terms
    /// within 40 nats of its largest are found in float32 and summed in double (about 3x the time of
    /// the tiled path on random rows), so that rounding kappa s_ij to float never moves the value by
    /// the 0.004 nats or more it would there.
    /// </summary>
    /// <param name="z">The embeddings, rows x columns, row-major; each row on the unit sphere (see <see cref="RowOps.L2Normalize(ReadOnlySpan{float}, int, int, Span{float}, float)"/>).</param>
    /// <param name="rows">The batch size k (at least 1; at least 2 for the leave-one-out estimator).</param>
    /// <param name="columns">The dimension d (at least 1).</param>
    /// <param name="kappa">The vMF concentration (default 10); from 0 (the uniform limit) to <see cref="MaxKappa"/>.</param>
    /// <param name="reduction">The estimator: plug-in (default), Joe's, or Joe's leave-one-out.</param>
    /// <param name="normalizer">The constant c: exact (default) or the original's reference form.</param>
    /// <param name="options">Validation and threading settings; null for <see cref="ErOptions.Default"/>.</param>
    /// <returns>The entropy estimate H, in nats.</returns>
    /// <exception cref="ArgumentException">The span's length is not rows x columns, or (when validating) an element is not finite or a row is not unit norm.</exception>
    /// <exception cref="ArgumentOutOfRangeException">rows or columns below 1, or rows below 2 for the leave-one-out estimator; kappa not finite, negative or above <see cref="MaxKappa"/>; an undefined enum value; or, in reference mode, a kappa where the original's constant is not finite (0, or where it overflows).</exception>
    public static double Sphere(ReadOnlySpan<float> z, int rows, int columns,
        double kappa = DefaultKappa, EntropyReduction reduction = EntropyReduction.Expectation, NormalizerMode normalizer = NormalizerMode.Exact, ErOptions? options = null)
    {
        options ??= ErOptions.Default;
        Validation.CheckSphereInput(z, rows, columns, kappa, nameof(z), options);
        Validation.CheckSphereReduction(reduction, rows);
        Validation.CheckNormalizer(normalizer);
        kappa = SphereEntropy.AsSimilarityKappa(kappa);
        double c = VonMisesFisher.ConstantUnchecked(columns, kappa, normalizer);
        return SphereEntropy.Value(z, rows, columns, kappa, c, reduction, options.EffectiveDegreeOfParallelism);
    }

    /// <summary>
    /// The discrete entropy of the batch's mean distribution <c>m = (1/k) sum_i W_i</c>:
    /// <see cref="EntropyReduction.Expectation"/> gives <c>-sum_c m_c log(m_c + eps)</c>;
    /// <see cref="EntropyReduction.Average"/> gives <c>-(1/d) sum_c log(m_c + eps)</c> (at least log d).
    /// eps = 1e-7 as in the original, added in float32 as the original does.
    /// </summary>
    /// <param name="w">The probabilities, rows x columns, row-major; each row non-negative and summing to 1 (see <see cref="RowOps.Softmax(ReadOnlySpan{float}, int, int, Span{float}, double)"/>).</param>
    /// <param name="rows">The batch size k (at least 1).</param>
    /// <param name="columns">The number of categories d (at least 1).</param>
    /// <param name="reduction">Expectation (default) or average (<see cref="EntropyReduction.LeaveOneOut"/> is a sphere estimator and is refused).</param>
    /// <param name="options">Validation and threading settings; null for <see cref="ErOptions.Default"/>.</param>
    /// <returns>The entropy H, in nats.</returns>
    /// <exception cref="ArgumentException">The span's length is not rows x columns, or (when validating) an element is not finite, is negative, or a row does not sum to 1.</exception>
    /// <exception cref="ArgumentOutOfRangeException">rows or columns below 1, or a reduction other than Expectation and Average.</exception>
    public static double Discrete(ReadOnlySpan<float> w, int rows, int columns,
        EntropyReduction reduction = EntropyReduction.Expectation, ErOptions? options = null)
    {
        options ??= ErOptions.Default;
        Validation.CheckDiscreteInput(w, rows, columns, nameof(w), options);
        Validation.CheckDiscreteReduction(reduction);
        return DiscreteEntropyTerm.Compute(w, rows, columns, reduction, gradient: default, options.EffectiveDegreeOfParallelism);
    }

    /// <summary>
    /// The sphere entropy (see <see cref="Sphere(ReadOnlySpan{float}, int, int, double, EntropyReduction, NormalizerMode, ErOptions?)"/>) with its gradient with respect to z, written
    /// into <paramref name="gradient"/>, and its derivative with respect to kappa, from one pass that
    /// shares the forward work. Joe's: <c>dH/dZ = -(kappa/k) (P + P^T) Z</c>; plug-in:
    /// <c>dH/dZ = -kappa (G + G^T) Z</c>, <c>G = diag(g) P</c>, <c>g_i = w_i (1 - l_i + H)</c>, where
    /// <c>P = row-softmax(kappa Z Z^T)</c>; leave-one-out: Joe's with P the row-softmax over j != i (zero
    /// diagonal); <c>dH/dkappa = dc/dkappa - sum_i g_i sum_j P_ij z_i.z_j</c> (g_i = 1/k for Joe's and the
    /// leave-one-out). At kappa = 0 the gradient is 0. The gradient is that of H as a function of z alone: chain
    /// <see cref="RowOps.L2NormalizeBackward(ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, Span{float}, float)"/> if z came from normalizing raw outputs.
    /// </summary>
    /// <param name="z">The embeddings, rows x columns, unit rows.</param>
    /// <param name="rows">The batch size k (at least 1).</param>
    /// <param name="columns">The dimension d (at least 1).</param>
    /// <param name="gradient">Output: dH/dz, rows x columns; must not overlap <paramref name="z"/>.</param>
    /// <param name="kappa">The vMF concentration (default 10); from 0 (the uniform limit) to <see cref="MaxKappa"/>.</param>
    /// <param name="reduction">The estimator: plug-in (default), Joe's, or Joe's leave-one-out.</param>
    /// <param name="normalizer">The constant c: exact (default) or reference.</param>
    /// <param name="options">Validation and threading settings; null for <see cref="ErOptions.Default"/>.</param>
    /// <returns>H in nats and dH/dkappa (the exact mode's dc/dkappa is the Bessel ratio A_d(kappa)).</returns>
    /// <remarks>Scratch, all from the shared array pools: the forward's tiles of exponentials kept for the backward
    /// (up to 64 MiB, for k up to 5376), a 256 x 272 float tile and a packed block of rows per thread,
    /// the packed Z^T (k x d floats) and O(k) doubles; nothing else is allocated. The results are the same
    /// bits for any thread count.</remarks>
    /// <exception cref="ArgumentException">As for <see cref="Sphere(ReadOnlySpan{float}, int, int, double, EntropyReduction, NormalizerMode, ErOptions?)"/>, or the gradient span has the wrong length or overlaps z.</exception>
    /// <exception cref="ArgumentOutOfRangeException">As for <see cref="Sphere(ReadOnlySpan{float}, int, int, double, EntropyReduction, NormalizerMode, ErOptions?)"/>.</exception>
    public static SphereTermResult SphereWithGradient(ReadOnlySpan<float> z, int rows, int columns, Span<float> gradient,
        double kappa = DefaultKappa, EntropyReduction reduction = EntropyReduction.Expectation, NormalizerMode normalizer = NormalizerMode.Exact, ErOptions? options = null)
    {
        options ??= ErOptions.Default;
        Validation.CheckSphereInput(z, rows, columns, kappa, nameof(z), options);
        Validation.CheckDestination(gradient.Length, z.Length, nameof(gradient));
        Validation.CheckNoOverlap(z, gradient, nameof(z), nameof(gradient));
        Validation.CheckSphereReduction(reduction, rows);
        Validation.CheckNormalizer(normalizer);
        kappa = SphereEntropy.AsSimilarityKappa(kappa);
        double c = VonMisesFisher.ConstantUnchecked(columns, kappa, normalizer);
        double dc = VonMisesFisher.ConstantDerivativeUnchecked(columns, kappa, normalizer);
        return SphereEntropy.WithGradient(z, rows, columns, kappa, c, dc, reduction, gradient, options.EffectiveDegreeOfParallelism);
    }

    /// <summary>
    /// As <see cref="SphereWithGradient(ReadOnlySpan{float}, int, int, Span{float}, double, EntropyReduction, NormalizerMode, ErOptions?)"/>,
    /// allocating the gradient (rows x columns floats).
    /// </summary>
    /// <param name="z">The embeddings, rows x columns, unit rows.</param>
    /// <param name="rows">The batch size k (at least 1).</param>
    /// <param name="columns">The dimension d (at least 1).</param>
    /// <param name="kappa">The vMF concentration (default 10); from 0 (the uniform limit) to <see cref="MaxKappa"/>.</param>
    /// <param name="reduction">The estimator: plug-in (default), Joe's, or Joe's leave-one-out.</param>
    /// <param name="normalizer">The constant c: exact (default) or reference.</param>
    /// <param name="options">Validation and threading settings; null for <see cref="ErOptions.Default"/>.</param>
    /// <returns>H, dH/dkappa and a new dH/dz array.</returns>
    /// <exception cref="ArgumentException">As for <see cref="Sphere(ReadOnlySpan{float}, int, int, double, EntropyReduction, NormalizerMode, ErOptions?)"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">As for <see cref="Sphere(ReadOnlySpan{float}, int, int, double, EntropyReduction, NormalizerMode, ErOptions?)"/>.</exception>
    public static TermGradients SphereWithGradient(ReadOnlySpan<float> z, int rows, int columns,
        double kappa = DefaultKappa, EntropyReduction reduction = EntropyReduction.Expectation, NormalizerMode normalizer = NormalizerMode.Exact, ErOptions? options = null)
    {
        Validation.CheckShape(z.Length, rows, columns, nameof(z));
        var gradient = new float[z.Length];
        SphereTermResult result = SphereWithGradient(z, rows, columns, gradient, kappa, reduction, normalizer, options);
        return new TermGradients(result.Value, result.KappaGradient, gradient, null, rows, columns);
    }

    /// <summary>
    /// The discrete entropy (see <see cref="Discrete(ReadOnlySpan{float}, int, int, EntropyReduction, ErOptions?)"/>) with its gradient with respect to w:
    /// expectation <c>dH/dW_ic = (1/k) (-log(m_c + eps) - m_c / (m_c + eps))</c>, average
    /// <c>dH/dW_ic = -(1/(k d)) / (m_c + eps)</c> (the same for every row).
    /// </summary>
    /// <param name="w">The probabilities, rows x columns.</param>
    /// <param name="rows">The batch size k (at least 1).</param>
    /// <param name="columns">The number of categories d (at least 1).</param>
    /// <param name="gradient">Output: dH/dw, rows x columns; must not overlap <paramref name="w"/>.</param>
    /// <param name="reduction">Expectation (default) or average.</param>
    /// <param name="options">Validation and threading settings; null for <see cref="ErOptions.Default"/>.</param>
    /// <returns>H, in nats.</returns>
    /// <exception cref="ArgumentException">As for <see cref="Discrete(ReadOnlySpan{float}, int, int, EntropyReduction, ErOptions?)"/>, or the gradient span has the wrong length or overlaps w.</exception>
    /// <exception cref="ArgumentOutOfRangeException">As for <see cref="Discrete(ReadOnlySpan{float}, int, int, EntropyReduction, ErOptions?)"/>.</exception>
    public static double DiscreteWithGradient(ReadOnlySpan<float> w, int rows, int columns, Span<float> gradient,
        EntropyReduction reduction = EntropyReduction.Expectation, ErOptions? options = null)
    {
        options ??= ErOptions.Default;
        Validation.CheckDiscreteInput(w, rows, columns, nameof(w), options);
        Validation.CheckDestination(gradient.Length, w.Length, nameof(gradient));
        Validation.CheckNoOverlap(w, gradient, nameof(w), nameof(gradient));
        Validation.CheckDiscreteReduction(reduction);
        return DiscreteEntropyTerm.Compute(w, rows, columns, reduction, gradient, options.EffectiveDegreeOfParallelism);
    }

    /// <summary>As <see cref="DiscreteWithGradient(ReadOnlySpan{float}, int, int, Span{float}, EntropyReduction, ErOptions?)"/>, allocating the gradient.</summary>
    /// <param name="w">The probabilities, rows x columns.</param>
    /// <param name="rows">The batch size k (at least 1).</param>
    /// <param name="columns">The number of categories d (at least 1).</param>
    /// <param name="reduction">Expectation (default) or average.</param>
    /// <param name="options">Validation and threading settings; null for <see cref="ErOptions.Default"/>.</param>
    /// <returns>H and a new dH/dw array (KappaGradient is 0).</returns>
    /// <exception cref="ArgumentException">As for <see cref="Discrete(ReadOnlySpan{float}, int, int, EntropyReduction, ErOptions?)"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">As for <see cref="Discrete(ReadOnlySpan{float}, int, int, EntropyReduction, ErOptions?)"/>.</exception>
    public static TermGradients DiscreteWithGradient(ReadOnlySpan<float> w, int rows, int columns,
        EntropyReduction reduction = EntropyReduction.Expectation, ErOptions? options = null)
    {
        Validation.CheckShape(w.Length, rows, columns, nameof(w));
        var gradient = new float[w.Length];
        double value = DiscreteWithGradient(w, rows, columns, gradient, reduction, options);
        return new TermGradients(value, 0.0, gradient, null, rows, columns);
    }

    /// <summary>
    /// Joe's leave-one-out estimator: the self-pair excluded from each kernel density,
    /// <c>H = (1/k) sum_i (c + log(k - 1) - log sum_{j != i} exp(kappa z_i.z_j))</c>; the same as
    /// <see cref="Sphere(ReadOnlySpan{float}, int, int, double, EntropyReduction, NormalizerMode, ErOptions?)"/>
    /// with <see cref="EntropyReduction.LeaveOneOut"/>, whose <c>SphereWithGradient</c> gives its gradients.
    /// Unlike the plug-in and Joe's estimators it is not capped at <c>c - kappa + log k</c> when the kernel is narrow.
    /// </summary>
    /// <param name="z">The embeddings, rows x columns, unit rows.</param>
    /// <param name="rows">The batch size k (at least 2).</param>
    /// <param name="columns">The dimension d (at least 1).</param>
    /// <param name="kappa">The vMF concentration (default 10); from 0 (the uniform limit) to <see cref="MaxKappa"/>.</param>
    /// <param name="normalizer">The constant c: exact (default) or reference.</param>
    /// <param name="options">Validation and threading settings; null for <see cref="ErOptions.Default"/>.</param>
    /// <returns>The entropy estimate, in nats.</returns>
    /// <exception cref="ArgumentException">As for <see cref="Sphere(ReadOnlySpan{float}, int, int, double, EntropyReduction, NormalizerMode, ErOptions?)"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">As for <see cref="Sphere(ReadOnlySpan{float}, int, int, double, EntropyReduction, NormalizerMode, ErOptions?)"/>, or rows below 2.</exception>
    public static double SphereLeaveOneOut(ReadOnlySpan<float> z, int rows, int columns,
        double kappa = DefaultKappa, NormalizerMode normalizer = NormalizerMode.Exact, ErOptions? options = null) =>
        Sphere(z, rows, columns, kappa, EntropyReduction.LeaveOneOut, normalizer, options);

    /// <summary>
    /// The k-nearest-neighbour (Kozachenko-Leonenko) entropy estimate on the sphere S^(d-1), in nats:
    /// <c>H = psi(n) - psi(m) + (1/n) sum_i log Cap_d(theta_i)</c>, with theta_i the angle from row i to
    /// its m-th nearest other row (from the chord, in double) and Cap_d the exact area of the cap of
    /// that angular radius. It needs no kernel concentration and has no log-n ceiling: unlike the kernel
    /// estimators it is consistent for any smooth density as n grows.
    /// </summary>
    /// <param name="z">The embeddings, rows x columns, unit rows.</param>
    /// <param name="rows">The number of samples n; more than <paramref name="neighbors"/>.</param>
    /// <param name="columns">The dimension d; at least 2 (S^(d-1) has no caps for d = 1).</param>
    /// <param name="neighbors">m, which neighbour's distance to use; at least 1, default 4.</param>
    /// <param name="options">Validation and threading settings; null for <see cref="ErOptions.Default"/>.</param>
    /// <returns>The entropy estimate, in nats.</returns>
    /// <exception cref="ArgumentException">A shape mismatch, a row that is not unit, or a row with m or more exact duplicates (the estimate would be -infinity).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="columns"/> is below 2, <paramref name="neighbors"/> below 1, or <paramref name="rows"/> not above it; or <c>rows x (2 neighbors + 8)</c> more than <see cref="Array.MaxLength"/> (the candidates' buffers).</exception>
    /// <remarks>
    /// Costs about one sphere-entropy forward (the same similarity tiles) and O(n (d + m)) memory: a
    /// float copy of z and about 20 m + 110 bytes a row for its candidates and their bookkeeping (190
    /// bytes for m = 4, against z's own 512 at d = 128). The result does not depend on the thread count.
    /// </remarks>
    public static double SphereKnn(ReadOnlySpan<float> z, int rows, int columns, int neighbors = 4, ErOptions? options = null)
    {
        options ??= ErOptions.Default;
        Validation.CheckShape(z.Length, rows, columns, nameof(z));
        if (columns < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(columns), columns, "The kNN estimator needs d >= 2: S^0 is two points, with no caps to measure.");
        }

        if (neighbors < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(neighbors), neighbors, "neighbors (m) must be at least 1.");
        }

        if (rows <= neighbors)
        {
            throw new ArgumentOutOfRangeException(nameof(rows), rows, $"The kNN estimator with neighbors = {neighbors} needs more than {neighbors} rows (each row needs {neighbors} other rows).");
        }

        if (!KnnSphereEntropy.BuffersFit(rows, neighbors))
        {
            throw new ArgumentOutOfRangeException(
                nameof(neighbors),
                neighbors,
                string.Create(CultureInfo.InvariantCulture, $"The kNN estimator keeps 2 x neighbors + 8 candidates a row, in one array for all rows: {rows} rows x {KnnSphereEntropy.OfferCapacity(neighbors)} is more than an array holds ({Array.MaxLength:N0}). Use fewer neighbours or fewer rows."));
        }

        Validation.CheckSphereInput(z, rows, columns, DefaultKappa, nameof(z), options);
        return KnnSphereEntropy.Value(z, rows, columns, neighbors, options.EffectiveDegreeOfParallelism);
    }
}
