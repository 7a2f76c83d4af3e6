using System.Runtime.InteropServices;

namespace ER.Managed.Native;

/// <summary>
/// The terms of the original (er_managed.h): sphere and discrete entropy, sphere and discrete
/// reconstruction, each with and without gradients. Inputs are row-major float32 rows x columns;
/// gradients go into caller buffers of the same shape; every call returns a status and, on failure,
/// leaves a message for <c>er_last_error</c> and writes no output.
/// </summary>
public static unsafe class TermExports
{
    /// <summary><c>int er_entropy_sphere(const float* z, int64_t rows, int64_t columns, double kappa, int32_t estimator, const er_options* options, double* value)</c>.</summary>
    [UnmanagedCallersOnly(EntryPoint = "er_entropy_sphere")]
    public static int EntropySphere(float* z, long rows, long columns, double kappa, int estimator, NativeOptions* options, double* value) => LastError.Guard(() =>
    {
        int n = Arguments.Count(rows, columns);
        Arguments.Required(value, "value");
        (ErOptions settings, NormalizerMode normalizer) = NativeOptions.Read(options);
        *value = Entropy.Sphere(Arguments.In(z, n, "z"), (int)rows, (int)columns, kappa, Arguments.SphereEstimator(estimator), normalizer, settings);
    });

    /// <summary><c>int er_entropy_sphere_grad(const float* z, int64_t rows, int64_t columns, double kappa, int32_t estimator, const er_options* options, double* value, double* grad_kappa, float* grad_z)</c>.</summary>
    [UnmanagedCallersOnly(EntryPoint = "er_entropy_sphere_grad")]
    public static int EntropySphereGrad(float* z, long rows, long columns, double kappa, int estimator, NativeOptions* options, double* value, double* gradKappa, float* gradZ) => LastError.Guard(() =>
    {
        int n = Arguments.Count(rows, columns);
        Arguments.Required(value, "value");
        Arguments.Required(gradKappa, "grad_kappa");
        (ErOptions settings, NormalizerMode normalizer) = NativeOptions.Read(options);
        SphereTermResult result = Entropy.SphereWithGradient(Arguments.In(z, n, "z"), (int)rows, (int)columns, Arguments.Out(gradZ, n, "grad_z"), kappa, Arguments.SphereEstimator(estimator), normalizer, settings);
        *value = result.Value;
        *gradKappa = result.KappaGradient;
    });

    /// <summary><c>int er_entropy_discrete(const float* w, int64_t rows, int64_t columns, int32_t reduction, const er_options* options, double* value)</c>.</summary>
    [UnmanagedCallersOnly(EntryPoint = "er_entropy_discrete")]
    public static int EntropyDiscrete(float* w, long rows, long columns, int reduction, NativeOptions* options, double* value) => LastError.Guard(() =>
    {
        int n = Arguments.Count(rows, columns);
        Arguments.Required(value, "value");
        (ErOptions settings, _) = NativeOptions.Read(options);
        *value = Entropy.Discrete(Arguments.In(w, n, "w"), (int)rows, (int)columns, Arguments.DiscreteReduction(reduction), settings);
    });

    /// <summary><c>int er_entropy_discrete_grad(const float* w, int64_t rows, int64_t columns, int32_t reduction, const er_options* options, double* value, float* grad_w)</c>.</summary>
    [UnmanagedCallersOnly(EntryPoint = "er_entropy_discrete_grad")]
    public static int EntropyDiscreteGrad(float* w, long rows, long columns, int reduction, NativeOptions* options, double* value, float* gradW) => LastError.Guard(() =>
    {
        int n = Arguments.Count(rows, columns);
        Arguments.Required(value, "value");
        (ErOptions settings, _) = NativeOptions.Read(options);
        *value = Entropy.DiscreteWithGradient(Arguments.In(w, n, "w"), (int)rows, (int)columns, Arguments.Out(gradW, n, "grad_w"), Arguments.DiscreteReduction(reduction), settings);
    });

    /// <summary><c>int er_reconstruction_sphere(const float* a, const float* b, int64_t rows, int64_t columns, double kappa, const er_options* options, double* value)</c>.</summary>
    [UnmanagedCallersOnly(EntryPoint = "er_reconstruction_sphere")]
    public static int ReconstructionSphere(float* a, float* b, long rows, long columns, double kappa, NativeOptions* options, double* value) => LastError.Guard(() =>
    {
        int n = Arguments.Count(rows, columns);
        Arguments.Required(value, "value");
        (ErOptions settings, NormalizerMode normalizer) = NativeOptions.Read(options);
        *value = Reconstruction.Sphere(Arguments.In(a, n, "a"), Arguments.In(b, n, "b"), (int)rows, (int)columns, kappa, normalizer, settings);
    });

    /// <summary><c>int er_reconstruction_sphere_grad(const float* a, const float* b, int64_t rows, int64_t columns, double kappa, const er_options* options, double* value, double* grad_kappa, float* grad_a, float* grad_b)</c>.</summary>
    [UnmanagedCallersOnly(EntryPoint = "er_reconstruction_sphere_grad")]
    public static int ReconstructionSphereGrad(float* a, float* b, long rows, long columns, double kappa, NativeOptions* options, double* value, double* gradKappa, float* gradA, float* gradB) => LastError.Guard(() =>
    {
        int n = Arguments.Count(rows, columns);
        Arguments.Required(value, "value");
        Arguments.Required(gradKappa, "grad_kappa");
        (ErOptions settings, NormalizerMode normalizer) = NativeOptions.Read(options);
        SphereTermResult result = Reconstruction.SphereWithGradient(
            Arguments.In(a, n, "a"), Arguments.In(b, n, "b"), (int)rows, (int)columns, Arguments.Out(gradA, n, "grad_a"), Arguments.Out(gradB, n, "grad_b"), kappa, normalizer, settings);
        *value = result.Value;
        *gradKappa = result.KappaGradient;
    });

    /// <summary><c>int er_reconstruction_discrete(const float* a, const float* b, int64_t rows, int64_t columns, const er_options* options, double* value)</c>.</summary>
    [UnmanagedCallersOnly(EntryPoint = "er_reconstruction_discrete")]
    public static int ReconstructionDiscrete(float* a, float* b, long rows, long columns, NativeOptions* options, double* value) => LastError.Guard(() =>
    {
        int n = Arguments.Count(rows, columns);
        Arguments.Required(value, "value");
        (ErOptions settings, _) = NativeOptions.Read(options);
        *value = Reconstruction.Discrete(Arguments.In(a, n, "a"), Arguments.In(b, n, "b"), (int)rows, (int)columns, settings);
    });

    /// <summary><c>int er_reconstruction_discrete_grad(const float* a, const float* b, int64_t rows, int64_t columns, const er_options* options, double* value, float* grad_a, float* grad_b)</c>.</summary>
    [UnmanagedCallersOnly(EntryPoint = "er_reconstruction_discrete_grad")]
    public static int ReconstructionDiscreteGrad(float* a, float* b, long rows, long columns, NativeOptions* options, double* value, float* gradA, float* gradB) => LastError.Guard(() =>
    {
        int n = Arguments.Count(rows, columns);
        Arguments.Required(value, "value");
        (ErOptions settings, _) = NativeOptions.Read(options);
        *value = Reconstruction.DiscreteWithGradient(Arguments.In(a, n, "a"), Arguments.In(b, n, "b"), (int)rows, (int)columns, Arguments.Out(gradA, n, "grad_a"), Arguments.Out(gradB, n, "grad_b"), settings);
    });
}
