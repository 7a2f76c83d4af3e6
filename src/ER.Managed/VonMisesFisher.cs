using ER.Managed.Kernels.VmfNormalizer;
using ER.Managed.Numerics;

namespace ER.Managed;

/// <summary>
/// The von Mises-Fisher (vMF) distribution on the unit sphere S^(d-1) of R^d: its log
/// normalizing constant, the Bessel ratio A_d and its differential entropy, in double, in nats.
/// </summary>
/// <remarks>
/// With <c>nu = d/2 - 1</c> and I_nu the modified Bessel function of the first kind,
/// <c>log C_d(kappa) = nu log(kappa) - (d/2) log(2 pi) - log I_nu(kappa)</c>. Every method works
/// for every dimension d &gt;= 1 and every finite kappa &gt;= 0 (kappa = 0 is the uniform distribution:
/// <c>log C_d(0) = -log|S^(d-1)|</c>, <c>A_d(0) = 0</c>, entropy log|S^(d-1)|), from the smallest subnormal
/// double to the largest (tested against mpmath over that whole range, and up to d = 100,000),
/// without overflow or underflow: I_nu is never formed, only its logarithm, and every output is
/// finite (but log I_nu(0), which is +-infinity for d != 2). Accuracy: within <c>1e-13 max(1, |f|) + 32 * 2^-52 (kappa A_d + |nu|)</c> of the
/// true value f; the second term is what rounding kappa alone to double causes.
/// All methods are pure functions and safe to call from any thread.
/// </remarks>
public static partial class VonMisesFisher
{
    /// <summary>The constant the original adds to I_nu before its logarithm in <see cref="NormalizerMode.Reference"/> mode.</summary>
    public const double ReferenceEpsilon = 1e-7;

    // log(double.MaxValue): above it I_nu(kappa) overflows double, as it does in the original.
    private const double LogMaxDouble = 709.78271289338397;

    /// <summary>
    /// log I_nu(x), the logarithm of the modified Bessel function of the first kind.
    /// </summary>
    /// <param name="order">The order nu; at least -1/2.</param>
    /// <param name="x">The argument; finite and &gt;= 0.</param>
    /// <returns>log I_nu(x): finite for every x &gt; 0; at x = 0 the exact limit, -infinity for nu &gt; 0, 0 for nu = 0, +infinity for nu = -1/2.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="order"/> is below -1/2 or not finite, or <paramref name="x"/> is not finite and positive.</exception>
    public static double LogBesselI(double order, double x)
    {
        if (!double.IsFinite(order) || order < -0.5)
        {
            throw new ArgumentOutOfRangeException(nameof(order), order, "The order must be finite and at least -1/2.");
        }

        Validation.CheckKappa(x, nameof(x));
        return x == 0.0 ? VmfNormalizerKernel.LogBesselIAtZero(order) : VmfScalar.LogBesselI(order, x);
    }

    /// <summary>
    /// log C_d(kappa), the logarithm of the vMF density's normalizing constant on S^(d-1).
    /// The ER terms add <c>c = -log C_d(kappa)</c>.
    /// </summary>
    /// <param name="dimension">The ambient dimension d (the number of columns of the embeddings); at least 1.</param>
    /// <param name="kappa">The concentration; finite and &gt;= 0 (kappa = 0 is the uniform distribution).</param>
    /// <returns>log C_d(kappa), in nats.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dimension"/> is below 1, or <paramref name="kappa"/> is not finite or is negative.</exception>
    public static double LogNormalizer(int dimension, double kappa)
    {
        Validation.CheckDimension(dimension);
        Validation.CheckKappa(kappa, nameof(kappa));
        return VmfScalar.LogNormalizer(dimension, kappa);
    }

    /// <summary>
    /// The Bessel ratio <c>A_d(kappa) = I_{d/2}(kappa) / I_{d/2-1}(kappa)</c>: the mean resultant
    /// length of a vMF(kappa) on S^(d-1), and <c>d(-log C_d)/d kappa</c>. In [0, 1) (0 exactly at kappa = 0), to 1e-13 relative.
    /// </summary>
    /// <param name="dimension">The ambient dimension d; at least 1.</param>
    /// <param name="kappa">The concentration; finite and &gt;= 0 (kappa = 0 is the uniform distribution).</param>
    /// <returns>A_d(kappa).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dimension"/> is below 1, or <paramref name="kappa"/> is not finite or is negative.</exception>
    public static double BesselRatio(int dimension, double kappa)
    {
        Validation.CheckDimension(dimension);
        Validation.CheckKappa(kappa, nameof(kappa));
        return VmfScalar.BesselRatio(dimension, kappa);
    }

    /// <summary>
    /// The differential entropy of vMF(kappa) on S^(d-1): <c>H = -log C_d(kappa) - kappa A_d(kappa)</c>, in nats.
    /// </summary>
    /// <param name="dimension">The ambient dimension d; at least 1.</param>
    /// <param name="kappa">The concentration; finite and &gt;= 0 (kappa = 0 is the uniform distribution).</param>
    /// <returns>The entropy in nats (log|S^(d-1)| at kappa = 0).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dimension"/> is below 1, or <paramref name="kappa"/> is not finite or is negative.</exception>
    public static double Entropy(int dimension, double kappa)
    {
        Validation.CheckDimension(dimension);
        Validation.CheckKappa(kappa, nameof(kappa));
        return VmfScalar.Entropy(dimension, kappa);
    }

