namespace ER.Managed;

/// <summary>How the von Mises-Fisher normalizing constant c = -log C_d(kappa) of the sphere terms is computed.</summary>
public enum NormalizerMode
{
    /// <summary>
    /// The exact constant, <c>c = -log C_d(kappa)</c> with <c>log I_nu(kappa)</c> computed stably in
    /// double for every dimension and concentration (the default).
    /// </summary>
    Exact = 0,

    /// <summary>
    /// The original implementation's constant, <c>c = -(nu log kappa - (d/2) log(2 pi) - log(I_nu(kappa) + 1e-7))</c>
    /// with I_nu evaluated in double. For d above about 50 at kappa = 10 the <c>+ 1e-7</c>
    /// dominates and this is not the vMF normalizer at all (d = 1000, kappa = 10: -246.17 against
    /// the exact -2032.01). Where I_nu overflows double (kappa above about 700 for small d) the
    /// original returns +inf; this mode throws instead.
    /// </summary>
    Reference = 1,
}
