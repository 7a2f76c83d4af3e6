using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using ER.Managed.Diagnostics;
using ER.Managed.Estimation;

namespace ER.Managed.Cli.Commands;

/// <summary>
/// <c>er bench CASE K D [--kappa 10] [--reps 5] [--threads N] [--json]</c>: times one ER term the
/// way <c>../shared/peers/torch_er_bench.py</c> times PyTorch, and prints the same fields, so the
/// two can be run back to back and compared as ratios. Inputs are made as the peer makes them
/// (normalized or softmaxed standard normals) and are not validated inside the timed region
/// (the peer validates nothing); <c>--validate</c> times the checks too.
/// </summary>
internal static class BenchCommand
{
    internal static readonly string[] Cases = ["gram", "entropy_sphere", "entropy_loo", "entropy_discrete", "rec_sphere", "rec_discrete", "fma_peak", "lognorm", "entropy_knn", "loo_likelihood", "loss"];

    internal static Command Create(TextWriter stdout)
    {
        var name = new Argument<string>("CASE")
        {
            Description = "What to time: gram, entropy_sphere (plug-in), entropy_loo (Joe's leave-one-out), entropy_discrete (expectation), rec_sphere, rec_discrete, loss (one ErLoss step on --views views of K x D raw outputs, sphere, plug-in; forward_backward_ms is the step), fma_peak (this machine's float32 FMA peak; K and D ignored), entropy_knn (the kNN estimator, m = 4), loo_likelihood (the leave-one-out likelihood and its kappa derivative) or lognorm (the vMF functions of K log-uniform kappas in [1e-3, 1e4] at dimension D, batch kernel against the scalar loop; one thread).",
            HelpName = "CASE",
        };
        name.AcceptOnlyFromAmong(Cases);
        var rows = CommonOptions.PositiveIntArgument("K", "Batch size k.");
        var columns = CommonOptions.PositiveIntArgument("D", "Dimension d.");
        Option<double> kappa = CommonOptions.Kappa();
        Option<int> reps = CommonOptions.PositiveInt("--reps", "Timed repetitions after one warm-up; medians are reported.", defaultValue: 5);
        Option<int> threads = CommonOptions.PositiveInt("--threads", "Degree of parallelism.", defaultValue: Environment.ProcessorCount);
        var validate = new Option<bool>("--validate") { Description = "Include the input checks in the timed region." };
        Option<int> views = CommonOptions.PositiveInt("--views", "With CASE loss: the number of views (at least 2).", defaultValue: 2, helpName: "V");
        Option<bool> json = JsonKeys.Option(JsonKeys.Bench);
        var command = new Command("bench", "Time one ER term, forward and forward+backward, with the PyTorch peer's JSON fields.") { name, rows, columns, kappa, reps, threads, validate, views, json };
        command.SetAction(parse =>
        {
            int k = parse.GetValue(rows), d = parse.GetValue(columns);
            string benchCase = parse.GetValue(name)!;
            if (k < 1 || d < 1 || (benchCase != "lognorm" && (long)k * d > Array.MaxLength) || (benchCase == "gram" && (long)k * k > Array.MaxLength))
            {
                throw new CliUsageException(string.Create(CultureInfo.InvariantCulture, $"K and D must be at least 1 and the matrices must fit in memory (got K = {k}, D = {d})."));
            }

            int viewCount = parse.GetValue(views);
            if (parse.GetResult(views) is { Implicit: false } && benchCase != "loss")
            {
                throw new CliUsageException("--views is for CASE loss.");
            }

            if (viewCount < 2 || (benchCase == "loss" && (long)viewCount * k * d > Array.MaxLength))
            {
                throw new CliUsageException(string.Create(CultureInfo.InvariantCulture, $"--views must be at least 2 and V x K x D fit in memory (got V = {viewCount})."));
            }

            var options = new ErOptions { MaxDegreeOfParallelism = parse.GetValue(threads), ValidateInputs = parse.GetValue(validate) };
            Result result;
            using (Progress.Start(string.Create(CultureInfo.InvariantCulture, $"timing {benchCase}, K = {k}, D = {d}, {parse.GetValue(reps)} repetitions"), parse.GetValue(json)))
            {
                result = Run(benchCase, k, d, parse.GetValue(kappa), parse.GetValue(reps), options, viewCount);
            }

            int threadsUsed = benchCase == "lognorm" ? 1 : options.EffectiveDegreeOfParallelism;
            if (parse.GetValue(json))
            {
                WriteJson(stdout, result, k, d, threadsUsed);
            }
            else
            {
                string backward = result.ForwardBackwardMs is double fb ? string.Create(CultureInfo.InvariantCulture, $", forward+backward {fb:F3} ms") : string.Empty;
                string rate = result.Gflops is double g ? string.Create(CultureInfo.InvariantCulture, $", {g:F1} GFLOP/s") : string.Empty;
                string scalar = result.ScalarMs is double sm ? string.Create(CultureInfo.InvariantCulture, $", scalar loop {sm:F3} ms ({sm / result.ForwardMs:F2}x)") : string.Empty;
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{result.Case} k={k} d={d} threads={threadsUsed} ({KernelDiagnostics.Current.KernelWidth}): forward {result.ForwardMs:F3} ms{backward}{scalar}{rate}, peak RSS {result.PeakRssMib:F1} MiB"));
            }

            return Cli.Success;
        });
        return command;
    }

