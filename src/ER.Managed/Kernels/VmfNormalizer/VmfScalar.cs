namespace ER.Managed.Kernels.VmfNormalizer;

/// <summary>
/// The vMF kernel on one value at its scalar width, without argument checks: what the public
/// <c>VonMisesFisher</c> functions run after checking, and what the terms call directly. Arguments:
/// nu &gt;= -1/2 and x &gt; 0 for the Bessel functions, d &gt;= 1 and finite kappa &gt;= 0 otherwise.
/// </summary>
internal static class VmfScalar
{
    /// <summary>log I_nu(x) for nu &gt;= -1/2, x &gt; 0 (the kernel's scalar width on one element).</summary>
    internal static double LogBesselI(double nu, double x) =>
        VmfNormalizerKernel.One(VmfParameters.ForOrder(nu), x, VmfOutputs.LogBesselI).LogBesselI;

    /// <summary>I_{nu+1}(x) / I_nu(x) for nu &gt;= -1/2, x &gt; 0; see <see cref="BesselRatio(double, double, out double)"/>.</summary>
    internal static double BesselRatio(double nu, double x) => BesselRatio(nu, x, out _);

    /// <summary>
    /// A = I_{nu+1}(x) / I_nu(x) for nu &gt;= -1/2, x &gt; 0, and <c>x (1 - A)</c> without the
    /// cancellation of <c>1 - A</c> (A tends to 1 as x grows), by Perron's continued fraction
    /// <c>A = x / (2nu+2+x - (2nu+3) x / (2nu+3+2x - (2nu+5) x / (2nu+4+2x - ...)))</c>
    /// (Gautschi and Slavik 1978), with partial numerators a_k = -(2nu+2k+1) x and
    /// denominators b_k = 2nu+2+k+2x. For x &gt; 1 every level is divided by x so that the terms
    /// stay of order one however large x is; then <c>A = 1 / (1 + e)</c> with
    /// <c>e = (2nu+2)/x + a_1 / T</c> and T the fraction's tail from b_1, so
    /// <c>x (1 - A) = (2nu+2 + x a_1 / T) / (1 + e)</c> is formed from quantities of order one
    /// (x a_1 = -(2nu+3) for the scaled terms). For nu = -1/2 (d = 1) the closed forms
    /// <c>A = tanh x</c> and <c>1 - A = 2 e^(-2x) / (1 + e^(-2x))</c> are used: there the
    /// fraction's e cancels to an exponentially small number. Result in [0, 1].
    /// The code is <see cref="BesselLanes{TSimd, TVec}.Ratio"/> at the scalar width.
    /// </summary>
    internal static double BesselRatio(double nu, double x, out double complementTimesX)
    {
        if (nu == -0.5)
        {
            return VmfNormalizerKernel.TwoPointRatio(x, out complementTimesX);
        }

        return BesselLanes<SimdDoubleScalar, double>.Ratio(nu, x, out complementTimesX);
    }

    /// <summary>
    /// log C_d(kappa) by the kernel's scalar width: where the 0F1 series converges quickly,
    /// <c>-log|S^(d-1)| - log 0F1(; d/2; kappa^2/4)</c> (nu log(kappa) and log I_nu(kappa) are never
    /// formed separately, as they would cancel); elsewhere the Debye form with the two nu log(kappa)
    /// terms cancelled analytically.
    /// </summary>
    internal static double LogNormalizer(int dimension, double kappa) =>
        VmfNormalizerKernel.One(VmfParameters.ForDimension(dimension, VmfOutputs.LogNormalizer), kappa, VmfOutputs.LogNormalizer).LogNormalizer;

    /// <summary>A_d(kappa) = I_(d/2)(kappa) / I_(d/2-1)(kappa).</summary>
    internal static double BesselRatio(int dimension, double kappa) => BesselRatio((0.5 * dimension) - 1.0, kappa);


    /// <summary>
    /// <c>H = -log C_d(kappa) - kappa A_d(kappa)</c> without the cancellation of its two terms, which
    /// both grow like kappa while H grows like -((d-1)/2) log kappa: for d = 1 the two-point law's
    /// <c>log1p(t) + 2 kappa t / (1 + t)</c>, <c>t = e^(-2 kappa)</c>; for kappa above nu and the series
    /// radius, <c>-nu log kappa + (d/2) log 2pi + (log I_nu(kappa) - kappa) + kappa (1 - A_d)</c>, where
    /// both bracketed pieces are computed without forming kappa; elsewhere the plain difference, whose
    /// terms are then not much larger than H. The kernel's scalar width (<see cref="VmfNormalizerKernel"/>).
    /// </summary>
    internal static double Entropy(int dimension, double kappa) =>
        VmfNormalizerKernel.One(VmfParameters.ForDimension(dimension, VmfOutputs.Entropy), kappa, VmfOutputs.Entropy).Entropy;
}
