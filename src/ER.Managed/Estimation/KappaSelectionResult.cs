namespace ER.Managed.Estimation;

/// <summary>A kernel concentration chosen from data by <see cref="KappaSelection"/>.</summary>
/// <param name="Kappa">The chosen concentration (0 when <paramref name="Boundary"/> is <see cref="KappaSelectionBoundary.Uniform"/>).</param>
/// <param name="LogLikelihood">The leave-one-out log-likelihood L(kappa) at <paramref name="Kappa"/>, in nats per sample (at kappa = 0, -log|S^(d-1)|).</param>
/// <param name="Iterations">Evaluations of L (leave-one-out), or of the vMF fit's equation (rule of thumb: its bracket's and its Newton steps'; 0 where the fit needs none).</param>
/// <param name="Method">How it was chosen.</param>
/// <param name="Boundary">Whether the choice is an interior maximum (<see cref="KappaSelectionBoundary.None"/>) or a limit of the search.</param>
public readonly record struct KappaSelectionResult(double Kappa, double LogLikelihood, int Iterations, KappaSelectionMethod Method, KappaSelectionBoundary Boundary = KappaSelectionBoundary.None);
