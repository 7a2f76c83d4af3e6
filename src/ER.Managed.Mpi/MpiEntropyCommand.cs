using System.Diagnostics;
using System.Linq;
using System.Text.Json;
using ER.Managed.Cli;
using ER.Managed.Cli.Commands;
using ER.Managed.Cli.Files;
using ER.Managed.Mpi.Mpi;

namespace ER.Managed.Mpi;

/// <summary>
/// <c>er-mpi entropy Z.npy [--support] [--estimator plugin|joe|joe-loo] [--reduction] [--kappa] [--normalizer]
/// [--json] [--grad G.npy] [--grad-dtype] [--normalize] [--rows-per-rank-input] [--profile]</c>: the
/// entropy of <c>er entropy</c>, its work split by rows over the ranks (see <see cref="SphereEntropyShards"/>).
/// Rank 0 reads Z and broadcasts it (or, with <c>--rows-per-rank-input</c>, rank r reads
/// <c>Z.r.npy</c> and the ranks all-gather their rows), every rank computes the states of its rows,
/// the states are all-gathered, every rank computes the gradient of its rows, rank 0 gathers them,
/// writes <c>--grad</c> and prints what <c>er entropy</c> prints.
/// </summary>
internal static class MpiEntropyCommand
{
    internal static Command Create(ICommunicator comm, TextWriter stdout, TextWriter stderr)
    {
        var input = new Argument<string>("Z.npy") { Description = "Embeddings, a k x d .npy (float32, or float64 rounded to float32), read by rank 0, or - for its standard input (MPICH's mpiexec forwards only up to a pipe's 64 KiB: give a file there); unit rows (sphere) or probability rows (discrete). With --rows-per-rank-input, rank r reads Z.r.npy instead." };
        Option<string> support = CommonOptions.Support();
        Option<string> estimator = EntropyOptions.Estimator("Sphere estimator: plugin, joe (Joe's) or joe-loo (Joe's leave-one-out). knn is er entropy's alone.");
        Option<string> reduction = EntropyOptions.Reduction();
        Option<double> kappa = CommonOptions.Kappa();
        Option<string> normalizer = CommonOptions.Normalizer();
        Option<bool> json = JsonKeys.Option(JsonKeys.Entropy);
        Option<string?> grad = GradientOutput.Path("--grad", "Write dH/dZ (k x d, rows in the order of Z) to this .npy file from rank 0; with --json, sphere support also reports grad_kappa.");
        Option<string> gradType = GradientOutput.DataType();
        Option<bool> normalize = CommonOptions.Normalize();
        var perRank = new Option<bool>("--rows-per-rank-input")
        {
            Description = "Rank r reads only Z.r.npy (Z.npy's name with the rank before .npy), its own rows, and computes their part; the batch is the files in rank order.",
        };
        var profile = new Option<bool>("--profile")
        {
            Description = "After the result, print one JSON line on stderr: seconds per rank of pass 1 (states) and pass 2 (gradient rows), of the collectives, and the bytes each rank received.",
        };
        Option<int> threads = CommonOptions.PositiveInt(
            "--threads",
            "Threads per rank (default: this machine's cores shared among the ranks the launcher put on it, from MPI_LOCALNRANKS or OMPI_COMM_WORLD_LOCAL_SIZE).",
            defaultValue: DefaultThreads());
        var command = new Command("entropy", "Entropy H of a batch, in nats, computed by all ranks together.") { input, support, estimator, reduction, kappa, normalizer, json, grad, gradType, normalize, perRank, profile, threads };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(input)!;
            string? gradPath = parse.GetValue(grad);
            bool sphere = parse.GetValue(support) == "sphere";
            bool split = parse.GetValue(perRank);
            CommonOptions.CheckKappaUsed(parse, kappa, sphere);
            string method = EntropyOptions.ChooseEstimator(parse, estimator, reduction, neighbors: null, kappa, grad, sphere);
            if (method is "knn")
            {
                throw new CliUsageException("er-mpi computes the kernel estimators (plugin, joe, joe-loo); --estimator knn runs on one machine with er entropy.");
            }

            if (split && path == "-")
            {
                throw new CliUsageException("--rows-per-rank-input reads one file per rank; give a file name (Z.npy for Z.0.npy, Z.1.npy, ...), not -.");
            }

            var run = new Run(comm, stderr, new ErOptions { MaxDegreeOfParallelism = parse.GetValue(threads) });
            string[] inputs = split ? Enumerable.Range(0, comm.Size).Select(r => RankPath(path, r)).ToArray() : [path];
            OutputFiles? outputs = null;
            (float[] Data, int Rows, int Columns) mine = (Array.Empty<float>(), 0, 0);
            run.Agree(() =>
            {
                if (comm.Rank == 0)
                {
                    outputs = new OutputFiles(inputs);
                    outputs.Plan("--grad", gradPath);
                }

                if (split || comm.Rank == 0)
                {
                    mine = CommonOptions.ReadMatrix(split ? inputs[comm.Rank] : path, CommonOptions.NormalizationOf(parse.GetValue(normalize), sphere));
                }
            });

            // Shapes: every rank's rows and columns (ranks that read nothing send 0 x 0).
            var watch = Stopwatch.StartNew();
            int[] shapes = comm.AllGather([mine.Rows, mine.Columns]);
            int columns = shapes[1];
            int[] counts = split ? Enumerable.Range(0, comm.Size).Select(rank => shapes[2 * rank]).ToArray() : [];
            for (int rank = 1; split && rank < comm.Size; rank++)
            {
                if (shapes[(2 * rank) + 1] != columns)
                {
                    throw new CliInputException($"{inputs[rank]} has {shapes[(2 * rank) + 1]} columns but {inputs[0]} has {columns}; every rank's rows must have the same dimension.");
                }
            }

            int rows = BatchRows(split ? counts.Sum(c => (long)c) : shapes[0], columns);
            var z = new float[rows * columns];
            if (split)
            {
                comm.GatherRows(mine.Data, columns, counts, z);
            }
            else
            {
                mine.Data.CopyTo(z, 0);
                comm.Broadcast(z, root: 0);
                counts = Enumerable.Range(0, comm.Size).Select(rank => SphereEntropyShards.Split(rows, comm.Size, rank).Count).ToArray();
            }

            run.Distribute = watch.Elapsed.TotalSeconds;
            if (parse.GetValue(normalize))
            {
                CommonOptions.NormalizeRows(z, rows, columns, sphere, path);
            }

            int first = counts.Take(comm.Rank).Sum();
            int count = counts[comm.Rank];
            EntropyReduction r = EntropyOptions.ReductionOf(method);
            NormalizerMode mode = CommonOptions.ParseNormalizer(parse.GetValue(normalizer)!);
            double k = parse.GetValue(kappa);
            double value;
            double? kappaGradient = null;
            float[]? gradient = null;
            if (!sphere)
            {
                // The discrete entropy is O(k d), as cheap as the all-gather: every rank computes it whole (the same bits everywhere).
                if (gradPath is null)
                {
                    value = CommonOptions.InCliWords(() => Entropy.Discrete(z, rows, columns, r), ("w", path));
                }
                else
                {
                    TermGradients t = CommonOptions.InCliWords(() => Entropy.DiscreteWithGradient(z, rows, columns, r), ("w", path));
                    (value, gradient) = (t.Value, t.Gradient);
                }
            }
            else
            {
                (value, double dk, gradient) = run.Sphere(z, rows, columns, first, count, counts, k, r, mode, gradPath is not null, path);
                kappaGradient = gradPath is null ? null : dk;
            }

            if (comm.Rank == 0)
            {
                if (gradient is not null)
                {
                    outputs!.Set("--grad", GradientOutput.Npy(gradient, rows, columns, parse.GetValue(gradType)!));
                    outputs.Commit();
                }

                TextWriter report = outputs!.WritesStandardOutput ? CliStreams.Notes : stdout;
                EntropyOptions.Report(report, parse.GetValue(json), value, kappaGradient, EntropyOptions.Settings(parse, sphere, method, reduction, normalizer, kappa), rows, columns);
            }

            if (parse.GetValue(profile))
            {
                run.WriteProfile(rows, columns);
            }

            return CliErrors.Success;
        });
        return command;
    }

    /// <summary>The cores of this machine divided among the ranks on it (at least 1 each), as the launchers announce them.</summary>
    internal static int DefaultThreads() => ThreadsPerRank(Environment.GetEnvironmentVariable, Environment.ProcessorCount);

    /// <summary>
    /// <paramref name="processors"/> divided among the ranks on this machine, rounded down, at least 1:
    /// MPICH's <c>MPI_LOCALNRANKS</c> or else Open MPI's <c>OMPI_COMM_WORLD_LOCAL_SIZE</c>, read from
    /// <paramref name="environment"/>; a value that is not a positive whole number counts as one rank.
    /// </summary>
    internal static int ThreadsPerRank(Func<string, string?> environment, int processors)
    {
        string? local = environment("MPI_LOCALNRANKS") ?? environment("OMPI_COMM_WORLD_LOCAL_SIZE");
        int ranksHere = int.TryParse(local, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n) && n > 0 ? n : 1;
        return Math.Max(1, processors / ranksHere);
    }

    /// <summary>The batch's rows in all, checked to fit one array of <paramref name="rows"/> x <paramref name="columns"/> floats (at most <see cref="Array.MaxLength"/> elements).</summary>
    /// <exception cref="CliInputException">The batch holds more elements than that.</exception>
    internal static int BatchRows(long rows, int columns) =>
        rows <= Array.MaxLength / Math.Max(columns, 1)
            ? (int)rows
            : throw new CliInputException($"the ranks' files hold {rows} rows of {columns} in all, more than one array of this program can hold ({Array.MaxLength} elements).");

    /// <summary>Rank r's file under <c>--rows-per-rank-input</c>: Z.npy becomes Z.r.npy (a name without .npy gets .r.npy).</summary>
    internal static string RankPath(string path, int rank) =>
        path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase) ? $"{path[..^4]}.{rank}{path[^4..]}" : $"{path}.{rank}.npy";

    /// <summary>One rank's part of a run: the collective steps, their timings, and agreement on errors.</summary>
    private sealed class Run(ICommunicator comm, TextWriter stderr, ErOptions options)
    {
        private double _pass1;
        private double _statesGather;
        private double _pass2;
        private double _gradientGather;
        private long _bytesReceived;

        internal double Distribute { get; set; }

        /// <summary>
        /// Runs a step that can fail on some ranks only (reading a rank's own file, planning rank 0's
        /// outputs): a failing rank says why on its own stderr, and then every rank stops with the
        /// worst exit code, so none is left waiting in a collective.
        /// </summary>
        internal void Agree(Action step)
        {
            int code = CliErrors.Success;
            try
            {
                step();
            }
            catch (CliUsageException e)
            {
                stderr.WriteLine($"er-mpi: {e.Message} (see 'er-mpi entropy --help')");
                code = CliErrors.UsageError;
            }
            catch (CliInputException e)
            {
                stderr.WriteLine($"er-mpi: {e.Message}");
                code = CliErrors.InputError;
            }

            int worst = comm.AllGather([code]).Max();
            if (worst != CliErrors.Success)
            {
                throw new RankExit(worst);
            }
        }

        /// <summary>Pass 1 on own rows, the states all-gathered, the value; with a gradient, pass 2 and its rows gathered on rank 0.</summary>
        internal (double Value, double KappaGradient, float[]? Gradient) Sphere(
            float[] z, int rows, int columns, int first, int count, int[] counts, double kappa, EntropyReduction reduction, NormalizerMode mode, bool withGradient, string path)
        {
            var watch = Stopwatch.StartNew();
            var mine = new double[count * SphereEntropyShards.StateWidth];
            CommonOptions.InCliWords(() => { SphereEntropyShards.RowStates(z, rows, columns, first, count, mine, kappa, reduction, options); return 0; }, ("z", path), ("rows", path));
            _pass1 = watch.Elapsed.TotalSeconds;
            watch.Restart();
            var states = new double[rows * SphereEntropyShards.StateWidth];
            comm.GatherRows(mine, SphereEntropyShards.StateWidth, counts, states);
            _statesGather = watch.Elapsed.TotalSeconds;
            _bytesReceived += (long)(rows - count) * SphereEntropyShards.StateWidth * sizeof(double);
            SphereTermResult result = SphereEntropyShards.Combine(states, rows, columns, kappa, reduction, mode);
            if (!withGradient)
            {
                return (result.Value, result.KappaGradient, null);
            }

            watch.Restart();
            var own = new float[count * columns];
            SphereEntropyShards.Gradient(z, rows, columns, states, first, count, own, kappa, reduction, options with { ValidateInputs = false });
            _pass2 = watch.Elapsed.TotalSeconds;
            watch.Restart();
            float[] gradient = comm.Rank == 0 ? new float[rows * columns] : [];
            comm.GatherRows(own, columns, counts, gradient, root: 0);
            _gradientGather = watch.Elapsed.TotalSeconds;
            if (comm.Rank == 0)
            {
                _bytesReceived += (long)(rows - count) * columns * sizeof(float);
            }

            return (result.Value, result.KappaGradient, gradient);
        }

        /// <summary>Rank 0 prints one JSON line on stderr with every rank's timings (a collective: all ranks call it).</summary>
        internal void WriteProfile(int rows, int columns)
        {
            double[] all = comm.AllGather([Distribute, _pass1, _statesGather, _pass2, _gradientGather, _bytesReceived]);
            if (comm.Rank != 0)
            {
                return;
            }

            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writer.WriteNumber("ranks", comm.Size);
                writer.WriteNumber("rows", rows);
                writer.WriteNumber("columns", columns);
                string[] names = ["distribute_s", "pass1_s", "states_gather_s", "pass2_s", "gradient_gather_s", "bytes_received"];
                for (int f = 0; f < names.Length; f++)
                {
                    writer.WriteStartArray(names[f]);
                    for (int r = 0; r < comm.Size; r++)
                    {
                        writer.WriteNumberValue(all[(r * names.Length) + f]);
                    }

                    writer.WriteEndArray();
                }

                writer.WriteEndObject();
            }

            stderr.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
        }
    }
}