    /// <summary>
    /// One timing; <see cref="Gflops"/> is the executed float32 FLOP rate where the case has a fixed count (gram, fma_peak);
    /// <see cref="ScalarMs"/> the scalar API loop that the lognorm batch kernel replaces.
    /// </summary>
    internal sealed record Result(string Case, double ForwardMs, double? ForwardBackwardMs, double PeakRssMib, double? Gflops = null, double? ScalarMs = null, int? Views = null);

    internal static Result Run(string name, int k, int d, double kappa, int reps, ErOptions options, int views = 2)
    {
        if (name == "fma_peak")
        {
            return Peak(reps, options.EffectiveDegreeOfParallelism);
        }

        if (name == "lognorm")
        {
            return LogNormalizers(k, d, reps);
        }

        if (name == "loss")
        {
            return LossStep(k, d, kappa, views, reps, options);
        }

        var random = new SeededRandom(0);
        bool sphere = name is "gram" or "entropy_sphere" or "entropy_loo" or "rec_sphere" or "entropy_knn" or "loo_likelihood";
        bool pair = name.StartsWith("rec_", StringComparison.Ordinal);
        float[] a = Input(random, k, d, sphere);
        float[]? b = pair ? Input(random, k, d, sphere) : null;
        float[] gradA = name == "gram" ? [] : new float[k * d];
        float[] gradB = pair ? new float[k * d] : [];
        float[] gram = name == "gram" ? new float[k * k] : [];

        Action forward = name switch
        {
            "gram" => () => Gram.Compute(a, k, d, gram, options),
            "entropy_sphere" => () => Entropy.Sphere(a, k, d, kappa, options: options),
            "entropy_loo" => () => Entropy.Sphere(a, k, d, kappa, EntropyReduction.LeaveOneOut, options: options),
            "entropy_discrete" => () => Entropy.Discrete(a, k, d, options: options),
            "entropy_knn" => () => Entropy.SphereKnn(a, k, d, 4, options),
            "loo_likelihood" => () => Estimation.KappaSelection.LeaveOneOutLogLikelihood(a, k, d, kappa, out _, options),
            "rec_sphere" => () => Reconstruction.Sphere(a, b!, k, d, kappa, options: options),
            _ => () => Reconstruction.Discrete(a, b!, k, d, options: options),
        };
        Action? forwardBackward = name switch
        {
            "gram" or "entropy_knn" or "loo_likelihood" => null,
            "entropy_sphere" => () => Entropy.SphereWithGradient(a, k, d, gradA, kappa, options: options),
            "entropy_loo" => () => Entropy.SphereWithGradient(a, k, d, gradA, kappa, EntropyReduction.LeaveOneOut, options: options),
            "entropy_discrete" => () => Entropy.DiscreteWithGradient(a, k, d, gradA, options: options),
            "rec_sphere" => () => Reconstruction.SphereWithGradient(a, b!, k, d, gradA, gradB, kappa, options: options),
            _ => () => Reconstruction.DiscreteWithGradient(a, b!, k, d, gradA, gradB, options: options),
        };

        double forwardMs = Median(forward, reps);
        double? forwardBackwardMs = forwardBackward is null ? null : Median(forwardBackward, reps);
        double? gflops = name == "gram" ? GramFlops(k, d) / (forwardMs * 1e6) : null;
        return new Result(name, forwardMs, forwardBackwardMs, PeakRssMib(), gflops);
    }

    /// <summary>FLOPs the symmetric Gram kernel executes (<see cref="KernelDiagnostics.GramFlops"/>).</summary>
    internal static double GramFlops(int k, int d) => KernelDiagnostics.GramFlops(k, d);

    private static double PeakRssMib()
    {
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.PeakWorkingSet64 / (1024.0 * 1024.0);
    }