    /// <summary>
    /// The constant c that the ER sphere terms add: <c>-log C_d(kappa)</c> for
    /// <see cref="NormalizerMode.Exact"/>, or the original's
    /// <c>-(nu log kappa - (d/2) log(2 pi) - log(I_nu(kappa) + 1e-7))</c> for <see cref="NormalizerMode.Reference"/>.
    /// </summary>
    /// <param name="dimension">The ambient dimension d; at least 1.</param>
    /// <param name="kappa">The concentration; finite and &gt;= 0 (kappa = 0 is the uniform distribution).</param>
    /// <param name="mode">Which constant; <see cref="NormalizerMode.Exact"/> by default.</param>
    /// <returns>c, in nats.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A bad dimension or kappa, or, in reference mode, a kappa where
    /// I_nu(kappa) overflows double (the original would return +inf there).</exception>
    public static double Constant(int dimension, double kappa, NormalizerMode mode = NormalizerMode.Exact)
    {
        Validation.CheckDimension(dimension);
        Validation.CheckKappa(kappa, nameof(kappa));
        return ConstantUnchecked(dimension, kappa, mode);
    }

    /// <summary>
    /// The derivative of <see cref="Constant"/> with respect to kappa: <c>A_d(kappa)</c> in exact mode;
    /// in reference mode the derivative of the original's own constant,
    /// <c>-nu/kappa + I_nu'(kappa) / (I_nu(kappa) + 1e-7)</c>.
    /// </summary>
    /// <param name="dimension">The ambient dimension d; at least 1.</param>
    /// <param name="kappa">The concentration; finite and &gt;= 0 (kappa = 0 is the uniform distribution).</param>
    /// <param name="mode">Which constant; <see cref="NormalizerMode.Exact"/> by default.</param>
    /// <returns>dc/dkappa.</returns>
    /// <exception cref="ArgumentOutOfRangeException">As for <see cref="Constant"/>.</exception>
    public static double ConstantDerivative(int dimension, double kappa, NormalizerMode mode = NormalizerMode.Exact)
    {
        Validation.CheckDimension(dimension);
        Validation.CheckKappa(kappa, nameof(kappa));
        return ConstantDerivativeUnchecked(dimension, kappa, mode);
    }

    internal static double ConstantUnchecked(int dimension, double kappa, NormalizerMode mode)
    {
        if (mode == NormalizerMode.Exact)
        {
            return -VmfScalar.LogNormalizer(dimension, kappa);
        }

        CheckReferenceKappa(dimension, kappa);
        double nu = (0.5 * dimension) - 1.0;
        double logI = ReferenceLogBesselI(dimension, kappa);

        // log(I + eps) as a log-sum-exp of log I and log eps: exact where either dominates.
        double logEps = Math.Log(ReferenceEpsilon);
        double hi = Math.Max(logI, logEps);
        double lo = Math.Min(logI, logEps);
        double logShifted = hi + SpecialFunctions.Log1p(Math.Exp(lo - hi));
        return -((nu * Math.Log(kappa)) - (0.5 * dimension * SpecialFunctions.LogTwoPi) - logShifted);
    }

    internal static double ConstantDerivativeUnchecked(int dimension, double kappa, NormalizerMode mode)
    {
        double nu = (0.5 * dimension) - 1.0;
        double ratio = VmfScalar.BesselRatio(nu, kappa);
        if (mode == NormalizerMode.Exact)
        {
            return ratio;
        }

        CheckReferenceKappa(dimension, kappa);

        // I_nu'(k) = I_nu(k) (A + nu/k), so dc/dk = -nu/k + (A + nu/k) * I / (I + eps),
        // with I / (I + eps) = 1 / (1 + eps e^(-log I)).
        double logI = ReferenceLogBesselI(dimension, kappa);
        double share = 1.0 / (1.0 + Math.Exp(Math.Log(ReferenceEpsilon) - logI));
        double derivative = (-nu / kappa) + ((ratio + (nu / kappa)) * share);
        if (!double.IsFinite(derivative))
        {
            // -nu / kappa itself leaves double's range for kappa below about nu * 5.6e-309.
            throw ReferenceNotFinite(kappa, $"The reference normalizer's derivative is not representable in double for d = {dimension}, kappa = {kappa:G6} (about -nu/kappa). Use NormalizerMode.Exact.");
        }

        return derivative;
    }

    private static double ReferenceLogBesselI(int dimension, double kappa)
    {
        double logI = VmfScalar.LogBesselI((0.5 * dimension) - 1.0, kappa);
        if (logI > LogMaxDouble)
        {
            throw ReferenceNotFinite(kappa, $"The reference normalizer overflows here: I_nu(kappa) = exp({logI:G6}) exceeds double's range for d = {dimension}, kappa = {kappa:G6} (the original returns +inf). Use NormalizerMode.Exact.");
        }

        return logI;
    }

    /// <summary>The original's constant has nu log(kappa) in it: at kappa = 0 it is infinite (d &gt; 2), NaN (d = 2) or -infinite (d = 1).</summary>
    private static void CheckReferenceKappa(int dimension, double kappa)
    {
        if (kappa == 0.0)
        {
            throw ReferenceNotFinite(kappa, $"The reference normalizer (the original's nu log(kappa) - log(I_nu(kappa) + 1e-7)) is not finite at kappa = 0 (d = {dimension}). Use NormalizerMode.Exact, whose constant at kappa = 0 is log|S^(d-1)|, the uniform limit.");
        }
    }

    /// <summary>The reference normalizer's refusal of a kappa where its value is not finite in double.</summary>
    private static ArgumentOutOfRangeException ReferenceNotFinite(double kappa, string message) => new(nameof(kappa), kappa, message);
}
