using System.Runtime.InteropServices;
using System.Text;
using ER.Managed.Native;

namespace ER.Managed.Tests.Native;

/// <summary>
/// The C interface's exports called in process through unmanaged function pointers, as C calls
/// them: they return what the managed API returns, bit for bit, and refuse bad arguments with a
/// status and a thread-local message, writing nothing. (CI also runs tests/native/test_er_managed.c
/// against the published libermanaged.so, on x64 and on arm64 under qemu.)
/// </summary>
public unsafe class NativeExportTests
{
    private const int K = 40, D = 6;

    private static string LastError() => Marshal.PtrToStringUTF8((nint)((delegate* unmanaged<byte*>)&InfoExports.Error)()) ?? string.Empty;

    [Fact]
    public void The_sphere_entropy_exports_return_the_managed_results_bit_for_bit()
    {
        float[] z = TestData.UnitRows(K, D, seed: 5);
        delegate* unmanaged<float*, long, long, double, int, NativeOptions*, double*, int> value = &TermExports.EntropySphere;
        delegate* unmanaged<float*, long, long, double, int, NativeOptions*, double*, double*, float*, int> withGradient = &TermExports.EntropySphereGrad;
        var options = new NativeOptions { Size = (uint)sizeof(NativeOptions), Threads = 1, Normalizer = 1, Validate = 1 };
        foreach (EntropyReduction reduction in new[] { EntropyReduction.Expectation, EntropyReduction.Average, EntropyReduction.LeaveOneOut })
        {
            double h, h2, dk;
            var gradient = new float[K * D];
            fixed (float* zp = z)
            fixed (float* gp = gradient)
            {
                Assert.Equal(NativeStatus.Ok, value(zp, K, D, 12.0, (int)reduction, null, &h));
                Assert.Equal(NativeStatus.Ok, withGradient(zp, K, D, 12.0, (int)reduction, &options, &h2, &dk, gp));
            }

            Assert.Equal(Entropy.Sphere(z, K, D, 12.0, reduction), h);
            TermGradients want = Entropy.SphereWithGradient(z, K, D, 12.0, reduction, NormalizerMode.Reference);
            Assert.Equal(want.Value, h2);
            Assert.Equal(want.KappaGradient, dk);
            Assert.Equal(want.Gradient, gradient);
        }
    }

