using System.IO;
using System.Text;
using System.Text.Json;
using ER.Managed.Npy;

namespace ER.Managed.Tests.Processes;

/// <summary><c>er loss</c> as a program: files and standard input, its JSON, its gradient files, its exit codes.</summary>
public sealed class LossProcessTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("er-loss-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string PathOf(string name) => Path.Combine(_folder, name);

    [Fact]
    public void Two_views_give_the_two_view_ErLoss_result_and_a_view_can_come_from_standard_input()
    {
        const int k = 32, d = 8;
        float[] x1 = TestData.Normal(k * d, seed: 91), x2 = TestData.Normal(k * d, seed: 92);
        NpyFile.Write(PathOf("a.npy"), x1, [k, d]);
        NpyFile.Write(PathOf("b.npy"), x2, [k, d]);
        var loss = new ErLoss(Support.Sphere, k, d) { Kappa = 5, Reduction = EntropyReduction.LeaveOneOut };
        var g1 = new float[k * d];
        var g2 = new float[k * d];
        ErLossResult want = loss.Compute(x1, x2, g1, g2);

        var (code, stdout, stderr) = ErProcess.Run(_folder, null, "loss", "a.npy", "b.npy", "--kappa", "5", "--estimator", "joe-loo", "--json", "--grad-prefix", "g");
        Assert.True(code == 0, stderr);
        using (JsonDocument json = JsonDocument.Parse(Encoding.UTF8.GetString(stdout)))
        {
            Assert.Equal(want.Loss, json.RootElement.GetProperty("loss").GetDouble());
            Assert.Equal(want.KappaGradient, json.RootElement.GetProperty("grad_kappa").GetDouble());
        }

        Assert.Equal(g1, NpyFile.Read(PathOf("g1.npy")).ToSingleArray());
        Assert.Equal(g2, NpyFile.Read(PathOf("g2.npy")).ToSingleArray());

        // View 2 piped in.
        (code, stdout, stderr) = ErProcess.Run(_folder, File.ReadAllBytes(PathOf("b.npy")), "loss", "a.npy", "-", "--kappa", "5", "--estimator", "joe-loo", "--json");
        Assert.True(code == 0, stderr);
        using (JsonDocument json = JsonDocument.Parse(Encoding.UTF8.GetString(stdout)))
        {
            Assert.Equal(want.Loss, json.RootElement.GetProperty("loss").GetDouble());
        }
    }

    [Fact]
    public void Errors_are_one_line_with_exit_codes_and_leave_no_gradient_file()
    {
        NpyFile.Write(PathOf("a.npy"), TestData.Normal(12, seed: 1), [4, 3]);
        NpyFile.Write(PathOf("b.npy"), TestData.Normal(8, seed: 2), [4, 2]);
        var (code, _, stderr) = ErProcess.Run(_folder, null, "loss", "a.npy", "b.npy", "--grad-prefix", "g");
        Assert.Equal(1, code);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Contains("same shape", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(PathOf("g1.npy")));

        (code, _, stderr) = ErProcess.Run(_folder, null, "loss", "a.npy");
        Assert.Equal(2, code);
        Assert.Single(stderr.Trim().Split('\n'));

        // A weight beyond float32 is a usage error; weights whose gradient overflows, an input error.
        NpyFile.Write(PathOf("c.npy"), TestData.Normal(12, seed: 3), [4, 3]);
        (code, _, stderr) = ErProcess.Run(_folder, null, "loss", "a.npy", "c.npy", "--entropy-weight", "1e300");
        Assert.Equal(2, code);
        Assert.Contains("--entropy-weight expects a finite number within float32's range", stderr, StringComparison.Ordinal);
        (code, _, stderr) = ErProcess.Run(_folder, null, "loss", "a.npy", "c.npy", "--support", "discrete", "--entropy-weight", "3.4e38", "--reconstruction-weight", "-3.4e38", "--grad-prefix", "g");
        Assert.Equal(1, code);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Contains("overflows float32", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(PathOf("g1.npy")));
    }
}
