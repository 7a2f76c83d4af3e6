using System.Globalization;
using System.Linq;
using ER.Managed.Cli.Study;
using ER.Managed.Estimation;

namespace ER.Managed.Tests.Cli;

/// <summary>
/// The numbers behind <c>er estimators</c>' tables, one function at a time: a mixture's Monte Carlo
/// entropy and its standard error, each row's summary statistics, the seeds of the configurations and
/// the sweep's parsing at its limits. The command's tests check the files; these check the values.
/// </summary>
public sealed class StudyStatisticsTests
{
    private static float[] Means(int components, int d, Func<int, int> axis)
    {
        var means = new float[components * d];
        for (int c = 0; c < components; c++)
        {
            means[(c * d) + axis(c)] = 1f;
        }

        return means;
    }

    [Theory]
    [InlineData(1, 3)]
    [InlineData(5, 3)]
    [InlineData(7, 16)]
    public void A_mixture_at_kappa0_zero_has_the_uniform_entropy_with_no_spread(int components, int d)
    {
        // Every draw's log-density is log C_d(0) - log M + log(M e^0) = -log|S^(d-1)|: the Monte Carlo
        // mean is exact but for rounding (a few ulps of the sum over 20,000 draws) and its spread 0 but
        // for those ulps, about 2e-15 after the division by sqrt(20,000); the bound 1e-13 leaves room
        // and is far below the 5.6e-9 that the one-pass E[x^2] - E[x]^2 gave (cancellation, not spread).
        DataSpec data = DataSpec.Parse($"mixture:{components}:0");
        (double entropy, double standardError) = StudyRunner.MixtureEntropy(data, Means(components, d, c => c % d), d, new SphereSampler(3));
        Assert.Equal(GroundTruth.UniformSphere(d), entropy, 1e-12);
        Assert.InRange(standardError, 0, 1e-13);
    }

    [Fact]
    public void A_mixture_of_identical_components_is_one_vMF_with_its_analytic_standard_error()
    {
        // Four copies of vMF(e1, 5) on S^2 are that vMF: -log p(x) = -log C_3(5) - 5 t with t = e1.x,
        // whose variance is 25 (1/25 - 1/sinh(5)^2). The estimate lies within 4 standard errors of the
        // exact entropy (a 1-in-15,000 miss for a fixed seed that did not); the standard error of
        // 20,000 draws within 3% of the analytic one (the sample sd's own relative spread is about
        // 0.5% at that count).
        const int d = 3;
        const double kappa = 5;
        DataSpec data = DataSpec.Parse("mixture:4:5");
        (double entropy, double standardError) = StudyRunner.MixtureEntropy(data, Means(4, d, _ => 0), d, new SphereSampler(11));
        double analytic = kappa * Math.Sqrt((1 / (kappa * kappa)) - (1 / Math.Pow(Math.Sinh(kappa), 2))) / Math.Sqrt(StudyRunner.MonteCarloSamples);
        Assert.Equal(analytic, standardError, analytic * 0.03);
        Assert.Equal(VonMisesFisher.Entropy(d, kappa), entropy, 4 * analytic);
    }

    [Fact]
    public void A_mixture_of_far_apart_concentrated_components_adds_log_M_to_one_component()
    {
        // Means on four orthogonal axes of S^3 at kappa0 = 400: a draw near one mean sees the others at
        // e^(-400 (1 - 0.15)) or less, so H = H_vMF + log 4 up to that overlap; within 4 standard errors.
        const int d = 4, components = 4;
        const double kappa = 400;
        DataSpec data = DataSpec.Parse($"mixture:{components}:{kappa}");
        (double entropy, double standardError) = StudyRunner.MixtureEntropy(data, Means(components, d, c => c), d, new SphereSampler(5));
        Assert.InRange(standardError, 1e-4, 1e-1);
        Assert.Equal(VonMisesFisher.Entropy(d, kappa) + Math.Log(components), entropy, 4 * standardError);
    }