    [Fact]
    public void The_discrete_reconstruction_and_estimation_exports_return_the_managed_results()
    {
        float[] w = TestData.ProbabilityRows(K, D, seed: 6), w2 = TestData.ProbabilityRows(K, D, seed: 7);
        float[] a = TestData.UnitRows(K, D, seed: 8), b = TestData.UnitRows(K, D, seed: 9);
        var g1 = new float[K * D];
        var g2 = new float[K * D];
        double v, dk;
        fixed (float* wp = w, w2p = w2, ap = a, bp = b, g1p = g1, g2p = g2)
        {
            Assert.Equal(NativeStatus.Ok, ((delegate* unmanaged<float*, long, long, int, NativeOptions*, double*, int>)&TermExports.EntropyDiscrete)(wp, K, D, 1, null, &v));
            Assert.Equal(Entropy.Discrete(w, K, D, EntropyReduction.Average), v);
            Assert.Equal(NativeStatus.Ok, ((delegate* unmanaged<float*, long, long, int, NativeOptions*, double*, float*, int>)&TermExports.EntropyDiscreteGrad)(wp, K, D, 0, null, &v, g1p));
            Assert.Equal(Entropy.DiscreteWithGradient(w, K, D).Gradient, g1);
            Assert.Equal(NativeStatus.Ok, ((delegate* unmanaged<float*, float*, long, long, double, NativeOptions*, double*, int>)&TermExports.ReconstructionSphere)(ap, bp, K, D, 3.0, null, &v));
            Assert.Equal(Reconstruction.Sphere(a, b, K, D, 3.0), v);
            Assert.Equal(NativeStatus.Ok, ((delegate* unmanaged<float*, float*, long, long, double, NativeOptions*, double*, double*, float*, float*, int>)&TermExports.ReconstructionSphereGrad)(ap, bp, K, D, 3.0, null, &v, &dk, g1p, g2p));
            TermGradients r = Reconstruction.SphereWithGradient(a, b, K, D, 3.0);
            Assert.Equal((r.Value, r.KappaGradient), (v, dk));
            Assert.Equal(r.GradientB, g2);
            Assert.Equal(NativeStatus.Ok, ((delegate* unmanaged<float*, float*, long, long, NativeOptions*, double*, int>)&TermExports.ReconstructionDiscrete)(wp, w2p, K, D, null, &v));
            Assert.Equal(Reconstruction.Discrete(w, w2, K, D), v);
            Assert.Equal(NativeStatus.Ok, ((delegate* unmanaged<float*, float*, long, long, NativeOptions*, double*, float*, float*, int>)&TermExports.ReconstructionDiscreteGrad)(wp, w2p, K, D, null, &v, g1p, g2p));
            Assert.Equal(Reconstruction.DiscreteWithGradient(w, w2, K, D).Gradient, g1);

            Assert.Equal(NativeStatus.Ok, ((delegate* unmanaged<float*, long, long, int, NativeOptions*, double*, int>)&EstimationExports.EntropyKnn)(ap, K, D, 3, null, &v));
            Assert.Equal(Entropy.SphereKnn(a, K, D, 3), v);
            double kappa, likelihood, slope;
            int iterations, boundary;
            Assert.Equal(NativeStatus.Ok, ((delegate* unmanaged<float*, long, long, int, NativeOptions*, double*, double*, int*, int*, int>)&EstimationExports.KappaSelect)(ap, K, D, 0, null, &kappa, &likelihood, &iterations, &boundary));
            ER.Managed.Estimation.KappaSelectionResult selection = ER.Managed.Estimation.KappaSelection.LeaveOneOut(a, K, D);
            Assert.Equal((selection.Kappa, selection.LogLikelihood, selection.Iterations, (int)selection.Boundary), (kappa, likelihood, iterations, boundary));
            Assert.Equal(NativeStatus.Ok, ((delegate* unmanaged<float*, long, long, double, NativeOptions*, double*, double*, int>)&EstimationExports.LooLogLikelihood)(ap, K, D, 4.0, null, &v, &slope));
            Assert.Equal(ER.Managed.Estimation.KappaSelection.LeaveOneOutLogLikelihood(a, K, D, 4.0, out double wantSlope), v);
            Assert.Equal(wantSlope, slope);
        }

        double[] kappas = [0.0, 0.5, 30.0];
        var logC = new double[3];
        fixed (double* kp = kappas, cp = logC)
        {
            Assert.Equal(NativeStatus.Ok, ((delegate* unmanaged<int, double*, long, double*, double*, double*, double*, int>)&EstimationExports.Vmf)(7, kp, 3, null, cp, null, null));
        }

        Assert.Equal([VonMisesFisher.LogNormalizer(7, 0.0), VonMisesFisher.LogNormalizer(7, 0.5), VonMisesFisher.LogNormalizer(7, 30.0)], logC);
        Assert.Equal(InfoExports.AbiVersion, ((delegate* unmanaged<int>)&InfoExports.Abi)());
        Assert.False(string.IsNullOrEmpty(Marshal.PtrToStringUTF8((nint)((delegate* unmanaged<byte*>)&InfoExports.LibraryVersion)())));
    }

