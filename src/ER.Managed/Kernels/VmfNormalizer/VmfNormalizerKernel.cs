using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ER.Managed.Numerics;

namespace ER.Managed.Kernels.VmfNormalizer;

/// <summary>
/// The vMF log-normalizer kernel: log I_nu, log C_d, A_d and the vMF entropy over a span of
/// kappas for one dimension, vectorized over kappa (Vector512/256/128 of doubles, scalar
/// fallback). Lanes of one register may fall in different regions (series, Debye, continued
/// fraction): every region a lane needs is computed under a mask, skipped when no lane needs it,
/// and iterations run until the slowest lane has converged. Every width gives the same bits for
/// a kappa (see <see cref="ISimdDouble{TVec}"/>), and the scalar <see cref="ER.Managed.VonMisesFisher"/>
/// API is this kernel's scalar width on one element.
/// </summary>
/// <remarks>
/// Why hand-written rather than TensorPrimitives: nothing there computes Bessel functions, and
/// fusing the four outputs shares s, the 0F1 series, the Debye sum and its log between them.
/// d = 1 (nu = -1/2) has closed forms for A and the entropy (tanh, e^(-2 kappa)) that the
/// runtime has no vector tanh for; its kappas are done one at a time.
/// </remarks>
internal static class VmfNormalizerKernel
{
    /// <summary>Fills the requested (non-empty) destinations for every kappa, at the given width. Arguments are not validated.</summary>
    internal static void Evaluate(KernelWidth width, in VmfParameters parameters, ReadOnlySpan<double> kappa, in VmfDestinations destinations)
    {
        if (parameters.IsTwoPointSphere && (destinations.Requested & (VmfOutputs.BesselRatio | VmfOutputs.Entropy)) != 0)
        {
            EvaluateTwoPointSphere(parameters, kappa, destinations);
        }
        else
        {
            var work = new EvaluateWork(parameters, kappa, destinations);
            Drivers.WidthDispatch.RunDouble(width, ref work);
        }
    }

    private readonly ref struct EvaluateWork(in VmfParameters parameters, ReadOnlySpan<double> kappa, in VmfDestinations destinations) : Drivers.IWithDoubleWidth
    {
        private readonly VmfParameters _parameters = parameters;
        private readonly ReadOnlySpan<double> _kappa = kappa;
        private readonly VmfDestinations _destinations = destinations;

        public void Run<TSimd, TVec>()
            where TSimd : struct, ISimdDouble<TVec>
            where TVec : struct => Evaluate<TSimd, TVec>(_parameters, _kappa, _destinations);
    }

    /// <summary>log I_nu(0): -infinity for nu &gt; 0 (I_nu(0) = 0), 0 for nu = 0 (I_0(0) = 1), +infinity for nu = -1/2 (I_(-1/2)(x) = sqrt(2/(pi x)) cosh x).</summary>
    internal static double LogBesselIAtZero(double nu) => nu > 0 ? double.NegativeInfinity : nu == 0 ? 0.0 : double.PositiveInfinity;

    /// <summary>The four values (those in <paramref name="outputs"/>) for one kappa: the scalar API's path.</summary>
    internal static VmfValues One(in VmfParameters parameters, double kappa, VmfOutputs outputs)
    {
        if (parameters.IsTwoPointSphere && (outputs & (VmfOutputs.BesselRatio | VmfOutputs.Entropy)) != 0)
        {
            return TwoPointSphere(parameters, kappa, outputs);
        }

        Compute<SimdDoubleScalar, double>(parameters, kappa, outputs, out double logI, out double logC, out double ratio, out double entropy);
        return new VmfValues(logI, logC, ratio, entropy);
    }

    /// <summary>
    /// A = tanh(kappa) and <c>kappa (1 - A) = 2 kappa e^(-2 kappa) / (1 + e^(-2 kappa))</c> for nu = -1/2
    /// (d = 1), where Perron's fraction would leave an exponentially small difference to cancel.
    /// </summary>
    internal static double TwoPointRatio(double kappa, out double complementTimesKappa)
    {
        double t = Math.Exp(-2.0 * kappa);
        complementTimesKappa = kappa * (2.0 * t / (1.0 + t));
        return Math.Tanh(kappa);
    }

