using ER.Managed.Numerics;

namespace ER.Managed.Kernels.VmfNormalizer;

/// <summary>
/// What a kernel call shares across its kappas: the order nu, b = nu + 1 (= d/2), and the
/// constants that depend on them alone, computed once a call and only where an output needs them.
/// </summary>
internal readonly struct VmfParameters
{
    private VmfParameters(double nu, double b, VmfOutputs outputs)
    {
        Nu = nu;
        B = b;
        LogGammaB = (outputs & VmfOutputs.LogBesselI) != 0 ? SpecialFunctions.LogGamma(b) : double.NaN;
        bool normalizer = (outputs & (VmfOutputs.LogNormalizer | VmfOutputs.Entropy)) != 0;

        // log |S^(d-1)| = log 2 + (d/2) log pi - lgamma(d/2), with d/2 = b.
        LogSphereArea = normalizer ? SpecialFunctions.Log2 + (b * SpecialFunctions.LogPi) - SpecialFunctions.LogGamma(b) : double.NaN;
        HalfDimensionLogTwoPi = b * SpecialFunctions.LogTwoPi;
        EntropyDebyeThreshold = System.Math.Max(nu, Bessel.SeriesRadius);
    }

    /// <summary>The Bessel order nu = d/2 - 1.</summary>
    internal double Nu { get; }

    /// <summary>b = nu + 1 = d/2: the 0F1 series' parameter.</summary>
    internal double B { get; }

    /// <summary>log Gamma(nu + 1) (only when log I is asked for).</summary>
    internal double LogGammaB { get; }

    /// <summary>log |S^(d-1)| (only when log C or the entropy is asked for).</summary>
    internal double LogSphereArea { get; }

    /// <summary>(d/2) log(2 pi).</summary>
    internal double HalfDimensionLogTwoPi { get; }

    /// <summary>Above this kappa (max(nu, 25)) the entropy takes its cancellation-free Debye form.</summary>
    internal double EntropyDebyeThreshold { get; }

    /// <summary>Whether this is d = 1 (nu = -1/2), whose ratio and entropy have closed forms.</summary>
    internal bool IsTwoPointSphere => Nu == -0.5;

    /// <summary>For the vMF functions on S^(d-1): nu = d/2 - 1.</summary>
    internal static VmfParameters ForDimension(int dimension, VmfOutputs outputs) =>
        new((0.5 * dimension) - 1.0, 0.5 * dimension, outputs);

    /// <summary>For log I_nu alone at an arbitrary order nu &gt;= -1/2.</summary>
    internal static VmfParameters ForOrder(double order) =>
        new(order, order + 1.0, VmfOutputs.LogBesselI);
}
