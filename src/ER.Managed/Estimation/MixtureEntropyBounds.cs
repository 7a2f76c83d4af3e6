namespace ER.Managed.Estimation;

/// <summary>Lower and upper bounds on the differential entropy of a kernel-density mixture, in nats.</summary>
/// <param name="Lower">The Bhattacharyya (lower) bound.</param>
/// <param name="Upper">The Kullback-Leibler (upper) bound.</param>
public readonly record struct MixtureEntropyBounds(double Lower, double Upper);
