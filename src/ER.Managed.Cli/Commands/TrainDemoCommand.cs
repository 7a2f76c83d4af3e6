using System.Numerics.Tensors;
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
/// (entropy rises). <c>--estimator</c> picks the entropy estimator and <c>--kappa-mode</c> what happens
/// to kappa: <c>fixed</c> (the default), <c>learned</c> (Adam on log kappa with dLoss/dkappa, the loss's
/// own gradient) or <c>reselect</c> (every <c>--reselect-every</c> steps, the leave-one-out likelihood's
/// kappa of view 1's embeddings, <see cref="KappaSelection.LeaveOneOut(ReadOnlySpan{float}, int, int, ErOptions?)"/>).
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
        var seed = CommonOptions.Seed("Seed of the data and the initial projector.", 0UL);
        Option<string> support = CommonOptions.Support();
        Option<double> rate = CommonOptions.PositiveDouble("--learning-rate", 0.01, "Adam step size.");
        Option<string> estimator = CommonOptions.Choice("--estimator", "Entropy estimator: plugin, joe or joe-loo (sphere only).", LossCommand.Estimators);
        Option<double> kappa = CommonOptions.NonNegativeDouble("--kappa", 10.0, "The starting (or fixed) kappa (sphere support only).");
        Option<string> kappaMode = CommonOptions.Choice("--kappa-mode", "fixed, learned (Adam on log kappa with the loss's dLoss/dkappa) or reselect (the leave-one-out likelihood's kappa of view 1's embeddings, every --reselect-every steps); sphere support only.", "fixed", "learned", "reselect");
        Option<int> every = CommonOptions.PositiveInt("--reselect-every", "With --kappa-mode reselect: steps between selections.", defaultValue: 25);
        var command = new Command("train-demo", "Train a linear projector on a synthetic two-view problem with the ER loss, printing the loss, entropy and reconstruction.") { steps, seed, support, rate, estimator, kappa, kappaMode, every };
        command.SetAction(parse =>
        {
            Support s = parse.GetValue(support) == "discrete" ? Support.Discrete : Support.Sphere;
            CommonOptions.CheckKappaUsed(parse, kappa, s == Support.Sphere);
            string method = parse.GetValue(estimator)!;
            string mode = parse.GetValue(kappaMode)!;
            if (s == Support.Discrete && (method == "joe-loo" || mode != "fixed"))
            {
                throw new CliUsageException("--estimator joe-loo and --kappa-mode are for the sphere support (the discrete terms have no kappa).");
            }

            var settings = new DemoSettings(EntropyOptions.ReductionOf(method), parse.GetValue(kappa), mode, parse.GetValue(every));
            Run(stdout, s, parse.GetValue(steps), parse.GetValue(seed), parse.GetValue(rate), settings);
            return Cli.Success;
        });
        return command;
    }

    /// <summary>The estimator and what happens to kappa: fixed, learned or reselected every so many steps.</summary>
    internal sealed record DemoSettings(EntropyReduction Reduction, double Kappa, string KappaMode, int ReselectEvery)
    {
        internal static DemoSettings Default { get; } = new(EntropyReduction.Expectation, 10.0, "fixed", 25);
    }

    /// <summary>Runs the demo and returns the first and last evaluations.</summary>
    internal static (ErLossResult First, ErLossResult Last) Run(TextWriter output, Support support, int steps, ulong seed, double learningRate, DemoSettings? settings = null)
    {
        settings ??= DemoSettings.Default;
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
        var loss = new ErLoss(support, k, d) { Kappa = settings.Kappa, Temperature = 0.5, Reduction = settings.Reduction };
        var kappaTracker = new KappaTracker(settings, learningRate);
        var z1 = new float[k * d];
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

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ER training demo: {support.ToString().ToLowerInvariant()} support, {Clusters} clusters in R^{n}, affine projector to R^{d}{(support == Support.Discrete ? " starting collapsed" : string.Empty)}, batch {k}, Adam lr {learningRate}{kappaTracker.Describe(support)}"));
        output.WriteLine(kappaTracker.Moves ? "  step        loss  reconstruction     entropy       kappa" : "  step        loss  reconstruction     entropy");
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        ErLossResult first = default, last = default;
        for (int step = 0; step <= steps; step++)
        {
            SampleViews(random, centers, x1, x2);
            Project(x1, weights, bias, y1);
            Project(x2, weights, bias, y2);
            if (kappaTracker.ReselectsAt(step))
            {
                RowOps.L2Normalize(y1, k, d, z1);
                loss.Kappa = KappaSelection.LeaveOneOut(z1, k, d).Kappa;
            }

            ErLossResult result = ComputeOrDiverge(loss, y1, y2, g1, g2, step, learningRate);
            if (step == 0)
            {
                first = result;
            }

            last = result;
            if (step % Math.Max(1, steps / 12) == 0 || step == steps)
            {
                string kappaColumn = kappaTracker.Moves ? string.Create(CultureInfo.InvariantCulture, $" {loss.Kappa,11:G5}") : string.Empty;
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{step,6} {result.Loss,11:F4} {result.Reconstruction,15:F4} {result.Entropy,11:F4}{kappaColumn}"));
            }

            if (step < steps)
            {
                loss.Kappa = kappaTracker.Learn(loss.Kappa, result.KappaGradient);
                ProjectorGradients(x1, x2, g1, g2, gradW, gradBias);
                adam.Step(weights, gradW);
                adamBias.Step(bias, gradBias);
            }
        }

        if (support == Support.Sphere)
        {
            // Measures that do not depend on kappa or on the estimator: how well the two views of a sample
            // agree (mean cosine) and how spread the embeddings are (the kNN entropy, m = 4).
            double seconds = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
            var z2 = new float[k * d];
            RowOps.L2Normalize(y1, k, d, z1);
            RowOps.L2Normalize(y2, k, d, z2);
            double alignment = 0;
            for (int i = 0; i < k * d; i++)
            {
                alignment += (double)z1[i] * z2[i];
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"kappa went from {settings.Kappa:G5} to {loss.Kappa:G5}; views' mean cosine {alignment / k:F4}; kNN entropy of view 1 {Entropy.SphereKnn(z1, k, d):F4} nats (uniform: {VonMisesFisher.Entropy(d, 0):F4}); {1e3 * seconds / (steps + 1):F2} ms a step"));
        }

        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"loss {(last.Loss < first.Loss ? "fell" : "did not fall")} from {first.Loss:F4} to {last.Loss:F4}; reconstruction {(last.Reconstruction < first.Reconstruction ? "fell" : "did not fall")} from {first.Reconstruction:F4} to {last.Reconstruction:F4}; entropy {(last.Entropy > first.Entropy ? "rose" : "did not rise")} from {first.Entropy:F4} to {last.Entropy:F4}"));
        return (first, last);
    }

    /// <summary>One loss step, or a one-line error where a too large learning rate has blown the projector past float32.</summary>
    private static ErLossResult ComputeOrDiverge(ErLoss loss, float[] y1, float[] y2, float[] g1, float[] g2, int step, double learningRate)
    {
        CliInputException Diverged() => new(string.Create(CultureInfo.InvariantCulture, $"training diverged at step {step}: the projector's outputs or the loss's gradients left float32's range; lower --learning-rate (now {learningRate:G5})."));
        if (!float.IsFinite(TensorPrimitives.MaxMagnitude(y1)) || !float.IsFinite(TensorPrimitives.MaxMagnitude(y2)))
        {
            throw Diverged();
        }

        try
        {
            return loss.Compute(y1, y2, g1, g2);
        }
        catch (OverflowException)
        {
            throw Diverged();
        }
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

    internal static void Project(float[] x, float[] w, float[] bias, float[] y)
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

    /// <summary>
    /// The projector's gradients from the loss's gradients G1, G2 (k x d) with respect to its
    /// outputs Y = X W + 1 b^T: dLoss/dW = X1^T G1 + X2^T G2 (n x d) and dLoss/db = the column sums
    /// of G1 + G2 (d). Overwrites <paramref name="gradW"/> and <paramref name="gradBias"/>.
    /// </summary>
    internal static void ProjectorGradients(float[] x1, float[] x2, float[] g1, float[] g2, float[] gradW, float[] gradBias)
    {
        Array.Clear(gradW);
        AccumulateTransposedProduct(x1, g1, gradW);
        AccumulateTransposedProduct(x2, g2, gradW);
        Array.Clear(gradBias);
        for (int i = 0; i < BatchSize * OutputDimension; i++)
        {
            gradBias[i % OutputDimension] += g1[i] + g2[i];
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

    /// <summary>
    /// What happens to kappa between steps: nothing (fixed), an Adam step on t = log kappa with
    /// <c>dLoss/dt = kappa dLoss/dkappa</c> (learned; log kappa keeps it positive), or a new selection every
    /// N steps (reselect).
    /// </summary>
    internal sealed class KappaTracker(DemoSettings settings, double learningRate)
    {
        private readonly Adam _adam = new(1, learningRate);
        private readonly float[] _t = [(float)Math.Log(Math.Max(settings.Kappa, 1e-30))];
        private readonly float[] _gradient = new float[1];

        internal bool Moves => settings.KappaMode != "fixed";

        internal string Describe(Support support) => support == Support.Discrete
            ? string.Empty
            : string.Create(CultureInfo.InvariantCulture, $", {EstimatorName(settings.Reduction)}, kappa {settings.Kappa:G5} {settings.KappaMode}{(settings.KappaMode == "reselect" ? $" every {settings.ReselectEvery} steps" : string.Empty)}");

        internal bool ReselectsAt(int step) => settings.KappaMode == "reselect" && step % settings.ReselectEvery == 0;

        internal double Learn(double kappa, double kappaGradient)
        {
            if (settings.KappaMode != "learned")
            {
                return kappa;
            }

            _t[0] = (float)Math.Log(kappa);
            _gradient[0] = (float)(kappa * kappaGradient);
            _adam.Step(_t, _gradient);

            // Adam's steps in log kappa are about the learning rate: a large rate leaves the terms'
            // range in a step or two. kappa stops at their ceiling, or at the bottom becomes 0 (the
            // uniform limit, where it stays) once it rounds to 0 in float32.
            double learned = Math.Min(Math.Exp(_t[0]), Entropy.MaxKappa);
            return (float)learned == 0f ? 0.0 : learned;
        }

        private static string EstimatorName(EntropyReduction reduction) => reduction switch
        {
            EntropyReduction.Average => "joe",
            EntropyReduction.LeaveOneOut => "joe-loo",
            _ => "plugin",
        };
    }

    /// <summary>Adam (Kingma and Ba) with the usual defaults.</summary>
    internal sealed class Adam(int size, double learningRate)
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
