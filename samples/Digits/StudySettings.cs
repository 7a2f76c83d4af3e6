namespace ER.Managed.Samples.Digits;

/// <summary>The study's hyper-parameters (the defaults are the full study's).</summary>
public sealed record StudySettings
{
    /// <summary>Hidden widths of the encoder (64 -> hidden... -> d).</summary>
    public int[] Hidden { get; init; } = [256, 256];

    /// <summary>Passes over the training images.</summary>
    public int Epochs { get; init; } = 100;

    /// <summary>Adam's step size (network, and log kappa when learned).</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>The ER kernel's kappa (its start when learned).</summary>
    public double Kappa { get; init; } = 10.0;

    /// <summary>InfoNCE's temperature.</summary>
    public double Temperature { get; init; } = 0.1;

    /// <summary>The share of the images for training; the rest is held out.</summary>
    public double TrainFraction { get; init; } = 0.7;

    /// <summary>The seed of the train/test split (the same for every run).</summary>
    public int SplitSeed { get; init; } = 2024;

    /// <summary>Epochs between two measurements of the held-out embeddings' entropy.</summary>
    public int EntropyEvery { get; init; } = 5;
}
