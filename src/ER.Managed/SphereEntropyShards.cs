using System.Globalization;
using System.Numerics.Tensors;
using ER.Managed.Kernels;
using ER.Managed.Terms;

namespace ER.Managed;

/// <summary>
/// The sphere entropy of a batch split by rows across workers (processes, machines), exactly: each
/// worker holds all k rows (after an all-gather of its own) but does the O(k^2 d) work for its rows
/// only, and the workers exchange O(k) numbers. The transport is yours (MPI, NCCL, sockets); this
/// class only computes.
/// </summary>
/// <remarks>
/// <para>
/// The protocol, with worker w owning rows <c>[first_w, first_w + count_w)</c> (for example from
/// <see cref="Split(int, int, int)"/>):
/// </para>
/// <list type="number">
/// <item><description><see cref="RowStates(ReadOnlySpan{float}, int, int, int, int, Span{double}, double, EntropyReduction, ErOptions?)"/>: each worker computes <see cref="StateWidth"/> doubles per own row,
/// <c>LSE_i = log sum_j exp(kappa z_i.z_j)</c> and <c>sum_j P_ij z_i.z_j</c> (O(count_w k d) work);</description></item>
/// <item><description>all-gather the states in row order (2k doubles in all);</description></item>
/// <item><description><see cref="Combine(ReadOnlySpan{double}, int, int, double, EntropyReduction, NormalizerMode)"/>: every worker gets H and dH/dkappa (O(k));</description></item>
/// <item><description><see cref="Gradient(ReadOnlySpan{float}, int, int, ReadOnlySpan{double}, int, int, Span{float}, double, EntropyReduction, ErOptions?)"/>: each worker computes dH/dz for its own rows (O(count_w k d)), with
/// <c>dH/dz_i = -kappa sum_j (g_i P_ij + g_j P_ji) z_j</c>, the second term from the gathered states:
/// no gradient is reduced across workers, and none is lost (a gathered copy of z that does not
/// pass the gradient of other workers' rows back is the classic mistake this avoids).</description></item>
/// </list>
/// <para>
/// Determinism: a row's state and gradient row are computed the same way whichever shard holds the
/// row, so every split (one shard, eight, uneven, shards of one row) gives the same states, H and
/// gradient bit for bit. They agree with <see cref="Entropy.SphereWithGradient(ReadOnlySpan{float}, int, int, Span{float}, double, EntropyReduction, NormalizerMode, ErOptions?)"/>
/// up to float32 summation order (that one computes each tile above the diagonal once for both of
/// its rows): about 1e-7 relative in H, 1e-6 of the gradient's largest entry.
/// </para>
/// <para>
/// Cost: per worker, pass 1 and pass 2 each compute every tile of its own rows (<c>count_w k</c>
/// pairs); all workers together do about 1.4x a single-process forward and backward, which compute
/// each tile above the diagonal once for both of its rows (measured in docs/distributed.md).
/// Memory per worker: z and a packed copy (2 k d floats), O(k) doubles and a few 256 x 256 tiles
/// per thread.
/// </para>
/// </remarks>
public static partial class SphereEntropyShards
{
    /// <summary>Doubles per row state (2): <c>LSE_i</c> in nats, then <c>sum_j P_ij z_i.z_j</c>.</summary>
    public const int StateWidth = ShardedSphereEntropy.StateWidth;

    /// <summary>
    /// An even split of <paramref name="rows"/> rows into <paramref name="shards"/> contiguous ranges:
    /// the first <c>rows mod shards</c> shards get one row more. Shards beyond the rows get none.
    /// </summary>
    /// <param name="rows">The batch size k (at least 1).</param>
    /// <param name="shards">The number of workers (at least 1).</param>
    /// <param name="shard">This worker's index, from 0 to shards - 1.</param>
    /// <returns>The shard's first row and row count (possibly 0).</returns>
    /// <exception cref="ArgumentOutOfRangeException">rows or shards below 1, or shard outside [0, shards).</exception>
    public static (int First, int Count) Split(int rows, int shards, int shard)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(shards, 1);
        if (shard < 0 || shard >= shards)
        {
            throw new ArgumentOutOfRangeException(nameof(shard), shard, string.Create(CultureInfo.InvariantCulture, $"The shard index must lie in [0, {shards})."));
        }

