namespace ER.Managed;

/// <summary>The value of a sphere term and its derivative with respect to kappa, from one call.</summary>
/// <param name="Value">The term's value, in nats.</param>
/// <param name="KappaGradient">d(value)/d(kappa), in nats per unit of kappa (for the reference normalizer, the derivative of the original's own constant).</param>
public readonly record struct SphereTermResult(double Value, double KappaGradient);
