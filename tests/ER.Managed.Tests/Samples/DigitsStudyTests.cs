using System.IO;
using System.Linq;
using ER.Managed.Samples.Digits;
using ER.Managed.Tests.Gradients;

namespace ER.Managed.Tests.Samples;

/// <summary>
/// The digits study (samples/Digits): the MLP's and InfoNCE's hand-written gradients against central
/// differences of double-precision reimplementations, the data file, the augmentation, the evaluation,
/// the plot's ticks, and the quick run's two claims: ER training beats the untrained encoder, and
/// reconstruction alone collapses below ER's entropy.
/// </summary>
public class DigitsStudyTests
{
    private static string DataPath => Path.Combine(AppContext.BaseDirectory, "data", "digits.csv.gz");

    /// <summary>The MLP's output for parameters p and input x, in double (ReLU between layers, none after the last).</summary>
    private static double[] ForwardDouble(Mlp network, double[] parameters, double[] input, int rows)
    {
        double[] a = input;
        int offset = 0;
        for (int l = 0; l < network.Layers; l++)
        {
            int inWidth = network.Width(l), outWidth = network.Width(l + 1);
            int weights = offset, biases = offset + (outWidth * inWidth);
            offset = biases + outWidth;
            var z = new double[rows * outWidth];
            for (int r = 0; r < rows; r++)
            {
                for (int o = 0; o < outWidth; o++)
                {
                    double sum = parameters[biases + o];
                    for (int i = 0; i < inWidth; i++)
                    {
                        sum += parameters[weights + (o * inWidth) + i] * a[(r * inWidth) + i];
                    }

                    z[(r * outWidth) + o] = l < network.Layers - 1 ? Math.Max(0, sum) : sum;
                }
            }

            a = z;
        }

        return a;
    }

    [Fact]
    public void Mlp_gradients_match_central_differences_in_double()
    {
        const int rows = 6;
        var network = new Mlp([5, 9, 7, 4], new Random(3));
        float[] x = TestData.Normal(rows * 5, seed: 17);
        float[] upstream = TestData.Normal(rows * 4, seed: 18);
        network.Forward(x, rows);
        network.Backward(upstream);

        double[] p = Array.ConvertAll(network.Parameters, v => (double)v);
        double[] xd = Array.ConvertAll(x, v => (double)v);
        double Loss(double[] parameters) => ForwardDouble(network, parameters, xd, rows).Select((y, i) => y * upstream[i]).Sum();
        var want = new double[p.Length];
        for (int i = 0; i < p.Length; i++)
        {
            // A step of 1e-6 in double: far below the distance of any pre-activation from the ReLU's kink here.
            double saved = p[i];
            p[i] = saved + 1e-6;
            double plus = Loss(p);
            p[i] = saved - 1e-6;
            double minus = Loss(p);
            p[i] = saved;
            want[i] = (plus - minus) / 2e-6;
        }

        // The network computes in float32 (about 1e-6 relative per product): 1e-4 of the largest entry.
        GradientAssert.Close(want, network.Gradients, "MLP parameters", tol: 1e-4, floor: 1e-7);

        // The forward agrees with the double one to float rounding.
        double[] y = ForwardDouble(network, p, xd, rows);
        float[] got = network.Forward(x, rows).ToArray();
        Assert.All(Enumerable.Range(0, y.Length), i => Assert.True(Math.Abs(got[i] - y[i]) <= 1e-5 * (1 + Math.Abs(y[i])), $"output {i}: {got[i]} vs {y[i]}"));
    }

    /// <summary>NT-Xent in double, from its definition.</summary>
    private static double InfoNceDouble(double[] outputs, int k, int d, double tau)
    {
        int n = 2 * k;
        var u = new double[n * d];
        for (int a = 0; a < n; a++)
        {
            double norm = Math.Sqrt(Enumerable.Range(0, d).Sum(t => outputs[(a * d) + t] * outputs[(a * d) + t]));
            for (int t = 0; t < d; t++)
            {
                u[(a * d) + t] = outputs[(a * d) + t] / norm;
            }
        }

        double Sim(int a, int b) => Enumerable.Range(0, d).Sum(t => u[(a * d) + t] * u[(b * d) + t]) / tau;
        double loss = 0;
        for (int a = 0; a < n; a++)
        {
            double[] others = [.. Enumerable.Range(0, n).Where(b => b != a).Select(b => Sim(a, b))];
            double max = others.Max();
            loss += max + Math.Log(others.Sum(s => Math.Exp(s - max))) - Sim(a, a < k ? a + k : a - k);
        }

        return loss / n;
    }

