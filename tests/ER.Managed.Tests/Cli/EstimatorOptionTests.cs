using System.Globalization;
using System.IO;
using System.Text.Json;
using ER.Managed.Estimation;
using ER.Managed.Npy;

namespace ER.Managed.Tests.Cli;

/// <summary><c>er entropy --estimator</c> (plugin, joe, joe-loo, knn) and <c>er kappa</c> against the library.</summary>
public sealed class EstimatorOptionTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("er-estimator-").FullName;
    private readonly float[] _z;
    private readonly string _path;

    public EstimatorOptionTests()
    {
        _z = new float[300 * 5];
        var sampler = new SphereSampler(3);
        float[] mean = [1, 0, 0, 0, 0];
        sampler.VonMisesFisher(mean, 8, 300, _z);
        _path = Path.Combine(_folder, "z.npy");
        NpyFile.Write(_path, _z, [300, 5]);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static double Value(string stdout, string name = "value") => JsonDocument.Parse(stdout).RootElement.GetProperty(name).GetDouble();

    [Fact]
    public void Each_estimator_prints_the_library_value()
    {
        (int code, string stdout, string stderr) = CliRunner.Run("entropy", _path, "--estimator", "knn", "--json");
        Assert.True(code == 0, stderr);
        Assert.Equal(Entropy.SphereKnn(_z, 300, 5), Value(stdout));

        (code, stdout, _) = CliRunner.Run("entropy", _path, "--estimator", "knn", "--neighbors", "1", "--json");
        Assert.Equal(0, code);
        Assert.Equal(Entropy.SphereKnn(_z, 300, 5, 1), Value(stdout));

        (code, stdout, _) = CliRunner.Run("entropy", _path, "--estimator", "joe-loo", "--kappa", "20", "--json");
        Assert.Equal(0, code);
        Assert.Equal(Entropy.SphereLeaveOneOut(_z, 300, 5, 20), Value(stdout));

        // joe is --reduction average; plugin the default.
        (code, stdout, _) = CliRunner.Run("entropy", _path, "--estimator", "joe", "--json");
        Assert.Equal(0, code);
        Assert.Equal(Entropy.Sphere(_z, 300, 5, 10, EntropyReduction.Average), Value(stdout));
        (code, string viaReduction, _) = CliRunner.Run("entropy", _path, "--reduction", "average", "--json");
        Assert.Equal(0, code);
        Assert.Equal(stdout, viaReduction);
        (code, stdout, _) = CliRunner.Run("entropy", _path, "--json");
        Assert.Equal(0, code);
        Assert.Equal(Entropy.Sphere(_z, 300, 5, 10), Value(stdout));
    }

    [Theory]
    [InlineData("plugin", "expectation", "")]
    [InlineData("joe", "average", "average")]
    public void An_estimator_and_the_reduction_it_means_may_be_given_together(string estimator, string reduction, string libraryReduction)
    {
        (int code, string stdout, string stderr) = CliRunner.Run("entropy", _path, "--estimator", estimator, "--reduction", reduction, "--json");
        Assert.True(code == 0, stderr);
        EntropyReduction expected = libraryReduction == "average" ? EntropyReduction.Average : EntropyReduction.Expectation;
        Assert.Equal(Entropy.Sphere(_z, 300, 5, 10, expected), Value(stdout));
    }

    [Theory]
    [InlineData("--estimator", "joe", "--reduction", "expectation")]
    [InlineData("--estimator", "plugin", "--reduction", "average")]
    [InlineData("--estimator", "knn", "--kappa", "3")]
    [InlineData("--neighbors", "2")]
    [InlineData("--estimator", "knn", "--grad", "g.npy")]
    [InlineData("--estimator", "knn", "--neighbors", "0")]
    [InlineData("--estimator", "nope")]
    public void Options_that_do_not_fit_the_estimator_are_usage_errors(params string[] options)
    {
        (int code, _, string stderr) = CliRunner.Run(["entropy", _path, .. options]);
        Assert.Equal(2, code);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.False(File.Exists(Path.Combine(_folder, "g.npy")));
    }

    [Fact]
    public void Knn_neighbours_too_many_for_the_candidate_buffers_are_a_one_line_input_error()
    {
        const int n = 32800;
        float[] z = TestData.CircleRows(n);
        string path = Path.Combine(_folder, "circle.npy");
        NpyFile.Write(path, z, [n, 2]);
        (int code, string stdout, string stderr) = CliRunner.Run("entropy", path, "--estimator", "knn", "--neighbors", "32767");
        Assert.Equal(1, code);
        Assert.Empty(stdout);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.StartsWith("er: neighbors: The kNN estimator keeps 2 x neighbors + 8 candidates a row", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Kappa_prints_the_library_selection_as_json()
    {
        (int code, string stdout, string stderr) = CliRunner.Run("kappa", _path, "--json");
        Assert.True(code == 0, stderr);
        KappaSelectionResult loo = KappaSelection.LeaveOneOut(_z, 300, 5);
        using JsonDocument json = JsonDocument.Parse(stdout);
        Assert.Equal(loo.Kappa, json.RootElement.GetProperty("kappa").GetDouble());
        Assert.Equal(loo.LogLikelihood, json.RootElement.GetProperty("log_likelihood").GetDouble());
        Assert.Equal("loo", json.RootElement.GetProperty("method").GetString());
        Assert.Equal(loo.Iterations, json.RootElement.GetProperty("iterations").GetInt32());

        (code, stdout, _) = CliRunner.Run("kappa", _path, "--method", "rule-of-thumb");
        Assert.Equal(0, code);
        Assert.StartsWith("kappa = " + KappaSelection.RuleOfThumb(_z, 300, 5).Kappa.ToString("R", CultureInfo.InvariantCulture), stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Kappa_refused_by_the_rule_of_thumb_is_an_input_error_naming_the_file()
    {
        // d = 1 (rows of +1 and -1): the leave-one-out search takes it, the rule of thumb does not.
        string circle = Path.Combine(_folder, "circle.npy");
        NpyFile.Write(circle, new float[] { 1, -1, 1 }, [3, 1]);
        (int code, _, string stderr) = CliRunner.Run("kappa", circle, "--method", "rule-of-thumb");
        Assert.Equal(1, code);
        Assert.StartsWith($"er: {circle}: The rule of thumb needs d >= 2", stderr, StringComparison.Ordinal);
        (code, _, stderr) = CliRunner.Run("kappa", circle);
        Assert.True(code == 0, stderr);
    }
}
