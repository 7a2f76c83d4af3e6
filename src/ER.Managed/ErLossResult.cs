namespace ER.Managed;

/// <summary>One evaluation of <see cref="ErLoss"/>: the loss and its parts, in nats.</summary>
/// <param name="Loss"><c>a R - b H</c>.</param>
/// <param name="Reconstruction">R: for two views R(view 1, view 2); for more, the mean of R over the pairs (<see cref="ErLoss.GlobalViews"/>).</param>
/// <param name="Entropy">H: the mean entropy of the views <see cref="ErLoss.EntropyOf"/> chooses.</param>
/// <param name="KappaGradient">dLoss/dkappa (0 for discrete support).</param>
public readonly record struct ErLossResult(double Loss, double Reconstruction, double Entropy, double KappaGradient);
