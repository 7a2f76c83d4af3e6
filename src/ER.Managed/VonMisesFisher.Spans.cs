using ER.Managed.Kernels;
using ER.Managed.Kernels.VmfNormalizer;

namespace ER.Managed;

/// <content>
/// The same functions over spans of concentrations for one dimension: per-sample concentrations,
/// one kappa per mixture component, kappa sweeps. Vectorized over kappa (AVX-512, AVX2, 128-bit,
/// scalar fallback) and exact in double like the scalar methods, whose results they reproduce bit
/// for bit in every width (the scalar methods run the same kernel on one element).
/// </content>
public static partial class VonMisesFisher
{
    /// <summary>
    /// log I_nu(x) for every element of <paramref name="x"/>: the span form of <see cref="LogBesselI(double, double)"/>.
    /// </summary>
    /// <param name="order">The order nu; at least -1/2.</param>
    /// <param name="x">The arguments; each finite and &gt;= 0.</param>
    /// <param name="destination">Receives log I_nu(x[i]); exactly <c>x.Length</c> elements. May be <paramref name="x"/> itself (in place).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="order"/> is below -1/2 or not finite, or an element of <paramref name="x"/> is not finite and positive (the message names its index).</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> has another length, or partly overlaps <paramref name="x"/>.</exception>
    /// <remarks>Runs on the calling thread; the results do not depend on the machine's SIMD width.</remarks>
    public static void LogBesselI(double order, ReadOnlySpan<double> x, Span<double> destination)
    {
        if (!double.IsFinite(order) || order < -0.5)
        {
            throw new ArgumentOutOfRangeException(nameof(order), order, "The order must be finite and at least -1/2.");
        }

        Validation.CheckConcentrations(x, nameof(x));
        Validation.CheckElementwiseDestination<double>(x, destination, nameof(x), nameof(destination));
        VmfNormalizerKernel.Evaluate(KernelIsa.Best, VmfParameters.ForOrder(order), x, new VmfDestinations(destination, default, default, default));
    }

    /// <summary>
    /// log C_d(kappa) for every concentration: the span form of <see cref="LogNormalizer(int, double)"/>, in nats.
    /// </summary>
    /// <param name="dimension">The ambient dimension d; at least 1.</param>
    /// <param name="kappa">The concentrations; each finite and &gt;= 0 (kappa = 0 is the uniform distribution).</param>
    /// <param name="destination">Receives log C_d(kappa[i]); exactly <c>kappa.Length</c> elements. May be <paramref name="kappa"/> itself.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dimension"/> is below 1, or an element of <paramref name="kappa"/> is not finite or is negative (the message names its index).</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> has another length, or partly overlaps <paramref name="kappa"/>.</exception>
    public static void LogNormalizer(int dimension, ReadOnlySpan<double> kappa, Span<double> destination) =>
        EvaluateOne(dimension, kappa, destination, VmfOutputs.LogNormalizer, Evaluate);

    /// <summary>
    /// log C_d(kappa) for float concentrations (per-sample kappas next to float embeddings), computed in
    /// double and rounded once to float.
    /// </summary>
    /// <inheritdoc cref="LogNormalizer(int, ReadOnlySpan{double}, Span{double})"/>
    public static void LogNormalizer(int dimension, ReadOnlySpan<float> kappa, Span<float> destination) =>
        EvaluateOne(dimension, kappa, destination, VmfOutputs.LogNormalizer, Evaluate);

    /// <summary>
    /// A_d(kappa) for every concentration: the span form of <see cref="BesselRatio(int, double)"/>.
    /// </summary>
    /// <param name="dimension">The ambient dimension d; at least 1.</param>
    /// <param name="kappa">The concentrations; each finite and &gt;= 0 (kappa = 0 is the uniform distribution).</param>
    /// <param name="destination">Receives A_d(kappa[i]); exactly <c>kappa.Length</c> elements. May be <paramref name="kappa"/> itself.</param>
    /// <exception cref="ArgumentOutOfRangeException">As for <see cref="LogNormalizer(int, ReadOnlySpan{double}, Span{double})"/>.</exception>
    /// <exception cref="ArgumentException">As for <see cref="LogNormalizer(int, ReadOnlySpan{double}, Span{double})"/>.</exception>
    public static void BesselRatio(int dimension, ReadOnlySpan<double> kappa, Span<double> destination) =>
        EvaluateOne(dimension, kappa, destination, VmfOutputs.BesselRatio, Evaluate);

    /// <summary>A_d(kappa) for float concentrations, computed in double and rounded once to float.</summary>
    /// <inheritdoc cref="BesselRatio(int, ReadOnlySpan{double}, Span{double})"/>
    public static void BesselRatio(int dimension, ReadOnlySpan<float> kappa, Span<float> destination) =>
        EvaluateOne(dimension, kappa, destination, VmfOutputs.BesselRatio, Evaluate);