    [Fact]
    public void Bad_arguments_get_a_status_and_a_message_naming_them_and_nothing_is_written()
    {
        float[] z = TestData.UnitRows(K, D, seed: 5);
        delegate* unmanaged<float*, long, long, double, int, NativeOptions*, double*, int> entropy = &TermExports.EntropySphere;
        double h = 42;
        var badOptions = new NativeOptions { Size = 0 };
        fixed (float* zp = z)
        {
            static void Refused(int status, string text)
            {
                Assert.Equal(NativeStatus.InvalidArgument, status);
                Assert.StartsWith(text, LastError(), StringComparison.Ordinal);
            }

            Refused(entropy(null, K, D, 10, 0, null, &h), "z: is NULL.");
            Refused(entropy(zp, K, D, 10, 0, null, null), "value: is NULL.");
            Refused(entropy(zp, 0, D, 10, 0, null, &h), "rows: is 0; it must be at least 1.");
            Refused(entropy(zp, K, D, -1, 0, null, &h), "kappa: must be finite and at least 0.");
            Refused(entropy(zp, K, D, 10, 9, null, &h), "estimator: is 9;");
            Refused(entropy(zp, K, D, 10, 0, &badOptions, &h), "options: options->size is 0;");

            z[3] *= 2;
            Assert.Equal(NativeStatus.InvalidArgument, entropy(zp, K, D, 10, 0, null, &h));
            Assert.Contains("set options->validate = 0", LastError(), StringComparison.Ordinal);
        }

        Assert.Equal(42, h);
        var nothing = new double[1];
        fixed (double* kp = nothing)
        {
            Assert.Equal(NativeStatus.InvalidArgument, ((delegate* unmanaged<int, double*, long, double*, double*, double*, double*, int>)&EstimationExports.Vmf)(3, kp, 1, null, null, null, null));
        }

        Assert.Contains("all are NULL", LastError(), StringComparison.Ordinal);
        Assert.Equal("x: internal error (InvalidOperationException): boom", "x: " + LastErrorOf(new InvalidOperationException("boom")));
#pragma warning disable CA2201 // the status an allocation failure maps to, without running out of memory
        Assert.Equal("out of memory", LastErrorOf(new OutOfMemoryException()));
#pragma warning restore CA2201
    }

    [Theory]
    [InlineData(1L, 1L, 1)]
    [InlineData(0x7FFFFFC7L, 1L, 0x7FFFFFC7)] // Array.MaxLength elements: one buffer's most
    [InlineData(1L, 0x7FFFFFC7L, 0x7FFFFFC7)]
    [InlineData(7L, 306783370L, 2147483590)]
    public void Sizes_up_to_one_buffer_are_taken(long rows, long columns, int count) =>
        Assert.Equal(count, Arguments.Count(rows, columns));