        int size = rows / shards, extra = rows % shards;
        int first = (shard * size) + Math.Min(shard, extra);
        return (first, size + (shard < extra ? 1 : 0));
    }

    /// <summary>
    /// Pass 1: the states of rows <c>[firstRow, firstRow + rowCount)</c>, each row against all
    /// <paramref name="rows"/> rows of z.
    /// </summary>
    /// <param name="z">All k embeddings (every worker's rows, gathered), rows x columns, row-major, unit rows.</param>
    /// <param name="rows">The global batch size k (at least 1).</param>
    /// <param name="columns">The dimension d (at least 1).</param>
    /// <param name="firstRow">The first row this worker owns.</param>
    /// <param name="rowCount">How many rows it owns (0 is allowed: a worker with no rows).</param>
    /// <param name="states">Output: rowCount x <see cref="StateWidth"/> doubles, row-major.</param>
    /// <param name="kappa">The vMF concentration (default 10); from 0 to <see cref="Entropy.MaxKappa"/>; the same on every worker.</param>
    /// <param name="reduction">The estimator (default plug-in): <see cref="EntropyReduction.LeaveOneOut"/> leaves each row's self-pair out of its state (and needs rows &gt;= 2); the plug-in and Joe's share the same states.</param>
    /// <param name="options">Validation and threading settings; null for <see cref="ErOptions.Default"/>.</param>
    /// <exception cref="ArgumentException">z's length is not rows x columns, (when validating) a row is not unit norm or not finite, or states does not hold rowCount x <see cref="StateWidth"/> doubles.</exception>
    /// <exception cref="ArgumentOutOfRangeException">rows or columns below 1 (rows below 2 when leaving one out); kappa not finite, negative or above <see cref="Entropy.MaxKappa"/>; an undefined enum value; the row range outside [0, rows).</exception>
    public static void RowStates(ReadOnlySpan<float> z, int rows, int columns, int firstRow, int rowCount, Span<double> states,
        double kappa = Entropy.DefaultKappa, EntropyReduction reduction = EntropyReduction.Expectation, ErOptions? options = null)
    {
        options ??= ErOptions.Default;
        Validation.CheckSphereInput(z, rows, columns, kappa, nameof(z), options);
        Validation.CheckSphereReduction(reduction, rows);
        CheckRowRange(rows, firstRow, rowCount);
        Validation.CheckLength(states.Length, (long)rowCount * StateWidth, nameof(states), "rowCount x StateWidth");
        ShardedSphereEntropy.RowStates(z, rows, columns, (float)kappa, reduction == EntropyReduction.LeaveOneOut, firstRow, rowCount, states, options.EffectiveDegreeOfParallelism, KernelIsa.Best);
    }

    /// <summary>
    /// The entropy and its kappa derivative from the states of all rows, gathered in row order.
    /// </summary>
    /// <param name="states">rows x <see cref="StateWidth"/> doubles: every worker's <see cref="RowStates(ReadOnlySpan{float}, int, int, int, int, Span{double}, double, EntropyReduction, ErOptions?)"/> output, concatenated in row order.</param>
    /// <param name="rows">The global batch size k (at least 1).</param>
    /// <param name="columns">The dimension d (at least 1), for the constant c.</param>
    /// <param name="kappa">The vMF concentration (default 10); the one the states were computed with.</param>
    /// <param name="reduction">The estimator: plug-in (default), Joe's, or Joe's leave-one-out (whose states <see cref="RowStates(ReadOnlySpan{float}, int, int, int, int, Span{double}, double, EntropyReduction, ErOptions?)"/> must have computed with it).</param>
    /// <param name="normalizer">The constant c: exact (default) or the original's reference form.</param>
    /// <returns>H in nats and dH/dkappa, as <see cref="Entropy.SphereWithGradient(ReadOnlySpan{float}, int, int, Span{float}, double, EntropyReduction, NormalizerMode, ErOptions?)"/> returns them.</returns>
    /// <exception cref="ArgumentException">states does not hold rows x <see cref="StateWidth"/> doubles, or one is not finite.</exception>
    /// <exception cref="ArgumentOutOfRangeException">rows or columns below 1; kappa not finite, negative or above <see cref="Entropy.MaxKappa"/>; an undefined enum value; in reference mode, a kappa where the original's constant overflows.</exception>
    public static SphereTermResult Combine(ReadOnlySpan<double> states, int rows, int columns,
        double kappa = Entropy.DefaultKappa, EntropyReduction reduction = EntropyReduction.Expectation, NormalizerMode normalizer = NormalizerMode.Exact)
    {
        CheckCombine(states, rows, columns, kappa, reduction, normalizer);
        return CombineChecked(states, rows, columns, kappa, reduction, normalizer, rowWeights: default);
    }

    /// <summary>
    /// As <see cref="Combine(ReadOnlySpan{double}, int, int, double, EntropyReduction, NormalizerMode)"/>,
    /// also writing each row's weight in the estimator: <c>w = softmax(-l) = softmax(LSE)</c> for the
    /// plug-in, <c>1/k</c> for Joe's (they sum to 1; H = sum_i w_i l_i).
    /// </summary>
    /// <param name="states">rows x <see cref="StateWidth"/> doubles, gathered in row order.</param>
    /// <param name="rows">The global batch size k (at least 1).</param>
    /// <param name="columns">The dimension d (at least 1).</param>
    /// <param name="weights">Output: k doubles, the rows' weights.</param>
    /// <param name="kappa">The vMF concentration (default 10).</param>
    /// <param name="reduction">The estimator: plug-in (default), Joe's, or Joe's leave-one-out (whose states <see cref="RowStates(ReadOnlySpan{float}, int, int, int, int, Span{double}, double, EntropyReduction, ErOptions?)"/> must have computed with it).</param>
    /// <param name="normalizer">The constant c: exact (default) or reference.</param>
    /// <returns>H in nats and dH/dkappa.</returns>
    /// <exception cref="ArgumentException">As for the overload without weights, or weights does not hold rows doubles.</exception>
    /// <exception cref="ArgumentOutOfRangeException">As for the overload without weights.</exception>
    public static SphereTermResult Combine(ReadOnlySpan<double> states, int rows, int columns, Span<double> weights,
        double kappa = Entropy.DefaultKappa, EntropyReduction reduction = EntropyReduction.Expectation, NormalizerMode normalizer = NormalizerMode.Exact)
    {
        CheckCombine(states, rows, columns, kappa, reduction, normalizer);
        Validation.CheckLength(weights.Length, rows, nameof(weights), "rows");
        return CombineChecked(states, rows, columns, kappa, reduction, normalizer, weights);
    }

    /// <summary>
    /// Pass 2: dH/dz for rows <c>[firstRow, firstRow + rowCount)</c>, from all rows of z and all
    /// gathered states. The rows of the full gradient are these, concatenated over workers.
    /// </summary>
    /// <param name="z">All k embeddings, as given to <see cref="RowStates(ReadOnlySpan{float}, int, int, int, int, Span{double}, double, EntropyReduction, ErOptions?)"/>.</param>
    /// <param name="rows">The global batch size k (at least 1).</param>
    /// <param name="columns">The dimension d (at least 1).</param>
    /// <param name="states">All rows' states, rows x <see cref="StateWidth"/>, as given to <see cref="Combine(ReadOnlySpan{double}, int, int, double, EntropyReduction, NormalizerMode)"/>.</param>
    /// <param name="firstRow">The first row this worker owns.</param>
    /// <param name="rowCount">How many rows it owns (0 is allowed).</param>
    /// <param name="gradient">Output: dH/dz for the owned rows, rowCount x columns, row-major; must not overlap z.</param>
    /// <param name="kappa">The vMF concentration (default 10); the one the states were computed with.</param>
    /// <param name="reduction">The estimator; the one given to <see cref="Combine(ReadOnlySpan{double}, int, int, double, EntropyReduction, NormalizerMode)"/>.</param>
    /// <param name="options">Validation and threading settings; null for <see cref="ErOptions.Default"/>.</param>
    /// <exception cref="ArgumentException">As for <see cref="RowStates(ReadOnlySpan{float}, int, int, int, int, Span{double}, double, EntropyReduction, ErOptions?)"/> and <see cref="Combine(ReadOnlySpan{double}, int, int, double, EntropyReduction, NormalizerMode)"/>; gradient does not hold rowCount x columns floats or overlaps z; or the states cannot come from RowStates at this kappa and reduction (when validating, a row's LSE outside <c>[kappa (1 - t), kappa (1 + t) + log k]</c>, t the unit-norm tolerance, the lower end only with the self-pair; always, a gradient that comes out not finite, whose contents are then unspecified).</exception>
    /// <exception cref="ArgumentOutOfRangeException">As for <see cref="RowStates(ReadOnlySpan{float}, int, int, int, int, Span{double}, double, EntropyReduction, ErOptions?)"/> and <see cref="Combine(ReadOnlySpan{double}, int, int, double, EntropyReduction, NormalizerMode)"/>.</exception>
    public static void Gradient(ReadOnlySpan<float> z, int rows, int columns, ReadOnlySpan<double> states, int firstRow, int rowCount, Span<float> gradient,
        double kappa = Entropy.DefaultKappa, EntropyReduction reduction = EntropyReduction.Expectation, ErOptions? options = null)
    {
        options ??= ErOptions.Default;
        Validation.CheckSphereInput(z, rows, columns, kappa, nameof(z), options);
        CheckStates(states, rows);
        CheckRowRange(rows, firstRow, rowCount);
        Validation.CheckLength(gradient.Length, (long)rowCount * columns, nameof(gradient), "rowCount x columns");
        Validation.CheckNoOverlap(z, gradient, nameof(z), nameof(gradient));
        Validation.CheckSphereReduction(reduction, rows);
        if (options.ValidateInputs)
        {
            CheckStatesMatch(states, rows, kappa, reduction, options.UnitNormTolerance);
        }

        ShardedSphereEntropy.Gradient(z, rows, columns, (float)kappa, states, reduction, firstRow, rowCount, gradient, options.EffectiveDegreeOfParallelism, KernelIsa.Best);

        // At kappa <= Entropy.MaxKappa the true gradient is finite; states of another z, kappa or
        // reduction that the bounds above let through can still overflow P_ij = exp(kappa s_ij - LSE_i).
        if (!gradient.IsEmpty && !float.IsFinite(TensorPrimitives.MaxMagnitude(gradient)))
        {
            throw new ArgumentException(MismatchAdvice("The gradient came out not finite"), nameof(states));
        }
    }

    /// <summary>
    /// Refuses states that cannot come from <see cref="RowStates(ReadOnlySpan{float}, int, int, int, int, Span{double}, double, EntropyReduction, ErOptions?)"/>
    /// at this kappa: for rows within the unit-norm tolerance t every similarity is within
    /// [-(1 + t), 1 + t] and a row's self-pair at least 1 - t, so <c>LSE_i &lt;= kappa (1 + t) + log k</c>
    /// and, with the self-pair, <c>LSE_i &gt;= kappa (1 - t)</c> (each with room for float32
    /// similarities). A Gradient call that forgot the kappa of RowStates (taking the default 10) was
    /// a silently wrong gradient.
    /// </summary>
    private static void CheckStatesMatch(ReadOnlySpan<double> states, int rows, double kappa, EntropyReduction reduction, double unitNormTolerance)
    {
        double margin = (kappa * ((2 * unitNormTolerance) + 1e-3)) + 1e-6;
        bool selfPair = reduction != EntropyReduction.LeaveOneOut;
        double upper = kappa + Math.Log(selfPair ? rows : rows - 1) + margin, lower = selfPair ? kappa - margin : double.NegativeInfinity;
        for (int i = 0; i < rows; i++)
        {
            double lse = states[i * StateWidth];
            if (lse > upper || lse < lower)
            {
                throw new ArgumentException(
                    MismatchAdvice(string.Create(CultureInfo.InvariantCulture, $"Row {i}'s state has LSE {lse:G6}, outside [{lower:G6}, {upper:G6}] where {reduction} at kappa {kappa:G6} puts it")),
                    nameof(states));
            }
        }
    }

    private static string MismatchAdvice(string what) =>
        $"{what}: the states do not match z, kappa and the reduction. Pass Gradient the z, kappa and reduction that RowStates computed the states with (all rows, gathered in row order).";

    private static void CheckRowRange(int rows, int firstRow, int rowCount)
    {
        if (firstRow < 0 || firstRow > rows)
        {
            throw new ArgumentOutOfRangeException(nameof(firstRow), firstRow, string.Create(CultureInfo.InvariantCulture, $"The first row must lie in [0, {rows}]."));
        }

        if (rowCount < 0 || rowCount > rows - firstRow)
        {
            throw new ArgumentOutOfRangeException(nameof(rowCount), rowCount, string.Create(CultureInfo.InvariantCulture, $"The row count must lie in [0, {rows - firstRow}] (rows {firstRow} to {rows - 1} remain)."));
        }
    }

    private static SphereTermResult CombineChecked(ReadOnlySpan<double> states, int rows, int columns, double kappa, EntropyReduction reduction, NormalizerMode normalizer, Span<double> rowWeights)
    {
        kappa = SphereEntropy.AsSimilarityKappa(kappa);
        return ShardedSphereEntropy.Combine(
            states, rows, VonMisesFisher.ConstantUnchecked(columns, kappa, normalizer), VonMisesFisher.ConstantDerivativeUnchecked(columns, kappa, normalizer), reduction, g: default, rowWeights);
    }

    private static void CheckCombine(ReadOnlySpan<double> states, int rows, int columns, double kappa, EntropyReduction reduction, NormalizerMode normalizer)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        CheckStates(states, rows);
        Validation.CheckTermKappa(kappa);
        Validation.CheckSphereReduction(reduction, rows);
        Validation.CheckNormalizer(normalizer);
    }

    private static void CheckStates(ReadOnlySpan<double> states, int rows)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        Validation.CheckLength(states.Length, (long)rows * StateWidth, nameof(states), "rows x StateWidth (all rows' states, gathered)");
        for (int i = 0; i < states.Length; i++)
        {
            if (!double.IsFinite(states[i]))
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"The state of row {i / StateWidth} holds {states[i]}; states must be finite, as RowStates writes them."),
                    nameof(states));
            }
        }
    }
}
