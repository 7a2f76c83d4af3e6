using System.Linq;

namespace ER.Managed.Cli.Commands;

/// <summary>One key of a command's <c>--json</c> object: its name, what it holds, and when it is present (null: always).</summary>
internal sealed record JsonKey(string Name, string Meaning, string? When = null);

/// <summary>
/// The keys of every <c>--json</c> object the command line prints, in the order they are written.
/// One list feeds the <c>--json</c> help of each command; docs/cli.md repeats it in a table per
/// command, and a test checks the tables, the help and each command's real output against it.
/// </summary>
internal static class JsonKeys
{
    internal static readonly JsonKey[] Entropy =
    [
        new("value", "the entropy H, in nats"),
        new("grad_kappa", "dH/dkappa", "with --grad and the sphere support"),
    ];

    internal static readonly JsonKey[] Reconstruction =
    [
        new("value", "the reconstruction term R, in nats"),
        new("grad_kappa", "dR/dkappa", "with --grad-a or --grad-b and the sphere support"),
    ];

    internal static readonly JsonKey[] Loss =
    [
        new("loss", "the objective a R - b H, in nats"),
        new("entropy", "H, the entropy term averaged over the views it covers, in nats"),
        new("reconstruction", "R, the reconstruction term averaged over the view pairs, in nats"),
        new("grad_kappa", "dLoss/dkappa (0 for the discrete support)"),
    ];

    internal static readonly JsonKey[] LogNorm =
    [
        new("log_bessel_i", "log I_nu(kappa), nu = d/2 - 1; null at kappa = 0 for d != 2, where it is infinite"),
        new("log_normalizer", "log C_d(kappa)"),
        new("bessel_ratio", "A_d(kappa) = I_(d/2)(kappa) / I_(d/2-1)(kappa)"),
        new("vmf_entropy", "the entropy of vMF(kappa) on S^(d-1), in nats"),
    ];

    internal static readonly JsonKey[] LogNormFile =
    [
        new("count", "how many kappas were read (the rows of the output)"),
        new("columns", "the output's column names, in order"),
        new("out", "the file written"),
    ];

    internal static readonly JsonKey[] Kappa =
    [
        new("kappa", "the selected concentration"),
        new("log_likelihood", "the leave-one-out log-likelihood there, in nats per sample"),
        new("method", "loo or rule-of-thumb"),
        new("iterations", "likelihood evaluations (loo) or evaluations of the vMF fit's equation, its bracket's included (rule-of-thumb)"),
        new("boundary", "none (an interior maximum), uniform (largest as kappa -> 0; kappa = 0 returned) or concentrated (still rising at kappa = 1e6)"),
    ];

    internal static readonly JsonKey[] Bench =
    [
        new("peer", "er.managed-VERSION"),
        new("case", "the case timed"),
        new("k", "K"),
        new("d", "D"),
        new("threads", "a one-element array: the degree of parallelism used"),
        new("forward_ms", "median time of the forward (or the case's one operation), in ms"),
        new("forward_backward_ms", "median time of forward and backward, in ms; null where the case has no backward"),
        new("scalar_ms", "median time of the scalar API loop the batch kernel replaces, in ms", "case lognorm"),
        new("peak_rss_mib", "the process's peak resident memory, in MiB"),
        new("views", "the number of views", "case loss"),
        new("gflops", "float32 GFLOP/s executed", "cases gram and fma_peak"),
        new("isa", "the SIMD width the kernels ran: V512, V256, V128 or Scalar"),
    ];

    internal static readonly JsonKey[] Info =
    [
        new("version", "the library's version"),
        new("runtime", "JIT or NativeAOT"),
        new("framework", "the .NET runtime's description"),
        new("kernel_width", "the SIMD width the kernels run: V512, V256, V128 or Scalar"),
        new("kernel_bits", "its width in bits (32 for Scalar)"),
        new("gemm_kernel", "the GEMM micro-kernel's name"),
        new("mr", "the micro-kernel's rows"),
        new("nr", "the micro-kernel's columns"),
        new("kc", "the GEMM's depth block"),
        new("mc", "the GEMM's row block"),
        new("nc", "the GEMM's column block"),
        new("l1d_bytes", "the L1 data cache, in bytes"),
        new("l2_bytes", "the L2 cache, in bytes"),
        new("l3_bytes", "the L3 cache, in bytes"),
        new("cache_source", "where the cache sizes came from: cpuid, sysfs, sysctl, environment (ER_CACHE_SIZES) or fallback"),
        new("vector128", "whether Vector128 is hardware accelerated"),
        new("vector256", "whether Vector256 is hardware accelerated"),
        new("vector512", "whether Vector512 is hardware accelerated"),
        new("instruction_sets", "the instruction sets the runtime uses, as an array of names"),
        new("degree_of_parallelism", "the threads the terms use"),
        new("processors", "the processors this process may run on"),
    ];

    /// <summary>The <c>--json</c> option of a command, its help naming the keys it prints.</summary>
    internal static Option<bool> Option(params JsonKey[][] objects) => new("--json")
    {
        Description = "Print one JSON object on stdout instead of a line of text, with the keys "
            + string.Join("; or ", objects.Select(Describe)) + ".",
    };

    private static string Describe(JsonKey[] keys) => string.Join(", ", keys.Select(k => k.When is null ? k.Name : $"{k.Name} ({k.When})"));

    /// <summary>Every command's key lists, by the name its docs/cli.md section has.</summary>
    internal static (string Command, JsonKey[] Keys)[] All =>
    [
        ("entropy", Entropy),
        ("reconstruction", Reconstruction),
        ("loss", Loss),
        ("lognorm", LogNorm),
        ("lognorm --kappa-file", LogNormFile),
        ("kappa", Kappa),
        ("bench", Bench),
        ("info", Info),
    ];
}