    /// <summary>The FMA peak, measured by the library's own kernel width (<see cref="KernelDiagnostics.MeasureFmaPeak"/>).</summary>
    private static Result Peak(int reps, int threads)
    {
        double best = 0.0, milliseconds = double.MaxValue;
        for (int r = 0; r <= reps; r++)
        {
            long start = Stopwatch.GetTimestamp();
            best = Math.Max(best, KernelDiagnostics.MeasureFmaPeak(threads));
            milliseconds = Math.Min(milliseconds, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        return new Result("fma_peak", milliseconds, null, PeakRssMib(), best);
    }

    /// <summary>
    /// All four vMF functions for <paramref name="count"/> kappas log-uniform in [1e-3, 1e4]: the batch
    /// kernel (<see cref="VonMisesFisher.Evaluate(int, ReadOnlySpan{double}, Span{double}, Span{double}, Span{double}, Span{double})"/>)
    /// against the loop a user would write over the scalar API, both on this thread.
    /// </summary>
    private static Result LogNormalizers(int count, int dimension, int reps)
    {
        var random = new SeededRandom(0);
        var kappa = new double[count];
        for (int i = 0; i < count; i++)
        {
            kappa[i] = Math.Pow(10.0, -3.0 + (7.0 * random.NextDouble()));
        }

        var logI = new double[count];
        var logC = new double[count];
        var ratio = new double[count];
        var entropy = new double[count];
        double nu = (0.5 * dimension) - 1.0;
        double batchMs = Median(() => VonMisesFisher.Evaluate(dimension, kappa, logI, logC, ratio, entropy), reps);
        double scalarMs = Median(
            () =>
            {
                for (int i = 0; i < count; i++)
                {
                    logI[i] = VonMisesFisher.LogBesselI(nu, kappa[i]);
                    logC[i] = VonMisesFisher.LogNormalizer(dimension, kappa[i]);
                    ratio[i] = VonMisesFisher.BesselRatio(dimension, kappa[i]);
                    entropy[i] = VonMisesFisher.Entropy(dimension, kappa[i]);
                }
            },
            reps);
        return new Result("lognorm", batchMs, null, PeakRssMib(), ScalarMs: scalarMs);
    }

    /// <summary>
    /// One <see cref="ErLoss"/> step on <paramref name="views"/> views of standard normal raw outputs
    /// (sphere, plug-in): forward_ms is the entropy of one view alone, for scale; forward_backward_ms the whole step.
    /// </summary>
    private static Result LossStep(int k, int d, double kappa, int views, int reps, ErOptions options)
    {
        var random = new SeededRandom(0);
        var raw = new float[views * k * d];
        random.FillNormal(raw);
        var gradients = new float[raw.Length];
        var loss = new ErLoss(Support.Sphere, k, d, views) { Kappa = kappa, Options = options };
        float[] z = Input(random, k, d, sphere: true);
        double forwardMs = Median(() => Entropy.Sphere(z, k, d, kappa, options: options), reps);
        double stepMs = Median(() => loss.Compute(raw, gradients), reps);
        return new Result("loss", forwardMs, stepMs, PeakRssMib(), Views: views);
    }

    private static float[] Input(SeededRandom random, int k, int d, bool sphere)
    {
        var x = new float[k * d];
        random.FillNormal(x);
        if (sphere)
        {
            RowOps.L2Normalize(x, k, d, x);
        }
        else
        {
            RowOps.Softmax(x, k, d, x);
        }

        return x;
    }

    /// <summary>One warm-up call, then the median of <paramref name="reps"/> timed calls, in ms (as the peer's <c>med</c>).</summary>
    private static double Median(Action action, int reps)
    {
        action();
        var times = new double[reps];
        for (int i = 0; i < reps; i++)
        {
            long start = Stopwatch.GetTimestamp();
            action();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        Array.Sort(times);
        return times[reps / 2];
    }

    private static void WriteJson(TextWriter output, Result result, int k, int d, int threads)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("peer", "er.managed-" + (typeof(Entropy).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "?"));
            writer.WriteString("case", result.Case);
            writer.WriteNumber("k", k);
            writer.WriteNumber("d", d);
            writer.WriteStartArray("threads");
            writer.WriteNumberValue(threads);
            writer.WriteEndArray();
            writer.WriteNumber("forward_ms", Math.Round(result.ForwardMs, 3));
            if (result.ForwardBackwardMs is double fb)
            {
                writer.WriteNumber("forward_backward_ms", Math.Round(fb, 3));
            }
            else
            {
                writer.WriteNull("forward_backward_ms");
            }

            if (result.ScalarMs is double scalarMs)
            {
                writer.WriteNumber("scalar_ms", Math.Round(scalarMs, 3));
            }

            writer.WriteNumber("peak_rss_mib", Math.Round(result.PeakRssMib, 1));
            if (result.Views is int v)
            {
                writer.WriteNumber("views", v);
            }

            if (result.Gflops is double gflops)
            {
                writer.WriteNumber("gflops", Math.Round(gflops, 1));
            }

            writer.WriteString("isa", KernelDiagnostics.Current.KernelWidth);
            writer.WriteEndObject();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