    [Fact]
    public void A_row_states_mean_sample_sd_bias_rmse_the_95_percent_interval_and_milliseconds_per_repetition()
    {
        double[] values = [1, 2, 3, 6];
        StudyRow row = StudyRunner.Summarize("vmf:10", 3, 64, 10, "joe", 2.5, 0.01, values, seconds: 0.2, selectedKappa: 7,
            lower: 1, upper: 4, floor: -1, ceiling: 5);
        double sd = Math.Sqrt(((2 * 2) + (1 * 1) + (0 * 0) + (3 * 3)) / 3.0);
        Assert.Equal(3.0, row.Mean, 1e-15);
        Assert.Equal(sd, row.Std, 1e-15);
        Assert.Equal(0.5, row.Bias, 1e-15);
        Assert.Equal(Math.Sqrt(((1.5 * 1.5) + (0.5 * 0.5) + (0.5 * 0.5) + (3.5 * 3.5)) / 4), row.Rmse, 1e-15);
        Assert.Equal(3.0 - (1.959963984540054 * sd / 2), row.Ci95Low, 1e-15);
        Assert.Equal(3.0 + (1.959963984540054 * sd / 2), row.Ci95High, 1e-15);
        Assert.Equal(50.0, row.TimeMs, 1e-12);
        Assert.Equal(4, row.Repetitions);
        Assert.Equal((2.5, 0.01, 7.0, 1.0, 4.0, -1.0, 5.0), (row.Truth, row.TruthSe, row.SelectedKappa, row.MixtureLower, row.MixtureUpper, row.Floor, row.Ceiling));
        Assert.Equal("joe (kappa 10)", row.Series);

        // One repetition: no spread, an interval of width 0, the RMSE the absolute error.
        StudyRow one = StudyRunner.Summarize("uniform", 3, 8, double.NaN, "knn-1", 2.5, 0, [2.0], 0.004, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
        Assert.Equal((0.0, 2.0, 2.0, 0.5, 4.0), (one.Std, one.Ci95Low, one.Ci95High, one.Rmse, one.TimeMs));
        Assert.Equal("knn-1", one.Series);
    }

    [Fact]
    public void Configuration_seeds_are_SplitMix64_steps()
    {
        // SplitMix64's published first outputs from state 0: each part adds the golden gamma (xored with
        // the part) to the state and mixes it, so Mix(s, 0) is the output after the state s.
        const ulong gamma = 0x9E3779B97F4A7C15UL;
        Assert.Equal(0xE220A8397B1DCDAFUL, StudyRunner.Mix(0, 0));
        Assert.Equal(0x6E789E6AA1B965F4UL, StudyRunner.Mix(gamma, 0));
        Assert.Equal(0x06C45D188009454FUL, StudyRunner.Mix(unchecked(2 * gamma), 0));
        Assert.Equal(StudyRunner.Mix(StudyRunner.Mix(42, 3), 9), StudyRunner.Mix(42, 3, 9));
        Assert.Equal(42UL, StudyRunner.Mix(42));
    }

    [Theory]
    [InlineData("mixture:1:10", 1, 10.0)]
    [InlineData("mixture:100000:0.5", 100_000, 0.5)]
    [InlineData("vmf:0", 1, 0.0)]
    [InlineData("vmf:1e300", 1, 1e300)]
    public void Data_specifications_at_their_limits_are_taken(string text, int components, double kappa)
    {
        DataSpec data = DataSpec.Parse(text);
        Assert.Equal((text, components, kappa), (data.Name, data.Components, data.Kappa));
    }

    /// <summary>A concentration written -0 is the number 0: +0, so the CSV says 0 (xunit's Equal takes -0 for 0, so the sign is asked for).</summary>
    [Fact]
    public void A_negative_zero_concentration_is_zero()
    {
        Assert.False(double.IsNegative(DataSpec.Parse("vmf:-0").Kappa));
        Assert.False(double.IsNegative(DataSpec.Parse("mixture:2:-0").Kappa));
        Assert.False(double.IsNegative(StudySpec.KernelKappa("-0")));
        Assert.False(double.IsNegative(StudySpec.KernelKappa("-1e-400")));
        Assert.Equal(0.0, StudySpec.KernelKappa("-0"));
    }

    [Theory]
    [InlineData("mixture:0:10")]
    [InlineData("mixture:100001:10")]
    [InlineData("mixture:+3:10")]
    [InlineData("vmf:-1")]
    [InlineData("vmf:Infinity")]
    [InlineData("vmf:NaN")]
    [InlineData("vmf:1e309")]
    [InlineData("mixture:3:-0.5")]
    [InlineData("vmf")]
    [InlineData("uniform:1")]
    public void Data_specifications_past_their_limits_are_refused(string text) =>
        Assert.Throws<FormatException>(() => DataSpec.Parse(text));

    [Theory]
    [InlineData("0", true)]
    [InlineData("1.4e-45", true)]
    [InlineData("1e-46", false)]
    [InlineData("-1e-300", false)]
    [InlineData("NaN", false)]
    public void Kernel_kappas_are_0_or_a_positive_float32_up_to_the_largest_the_estimators_take(string text, bool taken)
    {
        if (taken)
        {
            Assert.Equal(double.Parse(text, CultureInfo.InvariantCulture), StudySpec.KernelKappa(text));
        }
        else
        {
            Assert.Throws<FormatException>(() => StudySpec.KernelKappa(text));
        }

        string largest = Entropy.MaxKappa.ToString("R", CultureInfo.InvariantCulture);
        Assert.Equal(Entropy.MaxKappa, StudySpec.KernelKappa(largest));
        string beyond = Math.BitIncrement(Entropy.MaxKappa).ToString("R", CultureInfo.InvariantCulture);
        Assert.Throws<FormatException>(() => StudySpec.KernelKappa(beyond));
    }

    [Fact]
    public void Lists_take_spaces_around_items_and_skip_empty_ones()
    {
        Assert.Equal([3, 16, 128], StudySpec.ParseList(" 3 , 16,,128 ", StudySpec.PositiveInt, "--dims").ToArray());
        FormatException e = Assert.Throws<FormatException>(() => StudySpec.ParseList(" , ", StudySpec.PositiveInt, "--dims"));
        Assert.Equal("--dims is empty", e.Message);
        e = Assert.Throws<FormatException>(() => StudySpec.ParseList("3,x", StudySpec.PositiveInt, "--dims"));
        Assert.Equal("--dims: expected a positive integer, got 'x'", e.Message);
    }

    [Fact]
    public void A_batch_exactly_one_array_long_is_taken_and_one_more_value_is_refused()
    {
        StudySpec At(int batch, int dimension) =>
            new([DataSpec.Parse("uniform")], [dimension], [batch], [10.0], 1, 1, Bounds: false);
        At(Array.MaxLength, 1).CheckSizes();
        At((Array.MaxLength - 1) / 2, 2).CheckSizes();
        Assert.Throws<FormatException>(() => At(Array.MaxLength / 2 + 1, 2).CheckSizes());
        Assert.Throws<FormatException>(() => At(int.MaxValue, 1).CheckSizes());
    }

    [Fact]
    public void The_summary_table_gives_ceilings_as_biases_and_a_standard_error_only_for_a_Monte_Carlo_truth()
    {
        StudyRow[] rows =
        [
            StudyRunner.Summarize("mixture:2:5", 3, 8, 10, "joe", 2.0, 0.0125, [2.5, 2.5], 0.1, double.NaN, double.NaN, double.NaN, -1.0, 3.25),
            StudyRunner.Summarize("mixture:2:5", 3, 8, double.NaN, "knn-1", 2.0, 0.0125, [1.75, 1.75], 0.1, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN),
            StudyRunner.Summarize("uniform", 3, 8, double.NaN, "knn-1", 2.5, 0, [2.0, 3.0], 0.1, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN),
        ];
        string[] lines = StudyReport.Markdown(rows, "er estimators --test").Split('\n');

        // With a kernel kappa: its ceiling's column (3.25 - 2.0), then each series' bias (RMSE).
        Assert.Contains("| d | k | truth | ceiling (kappa 10) | joe (kappa 10) | knn-1 |", lines);
        Assert.Contains("| 3 | 8 | 2.000 ± 0.013 | 1.250 | 0.500 (0.500) | -0.250 (0.250) |", lines);

        // Without one (kNN alone): no ceiling column and no empty cell; a closed-form truth has no ±.
        Assert.Contains("| d | k | truth | knn-1 |", lines);
        Assert.Contains("| ---: | ---: | ---: | ---: |", lines);
        Assert.Contains("| 3 | 8 | 2.500 | 0.000 (0.500) |", lines);
        Assert.Contains("`er estimators --test`", lines);
    }
}
