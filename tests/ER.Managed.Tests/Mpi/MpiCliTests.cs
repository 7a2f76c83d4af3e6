using System.IO;
using System.Linq;
using System.Text.Json;
using ER.Managed.Cli;
using ER.Managed.Npy;
using ER.Managed.Tests.Cli;
using ER.Managed.Mpi;
using ER.Managed.Mpi.Mpi;

namespace ER.Managed.Tests.Mpi;

/// <summary>
/// er-mpi's command with ranks as threads (<see cref="ThreadCommunicator"/>): the same JSON and
/// gradient file as <c>er entropy</c>, the same bits for every number of ranks, the per-rank input,
/// and errors reported once, by the rank that met them, with every rank returning er's exit code.
/// (CI also runs the real thing under MPICH and Open MPI: .ci/mpi_check.py.)
/// </summary>
public sealed class MpiCliTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("er-mpi-tests").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string PathOf(string name) => Path.Combine(_folder, name);

    private static (int Code, string Stdout, string Stderr)[] RunRanks(int ranks, params string[] args) =>
        ThreadCommunicator.RunRanks(ranks, comm => Run(comm, args));

    /// <summary>Each rank with its own standard input and output streams (by rank).</summary>
    private static (int Code, string Stdout, string Stderr)[] RunRanks(int ranks, string[] args, Func<int, Stream> standardInput, Func<int, Stream> standardOutput) =>
        ThreadCommunicator.RunRanks(ranks, comm => Run(comm, args, standardInput(comm.Rank), standardOutput(comm.Rank)));

    private static (int Code, string Stdout, string Stderr) Run(ICommunicator comm, string[] args, Stream? standardInput = null, Stream? standardOutput = null)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int code = MpiCli.Run(args, comm, stdout, stderr, standardInput, standardOutput);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private string WriteRows(string name, float[] data, int rows, int columns)
    {
        string path = PathOf(name);
        using FileStream stream = File.Create(path);
        NpyFile.Write(stream, data, [rows, columns]);
        return path;
    }

    [Theory]
    [InlineData("plugin", "sphere")]
    [InlineData("joe", "sphere")]
    [InlineData("joe-loo", "sphere")]
    [InlineData("plugin", "discrete")]
    public void Every_rank_count_prints_what_er_entropy_prints_and_writes_its_gradient(string estimator, string support)
    {
        const int k = 301, d = 9;
        bool sphere = support == "sphere";
        float[] data = sphere ? TestData.UnitRows(k, d, seed: 31) : TestData.ProbabilityRows(k, d, seed: 31);
        string z = WriteRows("z.npy", data, k, d);
        string[] options = sphere ? ["--estimator", estimator, "--kappa", "20"] : ["--support", "discrete"];
        (int code, string stdout, string stderr) = CliRunner.Run(["entropy", z, "--json", "--grad", PathOf("ref.npy"), "--grad-dtype", "f8", .. options]);
        Assert.True(code == 0, stderr);
        using JsonDocument want = JsonDocument.Parse(stdout);
        double[] wantGradient = NpyFile.Read(PathOf("ref.npy")).ToDoubleArray();
        double scale = wantGradient.Max(Math.Abs);

        string? firstOutput = null;
        byte[]? firstGradient = null;
        foreach (int ranks in new[] { 1, 2, 3, 4 })
        {
            var results = RunRanks(ranks, ["entropy", z, "--json", "--grad", PathOf("g.npy"), "--grad-dtype", "f8", .. options]);
            Assert.All(results, r => Assert.Equal(0, r.Code));
            Assert.All(results.Skip(1), r => Assert.Equal(string.Empty, r.Stdout));
            using JsonDocument got = JsonDocument.Parse(results[0].Stdout);

            // The sharded tolerances: value and dH/dkappa 1e-6 relative, gradient 1e-5 of its largest entry
            // (only the float32 summation order of each row sum differs, see SphereEntropyShards).
            foreach (JsonProperty p in want.RootElement.EnumerateObject())
            {
                double w = p.Value.GetDouble(), g = got.RootElement.GetProperty(p.Name).GetDouble();
                Assert.True(Math.Abs(g - w) <= 1e-6 * Math.Max(1, Math.Abs(w)), $"{p.Name}: {g:R} vs {w:R} ({ranks} ranks)");
            }

            double[] gradient = NpyFile.Read(PathOf("g.npy")).ToDoubleArray();
            Assert.Equal(wantGradient.Length, gradient.Length);
            Assert.True(gradient.Zip(wantGradient, (a, b) => Math.Abs(a - b)).Max() <= 1e-5 * scale, $"{ranks} ranks");

            // And the same bits for every rank count.
            firstOutput ??= results[0].Stdout;
            firstGradient ??= File.ReadAllBytes(PathOf("g.npy"));
            Assert.Equal(firstOutput, results[0].Stdout);
            Assert.Equal(firstGradient, File.ReadAllBytes(PathOf("g.npy")));
        }
    }

    [Fact]
    public void Rows_per_rank_input_reads_each_ranks_own_file_and_gives_the_whole_batchs_entropy()
    {
        const int d = 5;
        int[] sizes = [40, 1, 77];
        float[] data = TestData.UnitRows(sizes.Sum(), d, seed: 8);
        WriteRows("all.npy", data, sizes.Sum(), d);
        for (int r = 0, start = 0; r < sizes.Length; start += sizes[r], r++)
        {
            WriteRows($"part.{r}.npy", data[(start * d)..((start + sizes[r]) * d)], sizes[r], d);
        }

        (int code, string stdout, _) = CliRunner.Run("entropy", PathOf("all.npy"));
        Assert.Equal(0, code);
        var results = RunRanks(3, "entropy", PathOf("part.npy"), "--rows-per-rank-input");
        Assert.All(results, r => Assert.Equal(0, r.Code));
        double want = double.Parse(stdout.Split(' ')[2], System.Globalization.CultureInfo.InvariantCulture);
        double got = double.Parse(results[0].Stdout.Split(' ')[2], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(Math.Abs(got - want) <= 1e-6 * Math.Abs(want), $"{got:R} vs {want:R}");
        Assert.Contains("k = 118, d = 5", results[0].Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Normalize_takes_float64_rank_files_of_any_scale_as_er_does_and_notes_it_as_er_mpi()
    {
        // Rows of 1e-300 read as zero rows when float64 was rounded before --normalize.
        const int d = 5;
        int[] sizes = [30, 21];
        double[] data = TestData.UnitRows(sizes.Sum(), d, seed: 9).Select(v => v * 1e-300).ToArray();
        for (int r = 0, start = 0; r < sizes.Length; start += sizes[r], r++)
        {
            NpyFile.Write(PathOf($"tiny.{r}.npy"), data.AsSpan(start * d, sizes[r] * d), [sizes[r], d]);
        }

        NpyFile.Write(PathOf("tiny.npy"), data, [sizes.Sum(), d]);
        (int code, string stdout, string stderr) = CliRunner.Run("entropy", PathOf("tiny.npy"), "--normalize", "--json");
        Assert.True(code == 0, stderr);
        var results = RunRanks(2, "entropy", PathOf("tiny.npy"), "--rows-per-rank-input", "--normalize", "--json");
        Assert.All(results, r => Assert.True(r.Code == 0, r.Stderr));

        // The same float32 unit rows (each normalized in float64 and rounded alike), the same value.
        Assert.Equal(stdout, results[0].Stdout);
        Assert.StartsWith("er-mpi: note: ", results[0].Stderr, StringComparison.Ordinal);
        Assert.Contains("normalized in float64", results[0].Stderr, StringComparison.Ordinal);

        // Rank 1 normalized its own file too, but notes are rank 0's alone.
        Assert.Equal(string.Empty, results[1].Stderr);
    }

    [Fact]
    public void A_rank_whose_file_is_missing_says_so_and_every_rank_exits_1()
    {
        WriteRows("part.0.npy", TestData.UnitRows(4, 3, seed: 1), 4, 3);
        WriteRows("part.2.npy", TestData.UnitRows(4, 3, seed: 2), 4, 3);
        var results = RunRanks(3, "entropy", PathOf("part.npy"), "--rows-per-rank-input");
        Assert.All(results, r => Assert.Equal(1, r.Code));
        Assert.Equal(string.Empty, results[0].Stderr);
        Assert.Equal($"er-mpi: {PathOf("part.1.npy")}: no such file.", results[1].Stderr.Trim());
        Assert.Equal(string.Empty, results[2].Stderr);
    }

    [Fact]
    public void Files_of_different_widths_are_an_input_error_said_once()
    {
        WriteRows("part.0.npy", TestData.UnitRows(4, 3, seed: 1), 4, 3);
        WriteRows("part.1.npy", TestData.UnitRows(4, 2, seed: 2), 4, 2);
        var results = RunRanks(2, "entropy", PathOf("part.npy"), "--rows-per-rank-input");
        Assert.All(results, r => Assert.Equal(1, r.Code));
        Assert.Contains("part.1.npy has 2 columns but", results[0].Stderr, StringComparison.Ordinal);
        Assert.Equal(string.Empty, results[1].Stderr);
    }

    [Fact]
    public void A_width_mismatch_names_the_rank_file_that_differs_and_rank_0s()
    {
        WriteRows("part.0.npy", TestData.UnitRows(4, 3, seed: 1), 4, 3);
        WriteRows("part.1.npy", TestData.UnitRows(5, 3, seed: 2), 5, 3);
        WriteRows("part.2.npy", TestData.UnitRows(4, 2, seed: 3), 4, 2);
        var results = RunRanks(3, "entropy", PathOf("part.npy"), "--rows-per-rank-input");
        Assert.All(results, r => Assert.Equal(1, r.Code));
        Assert.Equal($"er-mpi: {PathOf("part.2.npy")} has 2 columns but {PathOf("part.0.npy")} has 3; every rank's rows must have the same dimension.", results[0].Stderr.Trim());
        Assert.All(results.Skip(1), r => Assert.Equal(string.Empty, r.Stderr));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(128)]
    [InlineData(1)]
    public void The_batch_may_fill_one_array_and_not_one_element_more(int columns)
    {
        // Array.MaxLength, not int.MaxValue, is the most a float[] holds: checked before the rows are gathered.
        long most = Array.MaxLength / columns;
        Assert.Equal((int)most, MpiEntropyCommand.BatchRows(most, columns));
        var e = Assert.Throws<CliInputException>(() => MpiEntropyCommand.BatchRows(most + 1, columns));
        Assert.Equal($"the ranks' files hold {most + 1} rows of {columns} in all, more than one array of this program can hold ({Array.MaxLength} elements).", e.Message);
        Assert.Equal(5, MpiEntropyCommand.BatchRows(5, 0));
    }

    [Theory]
    [InlineData(2, "--estimator knn runs on one machine with er entropy", "entropy", "Z.npy", "--estimator", "knn")]
    [InlineData(2, "--rows-per-rank-input reads one file per rank", "entropy", "-", "--rows-per-rank-input")]
    [InlineData(2, "--kappa", "entropy", "Z.npy", "--kappa", "-1")]
    [InlineData(2, "Unrecognized command or argument 'frobnicate'", "frobnicate")]
    public void Usage_errors_are_said_once_by_rank_0_and_every_rank_exits_2(int code, string text, params string[] args)
    {
        var results = RunRanks(3, args);
        Assert.All(results, r => Assert.Equal(code, r.Code));
        Assert.Contains(text, results[0].Stderr, StringComparison.Ordinal);
        Assert.Single(results[0].Stderr.Trim().Split('\n'));
        Assert.All(results.Skip(1), r => Assert.Equal(string.Empty, r.Stderr));
    }

    [Fact]
    public void A_gradient_file_that_is_the_input_is_a_usage_error_said_once_and_the_input_is_kept()
    {
        // Rank 0 alone plans the outputs; every rank still stops with exit 2, none waits in a collective.
        string z = WriteRows("z.npy", TestData.UnitRows(10, 3, seed: 5), 10, 3);
        byte[] before = File.ReadAllBytes(z);
        var results = RunRanks(3, "entropy", z, "--grad", z);
        Assert.All(results, r => Assert.Equal(2, r.Code));
        Assert.Equal($"er-mpi: --grad {z} is the input file {z}; writing it would destroy the input, choose another output. (see 'er-mpi entropy --help')", results[0].Stderr.TrimEnd('\n'));
        Assert.All(results.Skip(1), r => Assert.Equal(string.Empty, r.Stderr));
        Assert.Equal(before, File.ReadAllBytes(z));
    }

    [Fact]
    public void Rows_that_are_not_unit_norm_are_an_input_error_naming_the_file()
    {
        string w = WriteRows("w.npy", TestData.ProbabilityRows(6, 4, seed: 3), 6, 4);
        var results = RunRanks(2, "entropy", w);
        Assert.All(results, r => Assert.Equal(1, r.Code));
        Assert.StartsWith($"er-mpi: {w}: Row 0 has norm", results[0].Stderr, StringComparison.Ordinal);
        Assert.Contains("Pass --normalize", results[0].Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_lists_the_options_of_er_entropy_that_er_mpi_takes()
    {
        var results = RunRanks(1, "help", "entropy");
        Assert.Equal(0, results[0].Code);
        foreach (string option in new[] { "--support", "--estimator", "--reduction", "--kappa", "--normalizer", "--json", "--grad", "--grad-dtype", "--normalize", "--rows-per-rank-input", "--profile" })
        {
            Assert.Contains(option, results[0].Stdout, StringComparison.Ordinal);
        }

        Assert.All(results[0].Stdout.Split('\n'), line => Assert.True(line.TrimEnd('\r').Length <= 80, line));
    }

    [Fact]
    public void Profile_prints_every_ranks_timings_as_one_JSON_line()
    {
        string z = WriteRows("z.npy", TestData.UnitRows(50, 4, seed: 9), 50, 4);
        var results = RunRanks(2, "entropy", z, "--grad", PathOf("g.npy"), "--profile");
        Assert.All(results, r => Assert.Equal(0, r.Code));
        using JsonDocument profile = JsonDocument.Parse(results[0].Stderr);
        Assert.Equal(2, profile.RootElement.GetProperty("ranks").GetInt32());
        Assert.Equal(2, profile.RootElement.GetProperty("pass1_s").GetArrayLength());
        Assert.All(profile.RootElement.GetProperty("pass2_s").EnumerateArray(), t => Assert.True(t.GetDouble() >= 0));

        // Rank 1 received rank 0's 25 states (2 doubles each) and no gradient rows; rank 0 rank 1's 25
        // states and its 25 gradient rows (4 floats each).
        Assert.Equal(25 * 2 * 8, profile.RootElement.GetProperty("bytes_received")[1].GetDouble());
        Assert.Equal((25 * 2 * 8) + (25 * 4 * 4), profile.RootElement.GetProperty("bytes_received")[0].GetDouble());
    }

    [Fact]
    public void Profile_counts_the_bytes_each_of_three_uneven_ranks_received()
    {
        // 40 + 1 + 77 rows of 5: each rank receives the others' states (16 bytes a row); rank 0
        // alone the others' gradient rows (20 bytes a row).
        const int d = 5;
        int[] sizes = [40, 1, 77];
        float[] data = TestData.UnitRows(sizes.Sum(), d, seed: 8);
        for (int r = 0, start = 0; r < sizes.Length; start += sizes[r], r++)
        {
            WriteRows($"part.{r}.npy", data[(start * d)..((start + sizes[r]) * d)], sizes[r], d);
        }

        foreach (bool gradient in new[] { true, false })
        {
            string[] args = ["entropy", PathOf("part.npy"), "--rows-per-rank-input", "--profile", .. gradient ? new[] { "--grad", PathOf("g.npy") } : []];
            var results = RunRanks(3, args);
            Assert.All(results, r => Assert.True(r.Code == 0, r.Stderr));
            using JsonDocument profile = JsonDocument.Parse(results[0].Stderr);
            double[] received = profile.RootElement.GetProperty("bytes_received").EnumerateArray().Select(b => b.GetDouble()).ToArray();
            Assert.Equal([(78 * 16) + (gradient ? 78 * 20 : 0), 117 * 16, 41 * 16], received);
            Assert.Equal(118, profile.RootElement.GetProperty("rows").GetInt32());
            Assert.Equal(d, profile.RootElement.GetProperty("columns").GetInt32());

            // Without a gradient there is no pass 2; the profile is rank 0's line alone.
            Assert.Equal(gradient, profile.RootElement.GetProperty("pass2_s").EnumerateArray().Any(t => t.GetDouble() > 0));
            Assert.All(results.Skip(1), r => Assert.Equal(string.Empty, r.Stderr));
        }
    }

    [Fact]
    public void Standard_input_is_read_by_rank_0_alone_and_broadcast()
    {
        const int k = 45, d = 6;
        string z = WriteRows("z.npy", TestData.UnitRows(k, d, seed: 14), k, d);
        (int code, string report, string stderr) = CliRunner.Run("entropy", z, "--json");
        Assert.True(code == 0, stderr);
        var results = RunRanks(3, ["entropy", "-", "--json"], rank => new MemoryStream(rank == 0 ? File.ReadAllBytes(z) : []), _ => Stream.Null);
        Assert.All(results, r => Assert.True(r.Code == 0, r.Stderr));
        Assert.Equal(report, results[0].Stdout);
    }

    [Fact]
    public void A_gradient_to_standard_output_comes_from_rank_0_alone_with_the_result_on_its_stderr()
    {
        const int k = 60, d = 4;
        string z = WriteRows("z.npy", TestData.UnitRows(k, d, seed: 12), k, d);
        (int code, string report, string stderr) = CliRunner.Run("entropy", z, "--grad", PathOf("ref.npy"));
        Assert.True(code == 0, stderr);
        var outputs = new MemoryStream[] { new(), new() };
        var results = RunRanks(2, ["entropy", z, "--grad", "-"], _ => Stream.Null, rank => outputs[rank]);
        Assert.All(results, r => Assert.True(r.Code == 0, r.Stderr));
        Assert.Equal(File.ReadAllBytes(PathOf("ref.npy")), outputs[0].ToArray());
        Assert.Empty(outputs[1].ToArray());
        Assert.All(results, r => Assert.Equal(string.Empty, r.Stdout));
        Assert.Equal(report, results[0].Stderr);
        Assert.Equal(string.Empty, results[1].Stderr);
    }

    [Theory]
    [InlineData(null, null, 16, 16)]
    [InlineData("4", null, 16, 4)]
    [InlineData(null, "2", 16, 8)]
    [InlineData("4", "2", 16, 4)]
    [InlineData("3", null, 16, 5)]
    [InlineData("3", null, 2, 1)]
    [InlineData("0", "2", 16, 16)]
    [InlineData("-2", null, 16, 16)]
    [InlineData(" 4", null, 16, 16)]
    [InlineData("four", null, 16, 16)]
    [InlineData("", null, 16, 16)]
    public void Threads_per_rank_share_the_cores_among_the_ranks_the_launcher_put_here(string? mpich, string? openMpi, int processors, int expected)
    {
        // MPICH's count wins over Open MPI's; a value that is not a positive whole number counts as one
        // rank (an empty MPICH value does not fall back to Open MPI's: it is set, and unusable).
        string? Variable(string name) => name switch
        {
            "MPI_LOCALNRANKS" => mpich,
            "OMPI_COMM_WORLD_LOCAL_SIZE" => openMpi,
            _ => throw new ArgumentException($"unexpected variable {name}", nameof(name)),
        };
        Assert.Equal(expected, MpiEntropyCommand.ThreadsPerRank(Variable, processors));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(true, "help")]
    [InlineData(true, "help", "entropy")]
    [InlineData(true, "entropy", "--help")]
    [InlineData(true, "entropy", "z.npy", "-h")]
    [InlineData(true, "-?")]
    [InlineData(false, "entropy", "z.npy")]
    [InlineData(false, "entropy", "help.npy")]
    [InlineData(false, "entropy", "z.npy", "--helpful")]
    public void Only_a_request_for_help_runs_without_an_MPI_library(bool help, params string[] args) =>
        Assert.Equal(help, MpiCli.AsksForHelp(args));

    [Theory]
    [InlineData("Z.npy", 3, "Z.3.npy")]
    [InlineData("/data/batch.NPY", 0, "/data/batch.0.NPY")]
    [InlineData("rows", 12, "rows.12.npy")]
    public void Rank_files_put_the_rank_before_the_extension(string path, int rank, string expected) =>
        Assert.Equal(expected, MpiEntropyCommand.RankPath(path, rank));

    [Fact]
    public void Out_of_memory_on_a_single_rank_is_er_s_one_line_error_without_ending_a_job()
    {
        string z = WriteRows("z.npy", TestData.UnitRows(20, 3, seed: 4), 20, 3);
        var comm = new FaultyCommunicator(1, FaultyCommunicator.OutOfMemory());
        (int code, _, string stderr) = Run(comm, ["entropy", z]);
        Assert.Equal(1, code);
        Assert.StartsWith("er-mpi: out of memory: the input and the work on it need more memory", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.Null(comm.AbortCode);
    }

    [Theory]
    [InlineData(true, 3)]
    [InlineData(false, 3)]
    [InlineData(false, 1)]
    public void A_failure_the_other_ranks_cannot_learn_of_ends_the_job_with_a_line_naming_the_rank(bool outOfMemory, int ranks)
    {
        // Out of memory in a job of several ranks, or an MPI call that fails (in a job of one rank too):
        // the others would wait in the next collective forever, so the rank says what happened and
        // aborts the job with exit code 1.
        string z = WriteRows("z.npy", TestData.UnitRows(20, 3, seed: 4), 20, 3);
        Exception fault = outOfMemory ? FaultyCommunicator.OutOfMemory() : new MpiException("MPI_Allgatherv failed with MPI error code 15.");
        var comm = new FaultyCommunicator(ranks, fault);
        (int code, string stdout, string stderr) = Run(comm, ["entropy", z]);
        Assert.Equal(1, code);
        string expected = outOfMemory ? "Insufficient memory to continue the execution of the program." : "MPI_Allgatherv failed with MPI error code 15.";
        Assert.Equal($"er-mpi: rank 0 of {ranks}: {expected}", stderr.TrimEnd('\n'));
        Assert.Equal(1, comm.AbortCode);
        Assert.Equal(string.Empty, stdout);
    }

    [Fact]
    public void A_library_that_is_not_MPI_loads_and_then_names_the_export_it_lacks()
    {
        // ER_MPI_LIBRARY is taken as given: the C library loads, and the first MPI function looked up
        // says which library lacks it.
        string notMpi = OperatingSystem.IsWindows() ? "kernel32.dll" : OperatingSystem.IsMacOS() ? "libSystem.dylib" : "libc.so.6";
        MpiLibrary library = MpiLibrary.Load(notMpi, openMpiLauncher: true);
        Assert.Equal(notMpi, library.Name);
        Assert.False(library.IsOpenMpi);
        MpiException e = Assert.Throws<MpiException>(() => library.Export("MPI_Init"));
        Assert.Equal($"{notMpi} has no MPI_Init; it is not an MPI library this program can use.", e.Message);
    }

    [Fact]
    public void A_missing_MPI_library_is_a_one_line_error_that_says_what_to_install()
    {
        MpiException chosen = Assert.Throws<MpiException>(() => MpiLibrary.Load("/nonexistent/libmpi.so.12", openMpiLauncher: false));
        Assert.Contains("ER_MPI_LIBRARY=/nonexistent/libmpi.so.12 could not be loaded (no such file", chosen.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', chosen.Message);
    }
}
