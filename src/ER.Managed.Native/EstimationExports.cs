using System.Runtime.InteropServices;
using ER.Managed.Estimation;

namespace ER.Managed.Native;

/// <summary>
/// The estimators and helpers beyond the original's terms (er_managed.h): the kNN entropy, the vMF
/// functions over an array of kappas, kappa selection and the leave-one-out likelihood.
/// </summary>
public static unsafe class EstimationExports
{
    /// <summary><c>int er_entropy_knn(const float* z, int64_t rows, int64_t columns, int32_t neighbors, const er_options* options, double* value)</c>.</summary>
    [UnmanagedCallersOnly(EntryPoint = "er_entropy_knn")]
    public static int EntropyKnn(float* z, long rows, long columns, int neighbors, NativeOptions* options, double* value) => LastError.Guard(() =>
    {
        int n = Arguments.Count(rows, columns);
        Arguments.Required(value, "value");
        (ErOptions settings, _) = NativeOptions.Read(options);
        *value = Entropy.SphereKnn(Arguments.In(z, n, "z"), (int)rows, (int)columns, neighbors, settings);
    });

    /// <summary>
    /// <c>int er_vmf(int32_t dimension, const double* kappa, int64_t count, double* log_bessel_i, double* log_normalizer, double* bessel_ratio, double* entropy)</c>:
    /// any output may be NULL (not wanted), but not all of them.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "er_vmf")]
    public static int Vmf(int dimension, double* kappa, long count, double* logBesselI, double* logNormalizer, double* besselRatio, double* entropy) => LastError.Guard(() =>
    {
        int n = Arguments.Length(count, "count");
        ReadOnlySpan<double> kappas = n == 0 ? default : Arguments.In(kappa, n, "kappa");
        if (n > 0 && logBesselI is null && logNormalizer is null && besselRatio is null && entropy is null)
        {
            throw new ArgumentException("log_bessel_i, log_normalizer, bessel_ratio, entropy: all are NULL; ask for at least one.");
        }

        VonMisesFisher.Evaluate(dimension, kappas, Arguments.Optional(logBesselI, n), Arguments.Optional(logNormalizer, n), Arguments.Optional(besselRatio, n), Arguments.Optional(entropy, n));
    });

    /// <summary>
    /// <c>int er_kappa_select(const float* z, int64_t rows, int64_t columns, int32_t method, const er_options* options, double* kappa, double* log_likelihood, int32_t* iterations, int32_t* boundary)</c>:
    /// method ER_KAPPA_LEAVE_ONE_OUT (0) or ER_KAPPA_RULE_OF_THUMB (1); boundary ER_BOUNDARY_NONE, _UNIFORM or _CONCENTRATED.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "er_kappa_select")]
    public static int KappaSelect(float* z, long rows, long columns, int method, NativeOptions* options, double* kappa, double* logLikelihood, int* iterations, int* boundary) => LastError.Guard(() =>
    {
        int n = Arguments.Count(rows, columns);
        Arguments.Required(kappa, "kappa");
        Arguments.Required(logLikelihood, "log_likelihood");
        Arguments.Required(iterations, "iterations");
        Arguments.Required(boundary, "boundary");
        (ErOptions settings, _) = NativeOptions.Read(options);
        ReadOnlySpan<float> samples = Arguments.In(z, n, "z");
        KappaSelectionResult result = method switch
        {
            0 => KappaSelection.LeaveOneOut(samples, (int)rows, (int)columns, settings),
            1 => KappaSelection.RuleOfThumb(samples, (int)rows, (int)columns, settings),
            _ => throw new ArgumentException($"method is {method}; use ER_KAPPA_LEAVE_ONE_OUT (0) or ER_KAPPA_RULE_OF_THUMB (1).", nameof(method)),
        };
        *kappa = result.Kappa;
        *logLikelihood = result.LogLikelihood;
        *iterations = result.Iterations;
        *boundary = (int)result.Boundary;
    });

    /// <summary><c>int er_loo_log_likelihood(const float* z, int64_t rows, int64_t columns, double kappa, const er_options* options, double* value, double* derivative)</c>.</summary>
    [UnmanagedCallersOnly(EntryPoint = "er_loo_log_likelihood")]
    public static int LooLogLikelihood(float* z, long rows, long columns, double kappa, NativeOptions* options, double* value, double* derivative) => LastError.Guard(() =>
    {
        int n = Arguments.Count(rows, columns);
        Arguments.Required(value, "value");
        Arguments.Required(derivative, "derivative");
        (ErOptions settings, _) = NativeOptions.Read(options);
        *value = KappaSelection.LeaveOneOutLogLikelihood(Arguments.In(z, n, "z"), (int)rows, (int)columns, kappa, out double slope, settings);
        *derivative = slope;
    });
}