    /// <summary>
    /// The vMF entropy for every concentration: the span form of <see cref="Entropy(int, double)"/>, in nats.
    /// </summary>
    /// <param name="dimension">The ambient dimension d; at least 1.</param>
    /// <param name="kappa">The concentrations; each finite and &gt;= 0 (kappa = 0 is the uniform distribution).</param>
    /// <param name="destination">Receives H(kappa[i]) in nats; exactly <c>kappa.Length</c> elements. May be <paramref name="kappa"/> itself.</param>
    /// <exception cref="ArgumentOutOfRangeException">As for <see cref="LogNormalizer(int, ReadOnlySpan{double}, Span{double})"/>.</exception>
    /// <exception cref="ArgumentException">As for <see cref="LogNormalizer(int, ReadOnlySpan{double}, Span{double})"/>.</exception>
    public static void Entropy(int dimension, ReadOnlySpan<double> kappa, Span<double> destination) =>
        EvaluateOne(dimension, kappa, destination, VmfOutputs.Entropy, Evaluate);

    /// <summary>The vMF entropy (nats) for float concentrations, computed in double and rounded once to float.</summary>
    /// <inheritdoc cref="Entropy(int, ReadOnlySpan{double}, Span{double})"/>
    public static void Entropy(int dimension, ReadOnlySpan<float> kappa, Span<float> destination) =>
        EvaluateOne(dimension, kappa, destination, VmfOutputs.Entropy, Evaluate);

    /// <summary>
    /// log I_nu(kappa) (nu = d/2 - 1), log C_d(kappa), A_d(kappa) and the vMF entropy for every
    /// concentration in one pass, sharing the work the four have in common (about the cost of the
    /// entropy alone). An empty destination is an output not wanted and is skipped.
    /// </summary>
    /// <param name="dimension">The ambient dimension d; at least 1.</param>
    /// <param name="kappa">The concentrations; each finite and &gt;= 0 (kappa = 0 is the uniform distribution).</param>
    /// <param name="logBesselI">Receives log I_{d/2-1}(kappa[i]), or empty.</param>
    /// <param name="logNormalizer">Receives log C_d(kappa[i]) in nats, or empty.</param>
    /// <param name="besselRatio">Receives A_d(kappa[i]), or empty.</param>
    /// <param name="entropy">Receives the vMF entropy in nats, or empty.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dimension"/> is below 1, or an element of <paramref name="kappa"/> is not finite or is negative (the message names its index).</exception>
    /// <exception cref="ArgumentException">A non-empty destination does not hold exactly <c>kappa.Length</c>
    /// elements, partly overlaps <paramref name="kappa"/> (one of them may be <paramref name="kappa"/> itself), or overlaps another destination.</exception>
    /// <remarks>Runs on the calling thread; the results do not depend on the machine's SIMD width.</remarks>
    public static void Evaluate(int dimension, ReadOnlySpan<double> kappa, Span<double> logBesselI, Span<double> logNormalizer, Span<double> besselRatio, Span<double> entropy)
    {
        Validation.CheckDimension(dimension);
        Validation.CheckConcentrations(kappa, nameof(kappa));
        var destinations = new VmfDestinations(logBesselI, logNormalizer, besselRatio, entropy);
        CheckDestinations<double>(kappa, logBesselI, logNormalizer, besselRatio, entropy);
        if (kappa.IsEmpty)
        {
            return;
        }

        VmfNormalizerKernel.Evaluate(KernelIsa.Best, VmfParameters.ForDimension(dimension, destinations.Requested), kappa, destinations);
    }