    internal static void Evaluate<TSimd, TVec>(in VmfParameters parameters, ReadOnlySpan<double> kappa, in VmfDestinations destinations)
        where TSimd : struct, ISimdDouble<TVec>
        where TVec : struct
    {
        VmfOutputs outputs = destinations.Requested;
        int n = kappa.Length;
        int count = TSimd.Count;
        ref double source = ref MemoryMarshal.GetReference(kappa);
        ref double logIs = ref MemoryMarshal.GetReference(destinations.LogBesselI);
        ref double logCs = ref MemoryMarshal.GetReference(destinations.LogNormalizer);
        ref double ratios = ref MemoryMarshal.GetReference(destinations.BesselRatio);
        ref double entropies = ref MemoryMarshal.GetReference(destinations.Entropy);
        int i = 0;
        for (; i <= n - count; i += count)
        {
            // Every output of this register is stored only after its kappas were read: in place is safe.
            TVec x = TSimd.Load(ref source, (nuint)i);
            Compute<TSimd, TVec>(parameters, x, outputs, out TVec logI, out TVec logC, out TVec ratio, out TVec entropy);
            StoreRequested<TSimd, TVec>(outputs, (nuint)i, logI, logC, ratio, entropy, ref logIs, ref logCs, ref ratios, ref entropies);
        }

        if (i < n)
        {
            int length = n - i;
            TVec x = SimdTail.LoadPartialRepeatingLast<TSimd, TVec, double>(ref source, (nuint)i, length);
            Compute<TSimd, TVec>(parameters, x, outputs, out TVec logI, out TVec logC, out TVec ratio, out TVec entropy);
            StorePartialRequested<TSimd, TVec>(outputs, (nuint)i, length, logI, logC, ratio, entropy, ref logIs, ref logCs, ref ratios, ref entropies);
        }
    }