    [Theory]
    [InlineData(5, 4, 0.1)]
    [InlineData(8, 3, 0.5)]
    public void InfoNce_value_and_gradient_match_central_differences_in_double(int k, int d, double tau)
    {
        float[] outputs = TestData.Normal(2 * k * d, seed: k + d);
        var gradient = new float[outputs.Length];
        double value = new InfoNce(k, d, tau).Compute(outputs, gradient);
        double[] x = Array.ConvertAll(outputs, v => (double)v);
        Assert.True(Math.Abs(value - InfoNceDouble(x, k, d, tau)) <= 1e-5 * Math.Max(1, Math.Abs(value)), $"value {value}");
        GradientAssert.Close(DoubleReference.Gradient(v => InfoNceDouble(v, k, d, tau), x), gradient, $"InfoNCE k={k} d={d} tau={tau}");
    }

    [Fact]
    public void The_data_file_holds_1797_images_of_64_pixels_in_0_1_and_ten_labels()
    {
        DigitsData data = DigitsData.Load(DataPath);
        Assert.Equal(1797, data.Count);
        Assert.Equal(1797 * 64, data.Images.Length);
        Assert.All(data.Images, v => Assert.InRange(v, 0f, 1f));
        Assert.Equal(Enumerable.Range(0, 10), data.Labels.Distinct().Order());
        (DigitsData train, DigitsData test) = data.Split(0.7, 2024);
        Assert.Equal(1258, train.Count);
        Assert.Equal(539, test.Count);
        (DigitsData again, _) = data.Split(0.7, 2024);
        Assert.Equal(train.Labels, again.Labels);
    }

