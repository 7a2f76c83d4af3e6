namespace ER.Managed.Estimation;

/// <summary>A kernel concentration chosen from data by <see cref="KappaSelection"/>.</summary>
/// <param name="Kappa">The chosen concentration.</param>
/// <param name="LogLikelihood">The leave-one-out log-likelihood L(kappa) at <paramref name="Kappa"/>, in nats per sample.</param>
/// <param name="Iterations">Evaluations of L (leave-one-out), or Newton steps of the vMF fit (rule of thumb).</param>
/// <param name="Method">How it was chosen.</param>
public readonly record struct KappaSelectionResult(double Kappa, double LogLikelihood, int Iterations, KappaSelectionMethod Method);