    /// <summary>
    /// The four functions on one register of kappas. Shared between the outputs: s = hypot(nu, kappa),
    /// log 0F1(; d/2; kappa^2/4) (log I's series lanes are a subset of log C's), the Debye sum's log
    /// and log(2 pi s)/2, and the continued fraction's A and kappa (1 - A) for A and the entropy.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Compute<TSimd, TVec>(in VmfParameters parameters, TVec kappa, VmfOutputs outputs, out TVec logI, out TVec logC, out TVec ratio, out TVec entropy)
        where TSimd : struct, ISimdDouble<TVec>
        where TVec : struct
    {
        bool wantLogI = (outputs & VmfOutputs.LogBesselI) != 0;
        bool wantEntropy = (outputs & VmfOutputs.Entropy) != 0;
        bool wantLogC = wantEntropy || (outputs & VmfOutputs.LogNormalizer) != 0;
        bool wantRatio = wantEntropy || (outputs & VmfOutputs.BesselRatio) != 0;
        double nu = parameters.Nu;
        TVec nuV = TSimd.Broadcast(nu);
        TVec s = BesselLanes<TSimd, TVec>.Hypot(nu, kappa);
        TVec q = TSimd.Multiply(TSimd.Multiply(TSimd.Broadcast(0.25), kappa), kappa);
        TVec besselSeries = TSimd.LessThan(s, TSimd.Broadcast(Bessel.SeriesRadius));

        // log C takes the series also where kappa^2/4 <= d/2 (it converges fast there): this avoids
        // forming nu log(kappa) and log I_nu(kappa) separately, which would cancel.
        TVec normalizerSeries = TSimd.Or(besselSeries, TSimd.LessThanOrEqual(q, TSimd.Broadcast(parameters.B)));
        TVec entropyDebye = wantEntropy ? TSimd.GreaterThan(kappa, TSimd.Broadcast(parameters.EntropyDebyeThreshold)) : TSimd.Broadcast(0.0);

        TVec seriesLanes = wantLogC ? normalizerSeries : besselSeries;
        TVec log0F1 = TSimd.Any(seriesLanes) ? BesselLanes<TSimd, TVec>.Log0F1(parameters.B, q, seriesLanes) : TSimd.Broadcast(0.0);

        bool needDebye = (wantLogI && !TSimd.All(besselSeries)) || (wantLogC && !TSimd.All(normalizerSeries)) || TSimd.Any(entropyDebye);
        TVec halfLogTwoPiS = default;
        TVec logDebyeSum = default;
        if (needDebye)
        {
            halfLogTwoPiS = BesselLanes<TSimd, TVec>.HalfLogTwoPiTimes(s);
            logDebyeSum = DoubleMath<TSimd, TVec>.Log(BesselLanes<TSimd, TVec>.DebyeSum(TSimd.Divide(nuV, s), s));
        }

        logI = default;
        if (wantLogI)
        {
            // The other outputs take kappa = 0 in their stride (the series at 0: log C = -log|S^(d-1)|, A = 0);
            // log I_nu(0) leaves the finite numbers, so its lanes are set here, where the kappas are still at hand
            // (in place, the destination may be the kappas themselves).
            logI = TSimd.Select(
                TSimd.Equal(kappa, TSimd.Broadcast(0.0)),
                TSimd.Broadcast(LogBesselIAtZero(nu)),
                BesselLanes<TSimd, TVec>.LogI(nu, parameters.LogGammaB, kappa, s, besselSeries, log0F1, halfLogTwoPiS, logDebyeSum));
        }

        logC = default;
        if (wantLogC)
        {
            // Series: log C = -log|S^(d-1)| - log 0F1(; d/2; kappa^2/4).
            logC = TSimd.Subtract(TSimd.Broadcast(-parameters.LogSphereArea), log0F1);
            if (!TSimd.All(normalizerSeries))
            {
                // Debye: log C = nu log(nu + s) - s + log(2 pi s)/2 - log(sum U_k/nu^k) - (d/2) log(2 pi),
                // nu log(kappa) - log I_nu(kappa) with the two nu log(kappa) cancelled analytically.
                TVec debye = TSimd.Subtract(
                    TSimd.Subtract(
                        TSimd.Add(TSimd.Subtract(TSimd.Multiply(nuV, DoubleMath<TSimd, TVec>.Log(TSimd.Add(nuV, s))), s), halfLogTwoPiS),
                        logDebyeSum),
                    TSimd.Broadcast(parameters.HalfDimensionLogTwoPi));
                logC = TSimd.Select(normalizerSeries, logC, debye);
            }
        }

        TVec complementTimesKappa = default;
        ratio = wantRatio ? BesselLanes<TSimd, TVec>.Ratio(nu, kappa, out complementTimesKappa) : default;

        entropy = default;
        if (wantEntropy)
        {
            // H = -log C - kappa A where its two terms are not much larger than H ...
            TVec plain = TSimd.Subtract(TSimd.Subtract(TSimd.Broadcast(-0.0), logC), TSimd.Multiply(kappa, ratio));
            entropy = plain;
            if (TSimd.Any(entropyDebye))
            {
                // ... and above max(nu, 25), where both grow like kappa while H grows like -nu log kappa:
                // -nu log kappa + (d/2) log 2pi + (log I_nu(kappa) - kappa) + kappa (1 - A), each piece small.
                TVec large = TSimd.Add(
                    TSimd.Add(
                        TSimd.Add(TSimd.Multiply(TSimd.Broadcast(-nu), DoubleMath<TSimd, TVec>.Log(kappa)), TSimd.Broadcast(parameters.HalfDimensionLogTwoPi)),
                        BesselLanes<TSimd, TVec>.LogIScaledDebye(nu, kappa, s, halfLogTwoPiS, logDebyeSum)),
                    complementTimesKappa);
                entropy = TSimd.Select(entropyDebye, large, plain);
            }
        }
    }

