using System;
using System.CommandLine;
using System.Globalization;
using System.IO;
using ER.Managed.Estimation;

namespace ER.Managed.Cli.Commands;

/// <summary>
/// <c>er train-demo</c>: a few hundred steps of gradient descent (Adam) on a small synthetic
/// two-view problem, to show that the ER gradients train something. Samples are noisy views of
/// cluster centers; an affine projector <c>y = x W + b</c> (16 -> 8) maps each view, and the ER
/// loss <c>R(view1, view2) - H</c> is minimized. On the sphere the projector starts random (the
/// two views of a sample poorly aligned, clusters overlapping); on the simplex its bias starts
/// large on the first category, so the batch starts collapsed onto it. Either way training
/// pulls each sample's two views together (reconstruction falls) and spreads the samples
/// (entropy rises).
/// </summary>
internal static class TrainDemoCommand
{
    internal const int InputDimension = 16;
    internal const int OutputDimension = 8;
    internal const int Clusters = 32;
    internal const int BatchSize = 128;

    /// <summary>The discrete demo's initial bias on the first category: the batch starts collapsed onto it.</summary>
    internal const float InitialDiscreteBias = 4f;

    internal static Command Create(TextWriter stdout)
    {
        Option<int> steps = CommonOptions.PositiveInt("--steps", "Number of gradient steps.", defaultValue: 300);
        var seed = new Option<ulong>("--seed") { Description = "Seed of the data and the initial projector.", DefaultValueFactory = _ => 0UL, HelpName = "N" };
        Option<string> support = CommonOptions.Support();
        Option<double> rate = CommonOptions.PositiveDouble("--learning-rate", 0.01, "Adam step size.");
        var command = new Command("train-demo", "Train a linear projector on a synthetic two-view problem with the ER loss, printing the loss, entropy and reconstruction.") { steps, seed, support, rate };
        command.SetAction(parse =>
        {
            Support s = parse.GetValue(support) == "discrete" ? Support.Discrete : Support.Sphere;
            Run(stdout, s, parse.GetValue(steps), parse.GetValue(seed), parse.GetValue(rate));
            return Cli.Success;
        });
        return command;
    }

    /// <summary>Runs the demo and returns the first and last evaluations.</summary>
    internal static (ErLossResult First, ErLossResult Last) Run(TextWriter output, Support support, int steps, ulong seed, double learningRate)
    {
        const int k = BatchSize, n = InputDimension, d = OutputDimension;
        var random = new SeededRandom(seed);
        var centers = new float[Clusters * n];
        random.FillNormal(centers);
        var weights = new float[n * d];
        for (int i = 0; i < weights.Length; i++)
        {
            weights[i] = (float)(random.NextNormal() / Math.Sqrt(n));
        }

        var bias = new float[d];
        bias[0] = support == Support.Discrete ? InitialDiscreteBias : 0f;
        var loss = new ErLoss(support, k, d) { Kappa = 10, Temperature = 0.5 };
        var x1 = new float[k * n];
        var x2 = new float[k * n];
        var y1 = new float[k * d];
        var y2 = new float[k * d];
        var g1 = new float[k * d];
        var g2 = new float[k * d];
        var gradW = new float[n * d];
        var gradBias = new float[d];
        var adam = new Adam(weights.Length, learningRate);
        var adamBias = new Adam(d, learningRate);

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ER training demo: {support.ToString().ToLowerInvariant()} support, {Clusters} clusters in R^{n}, affine projector to R^{d}{(support == Support.Discrete ? " starting collapsed" : string.Empty)}, batch {k}, Adam lr {learningRate}"));
        output.WriteLine("  step        loss  reconstruction     entropy");
        ErLossResult first = default, last = default;
        for (int step = 0; step <= steps; step++)
        {
            SampleViews(random, centers, x1, x2);
            Project(x1, weights, bias, y1);
            Project(x2, weights, bias, y2);
            ErLossResult result = loss.Compute(y1, y2, g1, g2);
            if (step == 0)
            {
                first = result;
            }

            last = result;
            if (step % Math.Max(1, steps / 12) == 0 || step == steps)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{step,6} {result.Loss,11:F4} {result.Reconstruction,15:F4} {result.Entropy,11:F4}"));
            }

            if (step < steps)
            {
                // dLoss/dW = X1^T G1 + X2^T G2.
                Array.Clear(gradW);
                AccumulateTransposedProduct(x1, g1, gradW);
                AccumulateTransposedProduct(x2, g2, gradW);
                adam.Step(weights, gradW);
                Array.Clear(gradBias);
                for (int i = 0; i < k * d; i++)
                {
                    gradBias[i % d] += g1[i] + g2[i];
                }

                adamBias.Step(bias, gradBias);
            }
        }

        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"loss {(last.Loss < first.Loss ? "fell" : "did not fall")} from {first.Loss:F4} to {last.Loss:F4}; reconstruction {(last.Reconstruction < first.Reconstruction ? "fell" : "did not fall")} from {first.Reconstruction:F4} to {last.Reconstruction:F4}; entropy {(last.Entropy > first.Entropy ? "rose" : "did not rise")} from {first.Entropy:F4} to {last.Entropy:F4}"));
        return (first, last);
    }

    private static void SampleViews(SeededRandom random, float[] centers, float[] x1, float[] x2)
    {
        const int n = InputDimension;
        for (int i = 0; i < BatchSize; i++)
        {
            int cluster = (int)(random.NextUInt64() % Clusters);
            for (int t = 0; t < n; t++)
            {
                float center = centers[(cluster * n) + t];
                x1[(i * n) + t] = center + (0.3f * (float)random.NextNormal());
                x2[(i * n) + t] = center + (0.3f * (float)random.NextNormal());
            }
        }
    }

    private static void Project(float[] x, float[] w, float[] bias, float[] y)
    {
        const int n = InputDimension, d = OutputDimension;
        for (int i = 0; i < BatchSize; i++)
        {
            bias.CopyTo(y, i * d);
            for (int t = 0; t < n; t++)
            {
                float xi = x[(i * n) + t];
                for (int j = 0; j < d; j++)
                {
                    y[(i * d) + j] += xi * w[(t * d) + j];
                }
            }
        }
    }

    private static void AccumulateTransposedProduct(float[] x, float[] g, float[] result)
    {
        const int n = InputDimension, d = OutputDimension;
        for (int i = 0; i < BatchSize; i++)
        {
            for (int t = 0; t < n; t++)
            {
                float xi = x[(i * n) + t];
                for (int j = 0; j < d; j++)
                {
                    result[(t * d) + j] += xi * g[(i * d) + j];
                }
            }
        }
    }

    /// <summary>Adam (Kingma and Ba) with the usual defaults.</summary>
    private sealed class Adam(int size, double learningRate)
    {
        private const double Beta1 = 0.9, Beta2 = 0.999, Epsilon = 1e-8;
        private readonly double[] _m = new double[size];
        private readonly double[] _v = new double[size];
        private int _t;

        internal void Step(float[] parameters, float[] gradient)
        {
            _t++;
            double correction1 = 1 - Math.Pow(Beta1, _t), correction2 = 1 - Math.Pow(Beta2, _t);
            for (int i = 0; i < parameters.Length; i++)
            {
                _m[i] = (Beta1 * _m[i]) + ((1 - Beta1) * gradient[i]);
                _v[i] = (Beta2 * _v[i]) + ((1 - Beta2) * gradient[i] * gradient[i]);
                parameters[i] -= (float)(learningRate * (_m[i] / correction1) / (Math.Sqrt(_v[i] / correction2) + Epsilon));
            }
        }
    }
}
