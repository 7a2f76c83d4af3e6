namespace ER.Managed;

/// <summary>The checks of the terms' own arguments (kappa, dimension, estimator, inputs), shared by every public entry point.</summary>
internal static partial class Validation
{
    internal static void CheckDimension(int dimension, string name = "dimension")
    {
        if (dimension < 1)
        {
            throw new ArgumentOutOfRangeException(name, dimension, "The dimension must be at least 1.");
        }
    }

    internal static void CheckKappa(double kappa, string name = "kappa")
    {
        if (!double.IsFinite(kappa) || kappa < 0.0)
        {
            throw new ArgumentOutOfRangeException(name, kappa, $"{name} must be finite and at least 0.");
        }
    }

    internal static void CheckSphereInput(ReadOnlySpan<float> z, int rows, int columns, double kappa, string name, ErOptions options)
    {
        Validation.CheckShape(z.Length, rows, columns, name);
        CheckTermKappa(kappa);
        if (options.ValidateInputs)
        {
            Validation.CheckUnitRows(z, rows, columns, options.UnitNormTolerance, name, options.EffectiveDegreeOfParallelism);
        }
    }

    internal static void CheckDiscreteInput(ReadOnlySpan<float> w, int rows, int columns, string name, ErOptions options)
    {
        Validation.CheckShape(w.Length, rows, columns, name);
        if (options.ValidateInputs)
        {
            Validation.CheckProbabilityRows(w, rows, columns, options.ProbabilitySumTolerance, name, options.EffectiveDegreeOfParallelism);
        }
    }

    /// <summary>
    /// The kappa of a sphere term. It scales float32 similarities, so it must also be finite as a
    /// float and not round to 0 there unless it is 0 (the uniform limit); and at most
    /// <see cref="Entropy.MaxKappa"/>, where the terms' kappa-sized parts that cancel still leave
    /// float32's digits in double.
    /// </summary>
    internal static void CheckTermKappa(double kappa)
    {
        CheckKappa(kappa);
        if (!float.IsFinite((float)kappa))
        {
            throw new ArgumentOutOfRangeException(nameof(kappa), kappa, "kappa must be representable as a finite float32 (the similarities are float32).");
        }

        if (kappa > Entropy.MaxKappa)
        {
            throw new ArgumentOutOfRangeException(nameof(kappa), kappa, "kappa must be at most 1e10 (Entropy.MaxKappa) in the sphere terms: above it the parts of size kappa that cancel in the value and the gradient (the normalizer against kappa s, the rows' log-sum-exps against one another) keep fewer digits than float32 in double.");
        }

        if (kappa > 0 && (float)kappa == 0f)
        {
            throw new ArgumentOutOfRangeException(nameof(kappa), kappa, "kappa rounds to 0 in float32 (the similarities' precision): pass 0 for the uniform limit, or a kappa of at least 1.4e-45.");
        }
    }

    /// <summary>A sphere estimator: plug-in, Joe's, or Joe's leave-one-out (which needs 2 rows).</summary>
    internal static void CheckSphereReduction(EntropyReduction reduction, int rows)
    {
        if (!Enum.IsDefined(reduction))
        {
            throw new ArgumentOutOfRangeException(nameof(reduction), reduction, "Use EntropyReduction.Expectation (plug-in), Average (Joe's) or LeaveOneOut.");
        }

        if (reduction == EntropyReduction.LeaveOneOut && rows < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(rows), rows, "Leaving one out needs at least 2 rows.");
        }
    }

    /// <summary>A discrete reduction: expectation or average.</summary>
    internal static void CheckDiscreteReduction(EntropyReduction reduction)
    {
        if (reduction is not (EntropyReduction.Expectation or EntropyReduction.Average))
        {
            throw new ArgumentOutOfRangeException(
                nameof(reduction),
                reduction,
                reduction == EntropyReduction.LeaveOneOut
                    ? "LeaveOneOut is a sphere estimator; the discrete entropy takes EntropyReduction.Expectation or Average."
                    : "Use EntropyReduction.Expectation or EntropyReduction.Average.");
        }
    }

    internal static void CheckNormalizer(NormalizerMode normalizer)
    {
        if (!Enum.IsDefined(normalizer))
        {
            throw new ArgumentOutOfRangeException(nameof(normalizer), normalizer, "Use NormalizerMode.Exact or NormalizerMode.Reference.");
        }
    }
}