    /// <summary>
    /// d = 1 one kappa at a time: log I and log C from the common code, A = tanh(kappa) and the
    /// two-point law's entropy <c>log1p(t) + 2 kappa t / (1 + t)</c>, t = e^(-2 kappa), in closed form.
    /// </summary>
    private static void EvaluateTwoPointSphere(in VmfParameters parameters, ReadOnlySpan<double> kappa, in VmfDestinations destinations)
    {
        VmfOutputs outputs = destinations.Requested;
        for (int i = 0; i < kappa.Length; i++)
        {
            VmfValues values = TwoPointSphere(parameters, kappa[i], outputs);
            Store(destinations.LogBesselI, i, values.LogBesselI);
            Store(destinations.LogNormalizer, i, values.LogNormalizer);
            Store(destinations.BesselRatio, i, values.BesselRatio);
            Store(destinations.Entropy, i, values.Entropy);
        }

        static void Store(Span<double> destination, int index, double value)
        {
            if (!destination.IsEmpty)
            {
                destination[index] = value;
            }
        }
    }

    private static VmfValues TwoPointSphere(in VmfParameters parameters, double kappa, VmfOutputs outputs)
    {
        VmfOutputs common = outputs & (VmfOutputs.LogBesselI | VmfOutputs.LogNormalizer);
        double logI = 0.0;
        double logC = 0.0;
        if (common != VmfOutputs.None)
        {
            Compute<SimdDoubleScalar, double>(parameters, kappa, common, out logI, out logC, out _, out _);
        }

        double ratio = TwoPointRatio(kappa, out _);
        double t = Math.Exp(-2.0 * kappa);
        double entropy = SpecialFunctions.Log1p(t) + (kappa * (2.0 * t / (1.0 + t)));
        return new VmfValues(logI, logC, ratio, entropy);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRequested<TSimd, TVec>(
        VmfOutputs outputs, nuint offset, TVec logI, TVec logC, TVec ratio, TVec entropy,
        ref double logIs, ref double logCs, ref double ratios, ref double entropies)
        where TSimd : struct, ISimdDouble<TVec>
        where TVec : struct
    {
        if ((outputs & VmfOutputs.LogBesselI) != 0)
        {
            TSimd.Store(logI, ref logIs, offset);
        }

        if ((outputs & VmfOutputs.LogNormalizer) != 0)
        {
            TSimd.Store(logC, ref logCs, offset);
        }

        if ((outputs & VmfOutputs.BesselRatio) != 0)
        {
            TSimd.Store(ratio, ref ratios, offset);
        }

        if ((outputs & VmfOutputs.Entropy) != 0)
        {
            TSimd.Store(entropy, ref entropies, offset);
        }
    }

    private static void StorePartialRequested<TSimd, TVec>(
        VmfOutputs outputs, nuint offset, int length, TVec logI, TVec logC, TVec ratio, TVec entropy,
        ref double logIs, ref double logCs, ref double ratios, ref double entropies)
        where TSimd : struct, ISimdDouble<TVec>
        where TVec : struct
    {
        if ((outputs & VmfOutputs.LogBesselI) != 0)
        {
            SimdTail.StorePartial<TSimd, TVec, double>(logI, ref logIs, offset, length);
        }

        if ((outputs & VmfOutputs.LogNormalizer) != 0)
        {
            SimdTail.StorePartial<TSimd, TVec, double>(logC, ref logCs, offset, length);
        }

        if ((outputs & VmfOutputs.BesselRatio) != 0)
        {
            SimdTail.StorePartial<TSimd, TVec, double>(ratio, ref ratios, offset, length);
        }

        if ((outputs & VmfOutputs.Entropy) != 0)
        {
            SimdTail.StorePartial<TSimd, TVec, double>(entropy, ref entropies, offset, length);
        }
    }
}