    [Theory]
    [InlineData(0L, 5L, "rows", "rows is 0; it must be at least 1.")]
    [InlineData(-3L, 5L, "rows", "rows is -3; it must be at least 1.")]
    [InlineData(5L, 0L, "columns", "columns is 0; it must be at least 1.")]
    [InlineData(0x7FFFFFC8L, 1L, "rows", "rows x columns is 2147483592 x 1, more than")]
    [InlineData(1L, 0x7FFFFFC8L, "rows", "rows x columns is 1 x 2147483592, more than")]
    [InlineData(2L, 1L << 30, "rows", "rows x columns is 2 x 1073741824, more than")]
    [InlineData(7L, 306783371L, "rows", "rows x columns is 7 x 306783371, more than")]
    [InlineData(1L << 62, 4L, "rows", "rows x columns is 4611686018427387904 x 4, more than")] // the product overflows a long
    [InlineData(long.MaxValue, long.MaxValue, "rows", "rows x columns is")]
    public void Sizes_beyond_one_buffer_or_below_one_are_refused_by_name(long rows, long columns, string name, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => Arguments.Count(rows, columns));
        Assert.Equal(name, e.ParamName);
        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0L, true)]
    [InlineData(0x7FFFFFC7L, true)]
    [InlineData(-1L, false)]
    [InlineData(0x7FFFFFC8L, false)]
    [InlineData(long.MinValue, false)]
    public void A_count_lies_in_zero_to_one_buffer(long count, bool taken)
    {
        if (taken)
        {
            Assert.Equal(count, Arguments.Length(count, "count"));
        }
        else
        {
            Assert.Equal("count", Assert.Throws<ArgumentException>(() => Arguments.Length(count, "count")).ParamName);
        }
    }

    [Fact]
    public void Vmf_takes_no_kappas_with_no_outputs_and_any_one_output_alone()
    {
        var vmf = (delegate* unmanaged<int, double*, long, double*, double*, double*, double*, int>)&EstimationExports.Vmf;
        Assert.Equal(NativeStatus.Ok, vmf(3, null, 0, null, null, null, null));

        double[] kappa = [2.5];
        double entropy = 0, ratio = 0;
        fixed (double* kp = kappa)
        {
            Assert.Equal(NativeStatus.Ok, vmf(3, kp, 1, null, null, null, &entropy));
            Assert.Equal(NativeStatus.Ok, vmf(3, kp, 1, null, null, &ratio, null));
        }

        Assert.Equal(VonMisesFisher.Entropy(3, 2.5), entropy);
        Assert.Equal(VonMisesFisher.BesselRatio(3, 2.5), ratio);
    }

    [Theory]
    [InlineData(4u, -7, 5, 9, -1, false, true)] // only the size known: every field a default
    [InlineData(8u, 3, 5, 9, 3, false, true)] // threads known
    [InlineData(8u, 0, 5, 9, -1, false, true)] // 0 threads: all cores
    [InlineData(12u, 3, 1, 9, 3, true, true)] // the normalizer known
    [InlineData(16u, 3, 1, 0, 3, true, false)] // every field known
    [InlineData(16u, 1, 0, 1, 1, false, true)]
    [InlineData(32u, 2, 0, 0, 2, false, false)] // a newer caller: its extra fields ignored
    public void Options_read_the_fields_their_size_covers(uint size, int threads, int normalizer, int validate, int expectedThreads, bool reference, bool expectedValidate)
    {
        var options = new NativeOptions { Size = size, Threads = threads, Normalizer = normalizer, Validate = validate };
        (ErOptions settings, NormalizerMode mode) = NativeOptions.Read(&options);
        Assert.Equal(expectedThreads, settings.MaxDegreeOfParallelism);
        Assert.Equal(reference ? NormalizerMode.Reference : NormalizerMode.Exact, mode);
        Assert.Equal(expectedValidate, settings.ValidateInputs);
    }

    [Theory]
    [InlineData(3u, 1, 0, 1, "options->size is 3;")]
    [InlineData(8u, -1, 0, 1, "options->threads is -1;")]
    [InlineData(12u, 1, 2, 1, "options->normalizer is 2;")]
    [InlineData(16u, 1, 0, 2, "options->validate is 2;")]
    public void Options_out_of_their_range_are_refused(uint size, int threads, int normalizer, int validate, string message)
    {
        var options = new NativeOptions { Size = size, Threads = threads, Normalizer = normalizer, Validate = validate };
        var e = Assert.Throws<ArgumentException>(() => ReadCopy(options));
        Assert.Equal("options", e.ParamName);
        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Messages_lose_the_runtimes_parameter_and_actual_value_decorations()
    {
        Assert.Equal("rows: is 0; it must be at least 1.", ER.Managed.Native.LastError.Describe(new ArgumentException("rows is 0; it must be at least 1.", "rows")));
        Assert.Equal("kappa: must be finite.", ER.Managed.Native.LastError.Describe(new ArgumentOutOfRangeException("kappa", -1.0, "must be finite.")));
        Assert.Equal("dimension: must be at least 1.", ER.Managed.Native.LastError.Describe(new ArgumentOutOfRangeException("dimension", "must be at least 1.")));
        Assert.Equal("Rows overlap.", ER.Managed.Native.LastError.Describe(new ArgumentException("Rows overlap.")));
        Assert.Equal("must be finite.", ER.Managed.Native.LastError.Describe(new ArgumentOutOfRangeException(null, -1.0, "must be finite.")));
        Assert.Equal(
            "z: Rows must have unit norm. Normalize them first (or set options->validate = 0 to skip the check).",
            ER.Managed.Native.LastError.Describe(new ArgumentException("Rows must have unit norm. Normalize them first (RowOps.L2Normalize) or raise ErOptions.UnitNormTolerance.", "z")));
    }

    private static (ErOptions, NormalizerMode) ReadCopy(NativeOptions options) => NativeOptions.Read(&options);

    private static string LastErrorOf(Exception e)
    {
        Assert.NotEqual(NativeStatus.Ok, ER.Managed.Native.LastError.Report(e));
        return LastError();
    }
}