    [Theory]
    [InlineData("1,2", 0, "line 1: 2 fields, expected 65")]
    [InlineData("x", 1, "line 401: 1 fields, expected 65")]
    [InlineData("0,17", 1, "line 401: pixel 1 is '17', expected a number from 0 to 16")]
    [InlineData("label:12", 1, "line 401: the label is '12', expected a digit 0 to 9")]
    [InlineData("label:a", 0, "line 1: the label is 'a', expected a digit 0 to 9")]
    [InlineData(null, 0, "the file holds 0 images; the study needs at least 400")]
    [InlineData(null, -1, "the file holds 399 images; the study needs at least 400")]
    public void A_bad_data_file_is_an_invalid_data_error_that_says_where(string? badLine, int after400, string expected)
    {
        // Bad fields were int.Parse's FormatException, a label of 12 an index out of range in the
        // probe, and a short file an empty held-out split that the library refused deep inside.
        string good = string.Join(',', Enumerable.Repeat("3", DigitsData.Pixels)) + ",7";
        var lines = Enumerable.Repeat(good, after400 >= 0 ? 400 * after400 : 399).ToList();
        if (badLine is not null)
        {
            string line = badLine.StartsWith("label:", StringComparison.Ordinal)
                ? string.Join(',', Enumerable.Repeat("0", DigitsData.Pixels)) + "," + badLine["label:".Length..]
                : badLine.StartsWith("0,", StringComparison.Ordinal) ? badLine + string.Concat(Enumerable.Repeat(",0", DigitsData.Pixels - 1)) : badLine;
            lines.Add(line);
        }

        string path = Path.Combine(Path.GetTempPath(), $"digits-{Guid.NewGuid():N}.csv.gz");
        try
        {
            using (var gzip = new System.IO.Compression.GZipStream(File.Create(path), System.IO.Compression.CompressionLevel.Fastest))
            using (var writer = new StreamWriter(gzip))
            {
                lines.ForEach(writer.WriteLine);
            }

            var error = Assert.Throws<InvalidDataException>(() => DigitsData.Load(path));
            Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_view_without_noise_or_dropout_is_the_image_shifted_by_at_most_one_pixel()
    {
        DigitsData data = DigitsData.Load(DataPath);
        float[] image = data.Images.AsSpan(0, 64).ToArray();
        var view = new float[64];
        var random = new Random(5);
        var augmentation = new Augmentation(noise: 0, dropout: 0);
        for (int trial = 0; trial < 20; trial++)
        {
            augmentation.View(image, view, random);
            bool matches = false;
            for (int dy = -1; dy <= 1 && !matches; dy++)
            {
                for (int dx = -1; dx <= 1 && !matches; dx++)
                {
                    matches = Enumerable.Range(0, 64).All(p =>
                    {
                        int x = (p % 8) - dx, y = (p / 8) - dy;
                        float want = x is >= 0 and < 8 && y is >= 0 and < 8 ? image[(y * 8) + x] : 0f;
                        return view[p] == want;
                    });
                }
            }

            Assert.True(matches, $"trial {trial}: not a shift of the image");
        }
    }

    [Fact]
    public void The_evaluation_classifies_separable_embeddings_and_ticks_are_round()
    {
        // Ten well-separated directions, a noisy copy of each as the test rows.
        const int d = 12;
        var train = new float[10 * 5 * d];
        var test = new float[10 * 2 * d];
        int[] trainLabels = [.. Enumerable.Range(0, 50).Select(i => i / 5)];
        int[] testLabels = [.. Enumerable.Range(0, 20).Select(i => i / 2)];
        float[] noise = TestData.Normal(train.Length + test.Length, seed: 3, scale: 0.05);
        for (int i = 0; i < 50; i++)
        {
            train[(i * d) + (i / 5)] = 1f;
        }

        for (int i = 0; i < 20; i++)
        {
            test[(i * d) + (i / 2)] = 1f;
        }

        for (int i = 0; i < train.Length; i++)
        {
            train[i] += noise[i];
        }

        for (int i = 0; i < test.Length; i++)
        {
            test[i] += noise[train.Length + i];
        }

        Evaluation.Normalize(train, 50, d);
        Evaluation.Normalize(test, 20, d);
        Assert.Equal(1.0, Evaluation.NearestNeighbourAccuracy(train, trainLabels, test, testLabels, d));
        Assert.Equal(1.0, Evaluation.LinearProbeAccuracy(train, trainLabels, test, testLabels, d));
        Assert.True(double.IsFinite(Evaluation.Entropy(test, 20, d)));

        Assert.Equal([0.0, 0.2, 0.4, 0.6, 0.8, 1.0], SvgPlot.NiceTicks(0.03, 0.97));
        Assert.Equal([-20.0, -15.0, -10.0, -5.0, 0.0, 5.0], SvgPlot.NiceTicks(-17.1, 3.3));
        Assert.Equal([80.0, 85.0, 90.0, 95.0, 100.0], SvgPlot.NiceTicks(82.1, 98.4));
    }

    [Fact]
    public void The_quick_run_shows_ER_training_and_the_collapse_of_reconstruction_alone()
    {
        QuickStudy.Result result = QuickStudy.Run(DigitsData.Load(DataPath));
        Assert.True(result.ErAccuracy > result.InitialAccuracy, $"ER {result.ErAccuracy:P1} vs the initial encoder's {result.InitialAccuracy:P1}");
        Assert.True(result.ReconstructionEntropy < result.ErEntropy, $"reconstruction only ends at entropy {result.ReconstructionEntropy:F2}, ER at {result.ErEntropy:F2}");
        Assert.Contains("\"knn_accuracy\"", result.ToJson(), StringComparison.Ordinal);
        using var json = System.Text.Json.JsonDocument.Parse(result.ToJson());
        Assert.Equal(["initial", "er_plugin", "reconstruction_only", "infonce"], json.RootElement.GetProperty("knn_accuracy").EnumerateObject().Select(p => p.Name).ToArray());
    }
}
