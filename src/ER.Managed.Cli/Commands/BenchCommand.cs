using System;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Reflection;
using System.Text.Json;
using ER.Managed.Kernels;
using ER.Managed.Numerics;

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
    internal static readonly string[] Cases = ["gram", "entropy_sphere", "entropy_discrete", "rec_sphere", "rec_discrete", "fma_peak"];

    internal static Command Create(TextWriter stdout)
    {
        var name = new Argument<string>("CASE") { Description = "gram | entropy_sphere (plug-in) | entropy_discrete (expectation) | rec_sphere | rec_discrete | fma_peak (this machine's float32 FMA peak; K and D ignored)." };
        name.AcceptOnlyFromAmong(Cases);
        var rows = new Argument<int>("K") { Description = "Batch size k." };
        var columns = new Argument<int>("D") { Description = "Dimension d." };
        Option<double> kappa = CommonOptions.Kappa();
        Option<int> reps = CommonOptions.PositiveInt("--reps", "Timed repetitions after one warm-up; medians are reported (default 5).", defaultValue: 5);
        Option<int> threads = CommonOptions.PositiveInt("--threads", "Degree of parallelism (default: all cores).", defaultValue: Environment.ProcessorCount);
        var validate = new Option<bool>("--validate") { Description = "Include the input checks in the timed region." };
        Option<bool> json = CommonOptions.Json();
        var command = new Command("bench", "Time one ER term, forward and forward+backward, with the PyTorch peer's JSON fields.") { name, rows, columns, kappa, reps, threads, validate, json };
        command.SetAction(parse =>
        {
            int k = parse.GetValue(rows), d = parse.GetValue(columns);
            if (k < 1 || d < 1 || (long)k * d > Array.MaxLength || (parse.GetValue(name) == "gram" && (long)k * k > Array.MaxLength))
            {
                throw new CliInputException(string.Create(CultureInfo.InvariantCulture, $"K and D must be at least 1 and the matrices must fit in memory (got K = {k}, D = {d})."));
            }

            var options = new ErOptions { MaxDegreeOfParallelism = parse.GetValue(threads), ValidateInputs = parse.GetValue(validate) };
            Result result = Run(parse.GetValue(name)!, k, d, parse.GetValue(kappa), parse.GetValue(reps), options);
            if (parse.GetValue(json))
            {
                WriteJson(stdout, result, k, d, options.EffectiveDegreeOfParallelism);
            }
            else
            {
                string backward = result.ForwardBackwardMs is double fb ? string.Create(CultureInfo.InvariantCulture, $", forward+backward {fb:F3} ms") : string.Empty;
                string rate = result.Gflops is double g ? string.Create(CultureInfo.InvariantCulture, $", {g:F1} GFLOP/s") : string.Empty;
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{result.Case} k={k} d={d} threads={options.EffectiveDegreeOfParallelism} ({KernelIsa.Best}): forward {result.ForwardMs:F3} ms{backward}{rate}, peak RSS {result.PeakRssMib:F1} MiB"));
            }

            return Cli.Success;
        });
        return command;
    }

    /// <summary>One timing; <see cref="Gflops"/> is the executed float32 FLOP rate where the case has a fixed count (gram, fma_peak).</summary>
    internal sealed record Result(string Case, double ForwardMs, double? ForwardBackwardMs, double PeakRssMib, double? Gflops = null);

    internal static Result Run(string name, int k, int d, double kappa, int reps, ErOptions options)
    {
        if (name == "fma_peak")
        {
            return Peak(reps, options.EffectiveDegreeOfParallelism);
        }

        var random = new SeededRandom(0);
        bool sphere = name is "gram" or "entropy_sphere" or "rec_sphere";
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
            "entropy_discrete" => () => Entropy.Discrete(a, k, d, options: options),
            "rec_sphere" => () => Reconstruction.Sphere(a, b!, k, d, kappa, options: options),
            _ => () => Reconstruction.Discrete(a, b!, k, d, options: options),
        };
        Action? forwardBackward = name switch
        {
            "gram" => null,
            "entropy_sphere" => () => Entropy.SphereWithGradient(a, k, d, gradA, kappa, options: options),
            "entropy_discrete" => () => Entropy.DiscreteWithGradient(a, k, d, gradA, options: options),
            "rec_sphere" => () => Reconstruction.SphereWithGradient(a, b!, k, d, gradA, gradB, kappa, options: options),
            _ => () => Reconstruction.DiscreteWithGradient(a, b!, k, d, gradA, gradB, options: options),
        };

        double forwardMs = Median(forward, reps);
        double? forwardBackwardMs = forwardBackward is null ? null : Median(forwardBackward, reps);
        double? gflops = name == "gram" ? GramFlops(k, d) / (forwardMs * 1e6) : null;
        return new Result(name, forwardMs, forwardBackwardMs, PeakRssMib(), gflops);
    }

    /// <summary>FLOPs the symmetric Gram kernel executes: 2 d per product over the diagonal blocks and the blocks right of them.</summary>
    internal static double GramFlops(int k, int d)
    {
        double products = 0;
        for (int start = 0; start < k; start += GramKernel.BlockRows)
        {
            products += (double)Math.Min(GramKernel.BlockRows, k - start) * (k - start);
        }

        return 2.0 * d * products;
    }

    private static double PeakRssMib()
    {
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.PeakWorkingSet64 / (1024.0 * 1024.0);
    }

    /// <summary>The FMA peak: each thread runs 12 independent chains of fused multiply-adds on the widest register.</summary>
    private static Result Peak(int reps, int threads)
    {
        const int Iterations = 20_000_000;
        double seconds = double.MaxValue;
        for (int r = 0; r <= reps; r++)
        {
            long start = Stopwatch.GetTimestamp();
            Parallelism.For(threads, threads, _ => FmaLoop(Iterations));
            seconds = Math.Min(seconds, Stopwatch.GetElapsedTime(start).TotalSeconds);
        }

        double flops = 2.0 * 12 * FmaLanes * Iterations * threads;
        return new Result("fma_peak", seconds * 1e3, null, PeakRssMib(), flops / seconds / 1e9);
    }

    private static int FmaLanes => KernelIsa.Best switch
    {
        KernelWidth.V512 => 16,
        KernelWidth.V256 => 8,
        KernelWidth.V128 => 4,
        _ => 1,
    };

    private static float FmaLoop(int iterations) => KernelIsa.Best switch
    {
        KernelWidth.V512 => FmaChains<Simd512, System.Runtime.Intrinsics.Vector512<float>>(iterations),
        KernelWidth.V256 => FmaChains<Simd256, System.Runtime.Intrinsics.Vector256<float>>(iterations),
        KernelWidth.V128 => FmaChains<Simd128, System.Runtime.Intrinsics.Vector128<float>>(iterations),
        _ => FmaChains<SimdScalar, float>(iterations),
    };

    private static float FmaChains<TSimd, TVec>(int iterations)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct
    {
        TVec x = TSimd.Broadcast(0.9999f), y = TSimd.Broadcast(1e-5f);
        TVec a0 = TSimd.Broadcast(1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        for (int i = 0; i < iterations; i++)
        {
            a0 = TSimd.MultiplyAdd(a0, x, y);
            a1 = TSimd.MultiplyAdd(a1, x, y);
            a2 = TSimd.MultiplyAdd(a2, x, y);
            a3 = TSimd.MultiplyAdd(a3, x, y);
            a4 = TSimd.MultiplyAdd(a4, x, y);
            a5 = TSimd.MultiplyAdd(a5, x, y);
            a6 = TSimd.MultiplyAdd(a6, x, y);
            a7 = TSimd.MultiplyAdd(a7, x, y);
            a8 = TSimd.MultiplyAdd(a8, x, y);
            a9 = TSimd.MultiplyAdd(a9, x, y);
            a10 = TSimd.MultiplyAdd(a10, x, y);
            a11 = TSimd.MultiplyAdd(a11, x, y);
        }

        return TSimd.Sum(TSimd.Add(TSimd.Add(TSimd.Add(a0, a1), TSimd.Add(a2, a3)), TSimd.Add(TSimd.Add(TSimd.Add(a4, a5), TSimd.Add(a6, a7)), TSimd.Add(TSimd.Add(a8, a9), TSimd.Add(a10, a11)))));
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

            writer.WriteNumber("peak_rss_mib", Math.Round(result.PeakRssMib, 1));
            if (result.Gflops is double gflops)
            {
                writer.WriteNumber("gflops", Math.Round(gflops, 1));
            }

            writer.WriteString("isa", KernelIsa.Best.ToString());
            writer.WriteEndObject();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
