using System.Collections.Generic;
using System.Diagnostics;

namespace ER.Managed.Samples.Digits;

/// <summary>One run's settings: objective, batch size, embedding dimension, seed.</summary>
public sealed record RunSpec(ObjectiveSpec Objective, int BatchSize, int Dimension, int Seed);

/// <summary>One run's results on the held-out images.</summary>
/// <param name="Spec">What was trained.</param>
/// <param name="NearestNeighbourAccuracy">5-NN (cosine) accuracy.</param>
/// <param name="LinearProbeAccuracy">Linear probe accuracy.</param>
/// <param name="Entropy">kNN entropy of the held-out embeddings at the end, in nats.</param>
/// <param name="FinalKappa">kappa at the end (NaN for InfoNCE).</param>
/// <param name="EntropyCurve">(epoch, entropy) every few epochs, from epoch 0.</param>
/// <param name="Seconds">Training time.</param>
public sealed record RunResult(RunSpec Spec, double NearestNeighbourAccuracy, double LinearProbeAccuracy, double Entropy, double FinalKappa, IReadOnlyList<(int Epoch, double Entropy)> EntropyCurve, double Seconds);

/// <summary>
/// Trains the encoder on one objective: every epoch the training images in a seeded random order,
/// batches of B images, two augmented views of each stacked into one 2B x 64 forward, the
/// objective's gradient for those 2B outputs back through the network, one Adam step.
/// </summary>
public static class TrainingRun
{
    /// <summary>Builds the encoder a run starts from (the same for every objective at a seed and dimension).</summary>
    public static Mlp Encoder(StudySettings settings, int dimension, int seed) =>
        new([DigitsData.Pixels, .. settings.Hidden, dimension], new Random(seed));

    /// <summary>Trains and evaluates one run.</summary>
    public static RunResult Run(RunSpec spec, DigitsData train, DigitsData test, StudySettings settings)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(settings);
        var watch = Stopwatch.StartNew();
        Mlp network = Encoder(settings, spec.Dimension, spec.Seed);
        var random = new Random(spec.Seed + 1);
        int b = spec.BatchSize, d = spec.Dimension;
        var objective = new Objective(spec.Objective, b, d, settings);
        var optimizer = new Adam(network.Parameters.Length, settings.LearningRate);
        var augmentation = new Augmentation();
        var views = new float[2 * b * DigitsData.Pixels];
        var gradient = new float[2 * b * d];
        var order = new int[train.Count];
        var curve = new List<(int, double)> { (0, HeldOutEntropy(network, test)) };
        for (int epoch = 1; epoch <= settings.Epochs; epoch++)
        {
            for (int i = 0; i < order.Length; i++)
            {
                order[i] = i;
            }

            random.Shuffle(order);
            for (int start = 0; start + b <= order.Length; start += b)
            {
                for (int v = 0; v < 2; v++)
                {
                    for (int r = 0; r < b; r++)
                    {
                        ReadOnlySpan<float> image = train.Images.AsSpan(order[start + r] * DigitsData.Pixels, DigitsData.Pixels);
                        augmentation.View(image, views.AsSpan(((v * b) + r) * DigitsData.Pixels, DigitsData.Pixels), random);
                    }
                }

                ReadOnlySpan<float> outputs = network.Forward(views, 2 * b);
                objective.Step(outputs, gradient);
                network.Backward(gradient);
                optimizer.Step(network.Parameters, network.Gradients);
            }

            if (epoch % settings.EntropyEvery == 0 || epoch == settings.Epochs)
            {
                curve.Add((epoch, HeldOutEntropy(network, test)));
            }
        }

        double seconds = watch.Elapsed.TotalSeconds;
        (double knn, double probe, double entropy) = Evaluate(network, train, test);
        return new RunResult(spec, knn, probe, entropy, objective.Kappa, curve, seconds);
    }

    /// <summary>5-NN accuracy, linear probe accuracy and kNN entropy of a network's held-out embeddings.</summary>
    public static (double NearestNeighbour, double LinearProbe, double Entropy) Evaluate(Mlp network, DigitsData train, DigitsData test)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        int d = network.Outputs;
        float[] trainEmbeddings = Evaluation.Embed(network, train);
        float[] testEmbeddings = Evaluation.Embed(network, test);
        return (
            Evaluation.NearestNeighbourAccuracy(trainEmbeddings, train.Labels, testEmbeddings, test.Labels, d),
            Evaluation.LinearProbeAccuracy(trainEmbeddings, train.Labels, testEmbeddings, test.Labels, d),
            Evaluation.Entropy(testEmbeddings, test.Count, d));
    }

    private static double HeldOutEntropy(Mlp network, DigitsData test) => Evaluation.Entropy(Evaluation.Embed(network, test), test.Count, network.Outputs);
}