    /// <summary>
    /// The float form of <see cref="Evaluate(int, ReadOnlySpan{double}, Span{double}, Span{double}, Span{double}, Span{double})"/>:
    /// each kappa is widened to double, the four values are computed in double and each is rounded
    /// once to float (log I and log C may exceed float's range for extreme d and kappa: they become ±infinity then).
    /// </summary>
    /// <inheritdoc cref="Evaluate(int, ReadOnlySpan{double}, Span{double}, Span{double}, Span{double}, Span{double})"/>
    public static void Evaluate(int dimension, ReadOnlySpan<float> kappa, Span<float> logBesselI, Span<float> logNormalizer, Span<float> besselRatio, Span<float> entropy)
    {
        Validation.CheckDimension(dimension);
        Validation.CheckConcentrations(kappa, nameof(kappa));
        CheckDestinations<float>(kappa, logBesselI, logNormalizer, besselRatio, entropy);
        if (kappa.IsEmpty)
        {
            return;
        }

        // Chunks through stack buffers: O(1) memory, and a chunk's kappas are read before any of its outputs is written (in place is safe).
        const int Chunk = 256;
        Span<double> wide = stackalloc double[Chunk * 5];
        Span<double> kappaChunk = wide[..Chunk];
        Span<double> logIChunk = logBesselI.IsEmpty ? default : wide.Slice(Chunk, Chunk);
        Span<double> logCChunk = logNormalizer.IsEmpty ? default : wide.Slice(2 * Chunk, Chunk);
        Span<double> ratioChunk = besselRatio.IsEmpty ? default : wide.Slice(3 * Chunk, Chunk);
        Span<double> entropyChunk = entropy.IsEmpty ? default : wide.Slice(4 * Chunk, Chunk);
        var requested = new VmfDestinations(logIChunk, logCChunk, ratioChunk, entropyChunk).Requested;
        VmfParameters parameters = VmfParameters.ForDimension(dimension, requested);
        KernelWidth width = KernelIsa.Best;
        for (int start = 0; start < kappa.Length; start += Chunk)
        {
            int length = Math.Min(Chunk, kappa.Length - start);
            for (int i = 0; i < length; i++)
            {
                kappaChunk[i] = kappa[start + i];
            }

            var destinations = new VmfDestinations(logIChunk, logCChunk, ratioChunk, entropyChunk).Slice(0, length);
            VmfNormalizerKernel.Evaluate(width, parameters, kappaChunk[..length], destinations);
            Narrow(destinations.LogBesselI, logBesselI, start);
            Narrow(destinations.LogNormalizer, logNormalizer, start);
            Narrow(destinations.BesselRatio, besselRatio, start);
            Narrow(destinations.Entropy, entropy, start);
        }

        static void Narrow(ReadOnlySpan<double> source, Span<float> destination, int start)
        {
            for (int i = 0; i < source.Length; i++)
            {
                destination[start + i] = (float)source[i];
            }
        }
    }

    /// <summary>The double or float <c>Evaluate</c>, for <see cref="EvaluateOne"/>.</summary>
    private delegate void Evaluator<T>(int dimension, ReadOnlySpan<T> kappa, Span<T> logBesselI, Span<T> logNormalizer, Span<T> besselRatio, Span<T> entropy);

    /// <summary>One output through <c>Evaluate</c>, validated under the single-output methods' argument names.</summary>
    private static void EvaluateOne<T>(int dimension, ReadOnlySpan<T> kappa, Span<T> destination, VmfOutputs which, Evaluator<T> evaluate)
        where T : System.Numerics.IFloatingPointIeee754<T>
    {
        Validation.CheckDimension(dimension);
        Validation.CheckConcentrations(kappa, nameof(kappa));
        Validation.CheckElementwiseDestination<T>(kappa, destination, nameof(kappa), nameof(destination));
        evaluate(
            dimension,
            kappa,
            default,
            which == VmfOutputs.LogNormalizer ? destination : default,
            which == VmfOutputs.BesselRatio ? destination : default,
            which == VmfOutputs.Entropy ? destination : default);
    }

    private static void CheckDestinations<T>(ReadOnlySpan<T> kappa, Span<T> logBesselI, Span<T> logNormalizer, Span<T> besselRatio, Span<T> entropy)
    {
        ReadOnlySpan<T> logI = logBesselI;
        ReadOnlySpan<T> logC = logNormalizer;
        ReadOnlySpan<T> ratio = besselRatio;
        ReadOnlySpan<T> h = entropy;
        if (logI.IsEmpty && logC.IsEmpty && ratio.IsEmpty && h.IsEmpty && !kappa.IsEmpty)
        {
            throw new ArgumentException("No destination given: pass at least one span of kappa.Length elements.", nameof(entropy));
        }

        CheckOne(kappa, logI, nameof(logBesselI));
        CheckOne(kappa, logC, nameof(logNormalizer));
        CheckOne(kappa, ratio, nameof(besselRatio));
        CheckOne(kappa, h, nameof(entropy));
        Validation.CheckOutputsDisjoint(logI, logC, nameof(logBesselI), nameof(logNormalizer));
        Validation.CheckOutputsDisjoint(logI, ratio, nameof(logBesselI), nameof(besselRatio));
        Validation.CheckOutputsDisjoint(logI, h, nameof(logBesselI), nameof(entropy));
        Validation.CheckOutputsDisjoint(logC, ratio, nameof(logNormalizer), nameof(besselRatio));
        Validation.CheckOutputsDisjoint(logC, h, nameof(logNormalizer), nameof(entropy));
        Validation.CheckOutputsDisjoint(ratio, h, nameof(besselRatio), nameof(entropy));

        static void CheckOne(ReadOnlySpan<T> input, ReadOnlySpan<T> output, string name)
        {
            if (!output.IsEmpty)
            {
                Validation.CheckElementwiseDestination(input, output, "kappa", name);
            }
        }
    }
}
