namespace ER.Managed;

/// <summary>
/// Settings shared by every ER term. Immutable: build one with an object initializer and pass it
/// to any number of calls, from any number of threads. <c>null</c> anywhere means <see cref="Default"/>.
/// </summary>
public sealed record ErOptions
{
    /// <summary>The defaults: inputs validated, all cores used.</summary>
    public static ErOptions Default { get; } = new();

    /// <summary>
    /// Whether inputs are checked before computing (default <c>true</c>): every element finite,
    /// sphere rows of unit norm within <see cref="UnitNormTolerance"/>, discrete rows non-negative
    /// and summing to 1 within <see cref="ProbabilitySumTolerance"/>. Shapes, lengths and kappa are
    /// always checked. The checks read each input once more; turn them off only in a hot loop
    /// whose inputs are known good (a violated precondition then gives unspecified numbers).
    /// </summary>
    public bool ValidateInputs { get; init; } = true;

    /// <summary>
    /// Largest accepted <c>| ||z_i||^2 - 1 |</c> for sphere rows (default 1e-3: a float32 row
    /// normalized in float32 is within ~1e-6; 1e-3 catches unnormalized inputs, not rounding).
    /// Normalize with <see cref="RowOps.L2Normalize(ReadOnlySpan{float}, int, int, Span{float}, float)"/> first if your rows are raw.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or NaN.</exception>
    public double UnitNormTolerance
    {
        get => _unitNormTolerance;
        init => _unitNormTolerance = CheckTolerance(value, nameof(UnitNormTolerance));
    }

    /// <summary>
    /// Largest accepted <c>|sum_c p_c - 1|</c> for discrete rows (default 1e-3: a float32 softmax
    /// row sums to 1 within about sqrt(d) * 6e-8, 2e-5 at d = 65536).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or NaN.</exception>
    public double ProbabilitySumTolerance
    {
        get => _probabilitySumTolerance;
        init => _probabilitySumTolerance = CheckTolerance(value, nameof(ProbabilitySumTolerance));
    }

    /// <summary>
    /// The most threads one call may use; default <c>-1</c>, meaning <see cref="Environment.ProcessorCount"/>.
    /// Results do not depend on it: every reduction runs in a fixed order.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is 0 or below -1.</exception>
    public int MaxDegreeOfParallelism
    {
        get => _maxDegreeOfParallelism;
        init => _maxDegreeOfParallelism = value is -1 or > 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxDegreeOfParallelism), value, "Use -1 (all cores) or a positive thread count.");
    }

    private readonly double _unitNormTolerance = 1e-3;
    private readonly double _probabilitySumTolerance = 1e-3;
    private readonly int _maxDegreeOfParallelism = -1;

    private static double CheckTolerance(double value, string name) =>
        value >= 0.0 ? value : throw new ArgumentOutOfRangeException(name, value, "A tolerance must be non-negative (positive infinity disables the check).");

    /// <summary>The number of threads a call with these options uses: <see cref="MaxDegreeOfParallelism"/>, or <see cref="Environment.ProcessorCount"/> where that is -1 (the default).</summary>
    public int EffectiveDegreeOfParallelism =>
        MaxDegreeOfParallelism > 0 ? MaxDegreeOfParallelism : Environment.ProcessorCount;
}
