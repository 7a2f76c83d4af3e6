using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using ER.Managed.Npy;
using ER.Managed.Tests.Gradients;

namespace ER.Managed.Tests.Cli;

public sealed class GradientCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("er-grad-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("f4", NpyDataType.Float32)]
    [InlineData("f8", NpyDataType.Float64)]
    public void Entropy_writes_the_golden_gradient_and_reports_grad_kappa(string dtype, NpyDataType expected)
    {
        const string id = "entropy_sphere_expectation_exact_k64_d16_kappa10.0";
        GoldenCase c = GoldenCase.Load(id);
        string output = Path.Combine(_folder, "g.npy");
        (int code, string stdout, string stderr) = CliRunner.Run("entropy", GoldenData.PathOf("sphere_z_k64_d16.npy"), "--grad", output, "--grad-dtype", dtype, "--json");
        Assert.True(code == 0, stderr);
        NpyArray g = NpyFile.Read(output);
        Assert.Equal(expected, g.DataType);
        Assert.Equal(new[] { 64, 16 }, g.Shape);
        double[] want = NpyFile.Read(GoldenData.PathOf(c.Grads[0])).ToDoubleArray();
        GradientAssert.Close(want, g.ToSingleArray(), id, GoldenData.ToleranceOf("grad_rel_to_max"));

        using JsonDocument json = JsonDocument.Parse(stdout);
        double gradKappa = json.RootElement.GetProperty("grad_kappa").GetDouble();
        Assert.Equal(Entropy.SphereWithGradient(c.A.Data, 64, 16, 10.0).KappaGradient, gradKappa);
    }

    [Theory]
    [InlineData("-")]
    [InlineData("/dev/stdout")]
    [InlineData("/dev/fd/1")]
    [InlineData("/proc/self/fd/1")]
    public void Each_name_of_standard_output_writes_the_gradient_to_the_commands_standard_output(string name)
    {
        // In process, the command's standard output is this stream, not the test host's file
        // descriptor 1: the names must be recognised before any path is resolved.
        string input = GoldenData.PathOf("sphere_z_k64_d16.npy");
        string file = Path.Combine(_folder, "g.npy");
        Assert.Equal(0, CliRunner.Run("entropy", input, "--grad", file, "--json").ExitCode);

        using var standardOutput = new MemoryStream();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int code = ER.Managed.Cli.Cli.Run(["entropy", input, "--grad", name, "--json"], stdout, stderr, standardOutput: standardOutput);
        Assert.True(code == 0, stderr.ToString());
        Assert.Equal(File.ReadAllBytes(file), standardOutput.ToArray());
    }

    [Fact]
    public void Reconstruction_writes_both_gradients()
    {
        string a = Path.Combine(_folder, "ga.npy"), b = Path.Combine(_folder, "gb.npy");
        (int code, string stdout, string stderr) = CliRunner.Run(
            "reconstruction", GoldenData.PathOf("rec_discrete_a_k64_d16.npy"), GoldenData.PathOf("rec_discrete_b_k64_d16.npy"),
            "--support", "discrete", "--grad-a", a, "--grad-b", b, "--json");
        Assert.True(code == 0, stderr);
        GoldenCase c = GoldenCase.Load("reconstruction_discrete_k64_d16");
        GradientAssert.Close(NpyFile.Read(GoldenData.PathOf(c.Grads[0])).ToDoubleArray(), NpyFile.Read(a).ToSingleArray(), "a");
        GradientAssert.Close(NpyFile.Read(GoldenData.PathOf(c.Grads[1])).ToDoubleArray(), NpyFile.Read(b).ToSingleArray(), "b");

        // Discrete terms have no kappa: no grad_kappa key.
        using JsonDocument json = JsonDocument.Parse(stdout);
        Assert.False(json.RootElement.TryGetProperty("grad_kappa", out _));
    }

    [Fact]
    public void An_unwritable_gradient_path_is_an_input_error_and_leaves_nothing_behind()
    {
        string missingFolder = Path.Combine(_folder, "no", "such", "dir", "g.npy");
        (int code, string stdout, string stderr) = CliRunner.Run("entropy", GoldenData.PathOf("sphere_z_k64_d16.npy"), "--grad", missingFolder);
        Assert.Equal(1, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains("cannot write", stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_folder, "*", SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData("sphere")]
    [InlineData("discrete")]
    public void Train_demo_lowers_the_loss_and_reconstruction_and_raises_the_entropy(string support)
    {
        (int code, string stdout, string stderr) = CliRunner.Run("train-demo", "--steps", "150", "--support", support);
        Assert.True(code == 0, stderr);
        Assert.Contains("loss fell", stdout, StringComparison.Ordinal);
        Assert.Contains("reconstruction fell", stdout, StringComparison.Ordinal);
        Assert.Contains("entropy rose", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(24, new[] { 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24 })]
    [InlineData(30, new[] { 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30 })]
    [InlineData(5, new[] { 0, 1, 2, 3, 4, 5 })]
    [InlineData(1, new[] { 0, 1 })]
    public void Train_demo_prints_about_12_rows_the_first_and_the_last_step_always(int steps, int[] printed)
    {
        // A row every steps / 12 steps (every step below 12) and the last one whatever the stride.
        (int code, string stdout, string stderr) = CliRunner.Run("train-demo", "--steps", steps.ToString(CultureInfo.InvariantCulture));
        Assert.True(code == 0, stderr);
        string[] lines = stdout.Split('\n');
        int header = Array.FindIndex(lines, l => l.TrimStart().StartsWith("step", StringComparison.Ordinal));
        int[] rows = lines.Skip(header + 1).TakeWhile(l => l.StartsWith(' '))
            .Select(l => int.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(printed, rows);

        // The sphere's closing line: the two views' mean cosine is a cosine, and the kNN entropy is
        // compared with the uniform distribution's on S^(d-1) (the largest there is).
        string closing = lines.Single(l => l.StartsWith("kappa went from", StringComparison.Ordinal));
        string cosine = closing.Split("views' mean cosine ")[1].Split(';')[0];
        Assert.InRange(double.Parse(cosine, CultureInfo.InvariantCulture), -1.0, 1.0);
        Assert.Matches(@"kNN entropy of view 1 -?\d+\.\d{4} nats \(uniform: \d+\.\d{4}\); \d+\.\d{2} ms a step$", closing);
    }

    [Theory]
    [InlineData("sphere")]
    [InlineData("discrete")]
    public void Train_demo_at_a_learning_rate_that_overflows_the_projector_says_so_in_one_line(string support)
    {
        // Adam's first step moves every weight by about the learning rate: at 1e38 the outputs are
        // infinite, which the loss refused in its own words ("view1: Element [0, 0] is -Infinity").
        (int code, string stdout, string stderr) = CliRunner.Run("train-demo", "--steps", "5", "--support", support, "--learning-rate", "1e38");
        Assert.Equal(1, code);
        Assert.Contains("step", stdout, StringComparison.Ordinal);
        Assert.Equal("er: training diverged at step 1: the projector's outputs or the loss's gradients left float32's range; lower --learning-rate (now 1E+38).", stderr.Trim());
    }

    [Theory]
    [InlineData("1", "30")]
    [InlineData("1", "1000")]
    [InlineData("1e9", "30")]
    public void Train_demo_learning_kappa_at_a_large_rate_stays_in_the_terms_range(string kappa, string rate)
    {
        // A step of about the rate in log kappa took kappa past 1e10 or below float32's smallest
        // value within a step or two, and the loss refused it; kappa now stops at 1e10 or 0.
        (int code, string stdout, string stderr) = CliRunner.Run("train-demo", "--steps", "30", "--kappa", kappa, "--kappa-mode", "learned", "--learning-rate", rate);
        Assert.True(code == 0, stderr);
        string line = stdout.Split('\n').Single(l => l.StartsWith("kappa went from", StringComparison.Ordinal));
        double final = double.Parse(line.Split(' ')[5].TrimEnd(';'), CultureInfo.InvariantCulture);
        Assert.True(final == 0 || (final >= 1.4e-45 && final <= Entropy.MaxKappa), line);
    }
}
