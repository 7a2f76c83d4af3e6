namespace ER.Managed.Estimation;

/// <summary>Whether a selected concentration is an interior maximum or a limit of the search.</summary>
public enum KappaSelectionBoundary
{
    /// <summary>An interior maximum: the leave-one-out likelihood rises below the chosen kappa and falls above it.</summary>
    None = 0,

    /// <summary>
    /// The likelihood is largest in the limit kappa -&gt; 0: the data are no more concentrated than the
    /// uniform distribution (spread-out embeddings, what the entropy term drives training towards).
    /// The result's kappa is 0, a valid concentration for every term (the uniform limit).
    /// </summary>
    Uniform = 1,

    /// <summary>
    /// The likelihood still rises at <see cref="KappaSelection.MaxKappa"/>: some rows (near-)duplicate
    /// others, and the kernel density's likelihood grows without bound as kappa grows. The result's
    /// kappa is <see cref="KappaSelection.MaxKappa"/>, the search's ceiling.
    /// </summary>
    Concentrated = 2,
}
