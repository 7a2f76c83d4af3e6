using System;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using Xunit;

namespace ER.Managed.Tests;

/// <summary>
/// The README's C# examples are the code between the "begin README" / "end README" markers
/// below: compiled with the tests, run here, and checked to appear verbatim in README.md.
/// </summary>
public class ReadmeTests
{
    private static float[] MyProjector(int rows, int columns) => TestData.Normal(rows * columns, seed: 2024);

    [Fact]
    public void Quick_start_runs()
    {
        // begin README quick-start
        int k = 256, d = 128;                   // batch size, dimension; one sample a row, row-major
        float[] z = MyProjector(k, d);          // your projector's outputs
        RowOps.L2Normalize(z, k, d, z);         // the sphere terms need unit rows

        double h = Entropy.Sphere(z, k, d, kappa: 10);                        // plug-in estimator, exact normalizer
        double hJoe = Entropy.Sphere(z, k, d, 10, EntropyReduction.Average);  // Joe's estimator
        double c = VonMisesFisher.Constant(d, 10);                            // -log C_d(kappa)
        Console.WriteLine($"H = {h:F4} nats (Joe's {hJoe:F4}); bounds [{c - 10:F4}, {c - 10 + Math.Log(k):F4}]");
        // end README quick-start

        Assert.True(h <= hJoe);
        Assert.InRange(h, c - 10 - 1e-3, c - 10 + Math.Log(k) + 1e-3);
    }

    [Fact]
    public void Backward_example_runs()
    {
        int k = 64, d = 32;
        float[] view1 = MyProjector(k, d), view2 = TestData.Normal(k * d, seed: 7);

        // begin README backward
        var loss = new ErLoss(Support.Sphere, k, d) { Kappa = 10 };  // one object, reused every step
        var grad1 = new float[k * d];
        var grad2 = new float[k * d];
        ErLossResult r = loss.Compute(view1, view2, grad1, grad2);     // raw outputs in, dLoss/dview out
        Console.WriteLine($"loss {r.Loss:F4} = R {r.Reconstruction:F4} - H {r.Entropy:F4}; dLoss/dkappa {r.KappaGradient:F4}");

        // Term by term, into your own buffers (z: unit rows):
        float[] z = new float[k * d];
        RowOps.L2Normalize(view1, k, d, z);
        float[] gradZ = new float[k * d];
        SphereTermResult h = Entropy.SphereWithGradient(z, k, d, gradZ, kappa: 10);
        float[] gradX = new float[k * d];
        RowOps.L2NormalizeBackward(view1, gradZ, k, d, gradX);    // chain back to the raw outputs
        // end README backward

        Assert.True(double.IsFinite(r.Loss) && double.IsFinite(h.Value));
        Assert.Contains(gradX, v => v != 0f);
    }

    [Fact]
    public void Batch_normalizer_example_runs()
    {
        // begin README batch-normalizer
        double[] kappa = [0.5, 10, 250, 4000];
        var logC = new double[kappa.Length];
        var ratio = new double[kappa.Length];
        VonMisesFisher.Evaluate(128, kappa, logBesselI: default, logC, ratio, entropy: default); // empty span: not wanted
        VonMisesFisher.Entropy(128, kappa, kappa);                     // in place is allowed
        Console.WriteLine($"log C_128(0.5) = {logC[0]:F6}, A_128(4000) = {ratio[3]:F6}, H(10) = {kappa[1]:F4} nats");
        // end README batch-normalizer

        Assert.Equal(VonMisesFisher.LogNormalizer(128, 0.5), logC[0]);
        Assert.Equal(VonMisesFisher.BesselRatio(128, 4000), ratio[3]);
        Assert.Equal(VonMisesFisher.Entropy(128, 10), kappa[1]);
    }

    [Theory]
    [InlineData("quick-start")]
    [InlineData("backward")]
    [InlineData("batch-normalizer")]
    public void Readme_shows_the_tested_code_verbatim(string name)
    {
        string snippet = Snippet(name);
        string readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md")).Replace("\r\n", "\n", StringComparison.Ordinal);
        Assert.Contains("```csharp\n" + snippet + "```", readme, StringComparison.Ordinal);
    }

    [Fact]
    public void Api_overview_lists_every_public_type_and_the_install_line()
    {
        string readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));
        Assert.Contains("dotnet add package ER.Managed", readme, StringComparison.Ordinal);
        foreach (Type type in typeof(Entropy).Assembly.GetExportedTypes())
        {
            string name = type.Namespace == "ER.Managed" ? type.Name : $"{type.Namespace!["ER.Managed.".Length..]}.{type.Name}";
            Assert.Contains($"| `{name}` |", readme, StringComparison.Ordinal);
        }
    }

    private static string Snippet(string name, [CallerFilePath] string path = "")
    {
        string[] lines = File.ReadAllLines(path);
        int start = Array.FindIndex(lines, l => l.Trim() == $"// begin README {name}");
        int end = Array.FindIndex(lines, l => l.Trim() == $"// end README {name}");
        string[] body = lines[(start + 1)..end];
        int indent = body.Where(l => l.Trim().Length > 0).Min(l => l.Length - l.TrimStart().Length);
        return string.Concat(body.Select(l => (l.Length >= indent ? l[indent..] : l.TrimStart()) + "\n"));
    }

    private static string RepositoryRoot([CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));
}
