namespace ER.Managed;

/// <summary>One evaluation of <see cref="ErLoss"/>: the loss and its parts, in nats.</summary>
/// <param name="Loss"><c>a R - b H</c>.</param>
/// <param name="Reconstruction">R(view 1, view 2).</param>
/// <param name="Entropy">H, as chosen by <see cref="ErLoss.EntropyOf"/>.</param>
/// <param name="KappaGradient">dLoss/dkappa (0 for discrete support).</param>
public readonly record struct ErLossResult(double Loss, double Reconstruction, double Entropy, double KappaGradient);
