namespace ER.Managed.Kernels.VmfNormalizer;

/// <summary>Which of the four vMF functions a kernel call computes; work that no requested output needs is skipped.</summary>
[Flags]
internal enum VmfOutputs
{
    None = 0,

    /// <summary>log I_nu(kappa).</summary>
    LogBesselI = 1,

    /// <summary>log C_d(kappa).</summary>
    LogNormalizer = 2,

    /// <summary>A_d(kappa) = I_{nu+1}(kappa) / I_nu(kappa).</summary>
    BesselRatio = 4,

    /// <summary>The vMF entropy -log C_d(kappa) - kappa A_d(kappa).</summary>
    Entropy = 8,
}

/// <summary>The destinations of one kernel call; an empty span is an output not asked for.</summary>
internal readonly ref struct VmfDestinations
{
    internal VmfDestinations(Span<double> logBesselI, Span<double> logNormalizer, Span<double> besselRatio, Span<double> entropy)
    {
        LogBesselI = logBesselI;
        LogNormalizer = logNormalizer;
        BesselRatio = besselRatio;
        Entropy = entropy;
    }

    internal Span<double> LogBesselI { get; }

    internal Span<double> LogNormalizer { get; }

    internal Span<double> BesselRatio { get; }

    internal Span<double> Entropy { get; }

    internal VmfOutputs Requested =>
        (LogBesselI.IsEmpty ? VmfOutputs.None : VmfOutputs.LogBesselI)
        | (LogNormalizer.IsEmpty ? VmfOutputs.None : VmfOutputs.LogNormalizer)
        | (BesselRatio.IsEmpty ? VmfOutputs.None : VmfOutputs.BesselRatio)
        | (Entropy.IsEmpty ? VmfOutputs.None : VmfOutputs.Entropy);

    internal VmfDestinations Slice(int start, int length) => new(
        LogBesselI.IsEmpty ? default : LogBesselI.Slice(start, length),
        LogNormalizer.IsEmpty ? default : LogNormalizer.Slice(start, length),
        BesselRatio.IsEmpty ? default : BesselRatio.Slice(start, length),
        Entropy.IsEmpty ? default : Entropy.Slice(start, length));
}

/// <summary>The four values for one kappa.</summary>
internal readonly record struct VmfValues(double LogBesselI, double LogNormalizer, double BesselRatio, double Entropy);
