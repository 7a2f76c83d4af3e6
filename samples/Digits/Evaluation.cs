using System.Numerics.Tensors;

namespace ER.Managed.Samples.Digits;

/// <summary>
/// How good an embedding is, measured on the held-out images: a 5-nearest-neighbour classifier
/// (cosine similarity to the training images' embeddings, majority vote, ties to the nearest), a
/// linear probe (softmax regression trained on the training embeddings), and the kNN entropy of the
/// held-out embeddings on the sphere (m = 4), which falls towards minus infinity as they collapse.
/// </summary>
public static class Evaluation
{
    private static readonly ErOptions Serial = new() { ValidateInputs = false, MaxDegreeOfParallelism = 1 };

    /// <summary>The network's outputs for every image, each row normalized to unit length.</summary>
    public static float[] Embed(Mlp network, DigitsData data)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(data);
        int d = network.Outputs;
        var embeddings = new float[data.Count * d];
        const int Chunk = 256;
        for (int start = 0; start < data.Count; start += Chunk)
        {
            int rows = Math.Min(Chunk, data.Count - start);
            network.Forward(data.Images.AsSpan(start * DigitsData.Pixels, rows * DigitsData.Pixels), rows).CopyTo(embeddings.AsSpan(start * d, rows * d));
        }

        Normalize(embeddings, data.Count, d);
        return embeddings;
    }

    /// <summary>Rows scaled to unit length (a zero row stays zero).</summary>
    public static void Normalize(Span<float> rows, int count, int d)
    {
        for (int i = 0; i < count; i++)
        {
            Span<float> row = rows.Slice(i * d, d);
            float norm = TensorPrimitives.Norm(row);
            if (norm > 0)
            {
                TensorPrimitives.Divide(row, norm, row);
            }
        }
    }

    /// <summary>The share of test rows whose 5 most cosine-similar training rows vote for their label.</summary>
    public static double NearestNeighbourAccuracy(float[] train, int[] trainLabels, float[] test, int[] testLabels, int d, int neighbours = 5)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(trainLabels);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(testLabels);
        int n = trainLabels.Length, m = testLabels.Length;
        var similarity = new float[m * n];
        Gram.MultiplyTransposed(test, m, train, n, d, similarity, Serial);
        int correct = 0;
        Span<int> best = stackalloc int[neighbours];
        Span<int> votes = stackalloc int[10];
        for (int i = 0; i < m; i++)
        {
            ReadOnlySpan<float> row = similarity.AsSpan(i * n, n);
            best.Fill(-1);
            for (int j = 0; j < n; j++)
            {
                // Insertion into the sorted top list (most similar first; ties to the lower index).
                int at = neighbours;
                while (at > 0 && (best[at - 1] < 0 || row[j] > row[best[at - 1]]))
                {
                    at--;
                }

                if (at < neighbours)
                {
                    for (int t = neighbours - 1; t > at; t--)
                    {
                        best[t] = best[t - 1];
                    }

                    best[at] = j;
                }
            }

            votes.Clear();
            foreach (int j in best)
            {
                votes[trainLabels[j]]++;
            }

            int label = trainLabels[best[0]];
            for (int c = 0; c < 10; c++)
            {
                if (votes[c] > votes[label])
                {
                    label = c;
                }
            }

            correct += label == testLabels[i] ? 1 : 0;
        }

        return (double)correct / m;
    }

    /// <summary>
    /// A linear probe: softmax regression <c>softmax(W x + b)</c> on the training rows (full-batch
    /// Adam, learning rate 0.05, 300 steps, weight decay 1e-4), its accuracy on the test rows.
    /// </summary>
    public static double LinearProbeAccuracy(float[] train, int[] trainLabels, float[] test, int[] testLabels, int d, int steps = 300)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(trainLabels);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(testLabels);
        const int Classes = 10;
        int n = trainLabels.Length;
        var parameters = new float[(Classes * d) + Classes];
        var gradient = new float[parameters.Length];
        var optimizer = new Adam(parameters.Length, 0.05, weightDecay: 1e-4);
        var logits = new float[Classes];
        for (int step = 0; step < steps; step++)
        {
            Array.Clear(gradient);
            for (int i = 0; i < n; i++)
            {
                ReadOnlySpan<float> x = train.AsSpan(i * d, d);
                Logits(parameters, x, d, logits);
                RowOps.Softmax(logits, 1, Classes, logits);
                logits[trainLabels[i]] -= 1f;
                for (int c = 0; c < Classes; c++)
                {
                    float g = logits[c] / n;
                    TensorPrimitives.MultiplyAdd(x, g, gradient.AsSpan(c * d, d), gradient.AsSpan(c * d, d));
                    gradient[(Classes * d) + c] += g;
                }
            }

            optimizer.Step(parameters, gradient);
        }

        int correct = 0;
        for (int i = 0; i < testLabels.Length; i++)
        {
            Logits(parameters, test.AsSpan(i * d, d), d, logits);
            correct += TensorPrimitives.IndexOfMax(logits) == testLabels[i] ? 1 : 0;
        }

        return (double)correct / testLabels.Length;
    }

    /// <summary>The kNN entropy (m = 4) of unit rows, in nats; minus infinity where the embedding has collapsed so far that rows coincide (or are zero).</summary>
    public static double Entropy(float[] unitRows, int count, int d)
    {
        try
        {
            return ER.Managed.Entropy.SphereKnn(unitRows, count, d, 4, new ErOptions { MaxDegreeOfParallelism = 1 });
        }
        catch (ArgumentException)
        {
            // The library refuses rows with 4 or more exact duplicates (the estimate is -infinity) and zero rows.
            return double.NegativeInfinity;
        }
    }

    private static void Logits(float[] parameters, ReadOnlySpan<float> x, int d, Span<float> logits)
    {
        for (int c = 0; c < logits.Length; c++)
        {
            logits[c] = TensorPrimitives.Dot(parameters.AsSpan(c * d, d), x) + parameters[(logits.Length * d) + c];
        }
    }
}
