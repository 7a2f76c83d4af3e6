using System.Globalization;
using System.IO;
using System.Linq;
using System.Xml.Linq;

namespace ER.Managed.Tests.Cli;

public sealed class EstimatorsCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("er-study-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private (string Csv, string Markdown, string[] Svgs) Run(string seed, string subfolder)
    {
        // A file of the user's beside the outputs, named as a naive temporary would be, is left alone.
        string output = Path.Combine(_folder, subfolder);
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "results.csv.tmp"), "the user's");
        (int code, string stdout, string stderr) = CliRunner.Run(
            "estimators", "--data", "uniform,vmf:10,mixture:3:50", "--dims", "3,16", "--batch", "16,64", "--kappa", "10,50",
            "--reps", "3", "--seed", seed, "--bounds", "--out", output);
        Assert.True(code == 0, stderr);
        Assert.Contains("[12/12]", stderr, StringComparison.Ordinal);
        string[] written = ["results.csv", "summary.md", "bias_uniform.svg", "rmse_uniform.svg", "bias_vmf-10.svg", "rmse_vmf-10.svg", "bias_mixture-3-50.svg", "rmse_mixture-3-50.svg"];
        Assert.Equal(written.Select(name => Path.Combine(output, name)), stdout.TrimEnd('\n').Split('\n'));
        Assert.Equal(
            written.Append("results.csv.tmp").Order(StringComparer.Ordinal),
            Directory.GetFileSystemEntries(output).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal("the user's", File.ReadAllText(Path.Combine(output, "results.csv.tmp")));
        return (
            File.ReadAllText(Path.Combine(output, "results.csv")),
            File.ReadAllText(Path.Combine(output, "summary.md")),
            Directory.GetFiles(output, "*.svg").OrderBy(f => f, StringComparer.Ordinal).Select(File.ReadAllText).ToArray());
    }

    [Fact]
    public void Study_writes_parseable_csv_markdown_and_svg_deterministically_by_seed()
    {
        (string csv, string markdown, string[] svgs) = Run("7", "a");
        string[] lines = csv.TrimEnd('\n').Split('\n');
        string[] header = lines[0].Split(',');
        Assert.Equal(["data", "dim", "batch", "kappa", "estimator", "truth", "truth_se", "mean", "std", "bias", "rmse", "ci95_low", "ci95_high", "time_ms", "reps", "selected_kappa", "mixture_lower", "mixture_upper", "floor", "ceiling"], header);

        // 3 data x 2 dims x 2 batches x (3 kernel estimators x 2 kappas + knn-1, knn-4, joe-cv, joe-loo-cv).
        Assert.Equal(120, lines.Length - 1);
        foreach (string line in lines.Skip(1))
        {
            string[] f = line.Split(',');
            Assert.Equal(header.Length, f.Length);
            double Num(string name) => double.Parse(f[Array.IndexOf(header, name)], CultureInfo.InvariantCulture);
            string Text(string name) => f[Array.IndexOf(header, name)];
            Assert.True(double.IsFinite(Num("mean")) && Num("std") >= 0 && Num("time_ms") >= 0);
            Assert.Equal(Num("mean") - Num("truth"), Num("bias"), 9);
            Assert.True(Num("rmse") >= Math.Abs(Num("bias")) - 1e-12);
            Assert.True(Num("ci95_low") <= Num("mean") && Num("mean") <= Num("ci95_high"));
            Assert.Equal(Num("mean"), 0.5 * (Num("ci95_low") + Num("ci95_high")), 9);

            // Mixtures' truth is a Monte Carlo estimate with its standard error; the others are exact.
            Assert.True(f[0] == "mixture:3:50" ? Num("truth_se") is > 0 and < 0.05 : Num("truth_se") == 0, line);

            string estimator = Text("estimator");
            bool kernel = estimator is "plugin" or "joe" or "joe-loo";
            Assert.Equal(kernel, Text("kappa").Length > 0);
            Assert.Equal(estimator is "joe-cv" or "joe-loo-cv", Text("selected_kappa").Length > 0);
            if (kernel)
            {
                Assert.True(Num("mixture_lower") <= Num("mixture_upper") + 1e-6);
                if (estimator != "joe-loo")
                {
                    Assert.True(Num("mean") <= Num("ceiling") + 1e-4, line);
                }
            }
            else
            {
                Assert.Equal(string.Empty, Text("ceiling"));
            }
        }

        Assert.Contains("| d | k | truth | ceiling (kappa 10) | ceiling (kappa 50) |", markdown, StringComparison.Ordinal);
        Assert.Contains("± ", markdown, StringComparison.Ordinal);

        // What the ceiling bounds, said of the estimators it bounds (the rows above check it), and one
        // name for the leave-one-out estimator in the CSV, the Markdown and the help.
        Assert.Contains("bounds the plug-in and Joe's estimators", markdown, StringComparison.Ordinal);
        Assert.Contains("`joe-loo` leaves that pair out", markdown, StringComparison.Ordinal);
        Assert.Contains("joe-loo", CliRunner.Run("estimators", "--help").Stdout, StringComparison.Ordinal);

        // A bias and an RMSE plot per data set, a panel per dimension, a line per series (10).
        Assert.Equal(6, svgs.Length);
        foreach (string svg in svgs)
        {
            XDocument document = XDocument.Parse(svg);
            XNamespace ns = "http://www.w3.org/2000/svg";
            Assert.Equal(ns + "svg", document.Root!.Name);
            Assert.Equal(2, document.Descendants(ns + "g").Count(g => (string?)g.Attribute("class") == "panel"));
            Assert.Equal(20, document.Descendants(ns + "polyline").Count(p => (string?)p.Attribute("class") == "estimator"));

            // Every series looks different from every other (colour, dash), the value axis has
            // round ticks, and a bias plot has its zero line in each panel.
            var looks = document.Descendants(ns + "polyline").Where(p => (string?)p.Attribute("class") == "estimator")
                .GroupBy(p => (string?)p.Attribute("data-estimator"))
                .Select(g => ((string?)g.First().Attribute("stroke"), (string?)g.First().Attribute("stroke-dasharray")))
                .ToArray();
            Assert.Equal(10, looks.Length);
            Assert.Equal(looks.Length, looks.Distinct().Count());
            double[] ticks = [.. document.Descendants(ns + "text").Where(t => (string?)t.Attribute("class") == "tick").Select(t => double.Parse(t.Value, CultureInfo.InvariantCulture))];
            Assert.NotEmpty(ticks);
            Assert.All(ticks, t => Assert.True(IsRound(t), $"tick {t} is not a multiple of 1, 2 or 5 times a power of ten"));
            bool bias = svg.Contains("bias (nats)", StringComparison.Ordinal);
            Assert.Equal(bias ? 2 : 0, document.Descendants(ns + "line").Count(l => (string?)l.Attribute("class") == "zero"));
        }

        // Same seed, same numbers (the time column aside); another seed, other numbers.
        static string WithoutTimes(string text) => string.Join('\n', text.Split('\n').Select(l => string.Join(',', l.Split(',').Where((_, i) => i != 13))));
        Assert.Equal(WithoutTimes(csv), WithoutTimes(Run("7", "b").Csv));
        Assert.NotEqual(WithoutTimes(csv), WithoutTimes(Run("8", "c").Csv));
    }

    [Fact]
    public void A_batch_with_duplicate_rows_records_the_kNN_divergence_and_the_study_goes_on()
    {
        // A vMF at kappa0 1e16 in d = 3 puts its float32 samples on a patch about an ulp wide:
        // rows repeat, and the kNN estimate of such a batch is -infinity (the library throws).
        string output = Path.Combine(_folder, "dup");
        (int code, string stdout, string stderr) = CliRunner.Run(
            "estimators", "--data", "vmf:1e16,uniform", "--dims", "3", "--batch", "256", "--kappa", "10", "--reps", "2", "--out", output);
        Assert.True(code == 0, stderr);
        Assert.Equal(2 + 4, stdout.Trim().Split('\n').Length);
        string[] lines = File.ReadAllText(Path.Combine(output, "results.csv")).TrimEnd('\n').Split('\n');
        string[] header = lines[0].Split(',');
        string Field(string line, string name) => line.Split(',')[Array.IndexOf(header, name)];
        foreach (string line in lines.Skip(1))
        {
            bool diverges = line.StartsWith("vmf:1e16,", StringComparison.Ordinal) && Field(line, "estimator").StartsWith("knn-", StringComparison.Ordinal);
            if (diverges)
            {
                Assert.Equal(["-Infinity", "-Infinity", "Infinity", string.Empty, string.Empty], [Field(line, "mean"), Field(line, "bias"), Field(line, "rmse"), Field(line, "std"), Field(line, "ci95_low")]);
            }
            else
            {
                Assert.True(double.IsFinite(double.Parse(Field(line, "mean"), CultureInfo.InvariantCulture)), line);
            }
        }

        Assert.Contains("where the kNN estimator diverges", File.ReadAllText(Path.Combine(output, "summary.md")), StringComparison.Ordinal);
        Assert.DoesNotContain("Infinity", File.ReadAllText(Path.Combine(output, "bias_vmf-1e16.svg")), StringComparison.Ordinal);
    }

    [Fact]
    public void On_the_circle_S0_the_cross_validated_estimators_run_and_what_does_not_apply_reads_n_a()
    {
        // d = 1: kNN has no caps to measure; the leave-one-out kappa search takes d = 1 (joe-cv was
        // left empty). k = 1: nothing leaves one out. The summary printed "NaN (NaN)" for both.
        string output = Path.Combine(_folder, "s0");
        (int code, _, string stderr) = CliRunner.Run("estimators", "--data", "uniform", "--dims", "1", "--batch", "1,64", "--reps", "2", "--out", output);
        Assert.True(code == 0, stderr);
        string[] lines = File.ReadAllText(Path.Combine(output, "results.csv")).TrimEnd('\n').Split('\n');
        string[] header = lines[0].Split(',');
        string Cell(string batch, string estimator, string name) =>
            lines.Skip(1).Select(l => l.Split(',')).Single(f => f[2] == batch && f[4] == estimator)[Array.IndexOf(header, name)];
        foreach (string estimator in new[] { "joe-cv", "joe-loo-cv" })
        {
            // Uniform samples on {-1, +1}: the likelihood peaks at kappa = 0 or near it, and the estimate is near log 2.
            Assert.Equal(Math.Log(2), double.Parse(Cell("64", estimator, "mean"), CultureInfo.InvariantCulture), 0.05);
            Assert.Equal(string.Empty, Cell("1", estimator, "mean"));
        }

        Assert.Equal(string.Empty, Cell("64", "knn-1", "mean"));
        string markdown = File.ReadAllText(Path.Combine(output, "summary.md"));
        Assert.DoesNotContain("NaN", markdown, StringComparison.Ordinal);
        Assert.Contains("| n/a |", markdown, StringComparison.Ordinal);
        Assert.Contains("`n/a`: the estimator does not apply there", markdown, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1", "plugin,joe")]
    [InlineData("2", "plugin,joe,joe-loo,knn-1,joe-cv,joe-loo-cv")]
    [InlineData("4", "plugin,joe,joe-loo,knn-1,joe-cv,joe-loo-cv")]
    [InlineData("5", "plugin,joe,joe-loo,knn-1,knn-4,joe-cv,joe-loo-cv")]
    public void On_the_circle_S1_each_estimator_runs_from_the_smallest_batch_it_applies_to(string batch, string applying)
    {
        // d = 2 is the smallest dimension kNN takes; leave-one-out needs 2 rows, kNN with m
        // neighbours more than m. Every other cell of the batch is empty.
        string output = Path.Combine(_folder, "s1-" + batch);
        (int code, _, string stderr) = CliRunner.Run("estimators", "--data", "uniform", "--dims", "2", "--batch", batch, "--reps", "1", "--out", output);
        Assert.True(code == 0, stderr);
        string[] lines = File.ReadAllText(Path.Combine(output, "results.csv")).TrimEnd('\n').Split('\n');
        int estimator = Array.IndexOf(lines[0].Split(','), "estimator"), mean = Array.IndexOf(lines[0].Split(','), "mean");
        string[] applies = applying.Split(',');
        Assert.Equal(7, lines.Length - 1);
        foreach (string[] cells in lines.Skip(1).Select(l => l.Split(',')))
        {
            if (applies.Contains(cells[estimator]))
            {
                Assert.True(double.IsFinite(double.Parse(cells[mean], CultureInfo.InvariantCulture)), $"k = {batch}, {cells[estimator]}: '{cells[mean]}'");
            }
            else
            {
                Assert.True(cells[mean].Length == 0, $"k = {batch}, {cells[estimator]}: '{cells[mean]}'");
            }
        }
    }

    [Fact]
    public void An_output_folder_that_cannot_be_made_or_written_is_an_input_error_naming_it()
    {
        // Under a regular file no folder can be made: refused before the study runs.
        string file = Path.Combine(_folder, "plain");
        File.WriteAllText(file, "x");
        string under = Path.Combine(file, "study");
        (int code, string stdout, string stderr) = CliRunner.Run("estimators", "--data", "uniform", "--dims", "3", "--batch", "8", "--reps", "1", "--out", under);
        Assert.Equal(1, code);
        Assert.Equal(string.Empty, stdout);
        Assert.StartsWith($"er: {under}: cannot create the output folder (", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Trim().Split('\n'));

        // A folder where results.csv should go is refused before the study runs (no progress lines),
        // with a message naming that path, and nothing is written beside it.
        string output = Path.Combine(_folder, "taken");
        Directory.CreateDirectory(Path.Combine(output, "results.csv"));
        (code, stdout, stderr) = CliRunner.Run("estimators", "--data", "uniform", "--dims", "3", "--batch", "8", "--reps", "1", "--out", output);
        Assert.Equal(1, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Equal($"er: {Path.Combine(output, "results.csv")}: is a directory; results.csv needs a file.", stderr.TrimEnd('\n'));
        Assert.True(Directory.Exists(Path.Combine(output, "results.csv")));
        Assert.Equal([Path.Combine(output, "results.csv")], Directory.GetFileSystemEntries(output));
    }

    [Theory]
    [InlineData(1, new[] { 0, 1, 2, 3 }, false)]
    [InlineData(1, new[] { 0, 1, 2, 1 }, true)]
    [InlineData(2, new[] { 0, 1, 2, 1 }, false)]
    [InlineData(2, new[] { 1, 0, 1, 2, 1 }, true)]
    [InlineData(4, new[] { 3, 3, 3, 3, 0 }, false)]
    [InlineData(4, new[] { 3, 3, 3, 3, 3 }, true)]
    public void Rows_with_m_copies_are_found_whatever_their_order(int m, int[] rowIds, bool expected)
    {
        // Row id r is (r, 0.5, -0 or +0): -0 and +0 are equal, as for the estimator's distances.
        const int d = 3;
        float[] z = [.. rowIds.SelectMany((r, i) => new[] { r, 0.5f, i % 2 == 0 ? -0f : 0f })];
        Assert.Equal(expected, ER.Managed.Cli.Study.StudyRunner.LargestCopyCount(z, rowIds.Length, d) >= m);
    }

    [Theory]
    [InlineData(1, 1, true)]
    [InlineData(1, 0, false)]
    [InlineData(4, 4, true)]
    [InlineData(4, 3, false)]
    [InlineData(4, 1, false)]
    public void The_study_records_kNN_as_minus_infinity_from_exactly_m_copies_of_a_row(int m, int copies, bool diverges)
    {
        // Row 0 and `copies` more rows equal to it: with m copies its m-th neighbour is at distance 0,
        // where the library refuses the estimate, so the study must record -infinity itself; with
        // fewer, the library's finite estimate.
        const int k = 12, d = 3;
        float[] z = TestData.UnitRows(k, d, seed: 21);
        for (int c = 1; c <= copies; c++)
        {
            z.AsSpan(0, d).CopyTo(z.AsSpan(c * 2 * d, d));
        }

        Assert.Equal(copies, ER.Managed.Cli.Study.StudyRunner.LargestCopyCount(z, k, d));
        double got = ER.Managed.Cli.Study.StudyRunner.KnnOrDivergence(z, k, d, m, copies, new ErOptions());
        if (diverges)
        {
            Assert.Equal(double.NegativeInfinity, got);
            Assert.Throws<ArgumentException>(() => Entropy.SphereKnn(z, k, d, m));
        }
        else
        {
            Assert.Equal(Entropy.SphereKnn(z, k, d, m), got);
        }
    }

    [Theory]
    [InlineData(4, 4, 3)]
    [InlineData(1, 1, 2)]
    [InlineData(8, 1, 1)]
    public void The_study_leaves_kNN_out_where_it_does_not_apply(int k, int m, int d)
    {
        // k = m rows leave a row fewer than m neighbours; d = 1 (the circle's S^0) is no kNN dimension.
        float[] z = TestData.UnitRows(k, d, seed: 2);
        Assert.True(double.IsNaN(ER.Managed.Cli.Study.StudyRunner.KnnOrDivergence(z, k, d, m, copies: 0, new ErOptions())));
    }

    [Fact]
    public void The_selected_kappa_is_the_mean_over_the_repetitions()
    {
        // At kappa0 1e16 in d = 3 every float32 sample is the mean direction itself, so each repetition
        // draws the same batch and selects the same kappa: the mean of two equals one repetition's.
        string Selected(int reps)
        {
            string output = Path.Combine(_folder, $"collapsed{reps}");
            (int code, _, string stderr) = CliRunner.Run("estimators", "--data", "vmf:1e16", "--dims", "3", "--batch", "16", "--kappa", "10", "--reps", $"{reps}", "--out", output);
            Assert.True(code == 0, stderr);
            string[] lines = File.ReadAllText(Path.Combine(output, "results.csv")).TrimEnd('\n').Split('\n');
            string[] header = lines[0].Split(',');
            int estimator = Array.IndexOf(header, "estimator"), selected = Array.IndexOf(header, "selected_kappa");
            return lines.Single(l => l.Split(',')[estimator] == "joe-cv").Split(',')[selected];
        }

        string one = Selected(1);
        Assert.True(double.Parse(one, CultureInfo.InvariantCulture) > 0, one);
        Assert.Equal(one, Selected(2));
        Assert.Equal(one, Selected(3));
    }

    /// <summary>A multiple of 1, 2 or 5 times a power of ten (zero included), to 1e-9 of its size.</summary>
    private static bool IsRound(double value)
    {
        if (value == 0)
        {
            return true;
        }

        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(Math.Abs(value))));
        double mantissa = Math.Abs(value) / magnitude;
        return Math.Abs(mantissa - Math.Round(mantissa)) < 1e-9 || Math.Abs((mantissa * 2) - Math.Round(mantissa * 2)) < 1e-9;
    }

    [Theory]
    [InlineData(-0.165, 0.343, 0.1)]
    [InlineData(0.089, 0.343, 0.05)]
    [InlineData(-12.3, 5.1, 5)]
    [InlineData(0, 1e-7, 2e-8)]
    [InlineData(3, 3, 0.1)]
    [InlineData(-1234, -1000, 50)]
    public void Plot_ticks_are_round_steps_covering_the_range(double low, double high, double step)
    {
        double[] ticks = ER.Managed.Cli.Study.StudyReport.NiceTicks(low, high);
        Assert.True(ticks[0] <= low && ticks[^1] >= high, $"[{ticks[0]}, {ticks[^1]}] does not cover [{low}, {high}]");
        Assert.InRange(ticks.Length, 3, 7);
        for (int i = 1; i < ticks.Length; i++)
        {
            Assert.Equal(step, ticks[i] - ticks[i - 1], step * 1e-9);
        }

        // No wasted step at either end (a single value is widened by 10% each way first).
        double margin = high > low ? 0 : Math.Abs(low) * 0.1;
        Assert.True(ticks[0] > low - margin - step - (Math.Abs(low) * 1e-12), "the axis starts more than a step below the data");
        Assert.True(ticks[^1] < high + margin + step + (Math.Abs(high) * 1e-12), "the axis ends more than a step above the data");
    }

    [Theory]
    [InlineData("--data", "gaussian")]
    [InlineData("--data", "vmf:-1")]
    [InlineData("--dims", "3,x")]
    [InlineData("--batch", "0")]
    [InlineData("--kappa", "-1")]
    [InlineData("--kappa", "1e12")]
    [InlineData("--kappa", "1e-300")]
    [InlineData("--kappa", "10,NaN")]
    public void Bad_sweep_specifications_are_usage_errors_that_name_the_option(string option, string value)
    {
        // Refused before any work, as a usage error naming the option (a kernel kappa above
        // Entropy.MaxKappa, or one that rounds to 0 in float32, used to fail inside the first batch).
        (int code, string stdout, string stderr) = CliRunner.Run("estimators", option, value, "--out", Path.Combine(_folder, "x"));
        Assert.Equal(2, code);
        Assert.Equal(string.Empty, stdout);
        Assert.StartsWith($"er: {option}: ", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_folder, "x")));
    }

    [Theory]
    [InlineData("--data: the mixture's number of components must be an integer from 1 to 100000, got '0'", "--data", "mixture:0:10")]
    [InlineData("--data: the mixture's number of components must be an integer from 1 to 100000, got '100001'", "--data", "mixture:100001:10")]
    [InlineData("--batch 64 with --dims 100000000: k x d = 6400000000 values, more than one array holds", "--dims", "100000000", "--batch", "64")]
    [InlineData("--data mixture:3:10 with --dims 200000: ", "--data", "mixture:3:10", "--dims", "200000", "--batch", "2")]
    public void Sweeps_that_no_array_holds_or_that_would_run_for_days_are_refused_before_any_work(string expected, params string[] args)
    {
        // k x d wrapped an int and failed inside the sampler ("destination: Expected 64 x 100000000 =
        // 6400000000 elements, got a span of 2105032704"); 2e8 components ran for days.
        string output = Path.Combine(_folder, "x");
        (int code, string stdout, string stderr) = CliRunner.Run(["estimators", .. args, "--out", output]);
        Assert.Equal(2, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains("er: " + expected, stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void A_kernel_kappa_of_0_and_data_at_kappa0_0_are_the_uniform_limit()
    {
        // At kappa = 0 every kernel estimator is log|S^(d-1)|, which is also the entropy of vmf:0.
        string output = Path.Combine(_folder, "zero");
        (int code, _, string stderr) = CliRunner.Run(
            "estimators", "--data", "vmf:0", "--dims", "3,16", "--batch", "32", "--kappa", "0,10", "--reps", "2", "--out", output);
        Assert.True(code == 0, stderr);
        string[] lines = File.ReadAllText(Path.Combine(output, "results.csv")).TrimEnd('\n').Split('\n');
        string[] header = lines[0].Split(',');
        double Field(string[] f, string name) => double.Parse(f[Array.IndexOf(header, name)], CultureInfo.InvariantCulture);
        string[][] atZero = [.. lines.Skip(1).Select(l => l.Split(',')).Where(f => f[Array.IndexOf(header, "kappa")] == "0")];
        Assert.Equal(2 * 3, atZero.Length);
        foreach (string[] f in atZero)
        {
            // Both sides are the closed form log|S^(d-1)|, summed in double.
            Assert.Equal(0.0, Field(f, "bias"), 1e-12);
            Assert.Equal(Field(f, "truth"), ER.Managed.Estimation.GroundTruth.UniformSphere((int)Field(f, "dim")), 1e-12);
        }
    }
}
