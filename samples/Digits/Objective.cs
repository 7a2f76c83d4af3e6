namespace ER.Managed.Samples.Digits;

/// <summary>What a run trains with.</summary>
/// <param name="Name">The name in tables and plots (er-plugin, er-loo-learned, reconstruction-only, infonce, ...).</param>
/// <param name="Kind">The ER loss, its reconstruction alone, or InfoNCE.</param>
/// <param name="Reduction">The ER entropy estimator.</param>
/// <param name="LearnKappa">Whether kappa follows dLoss/dkappa (Adam on log kappa) or stays fixed.</param>
public sealed record ObjectiveSpec(string Name, ObjectiveKind Kind, EntropyReduction Reduction = EntropyReduction.Expectation, bool LearnKappa = false)
{
    /// <summary>Every objective of the full study.</summary>
    public static ObjectiveSpec[] All { get; } =
    [
        new("er-plugin", ObjectiveKind.Er, EntropyReduction.Expectation),
        new("er-joe", ObjectiveKind.Er, EntropyReduction.Average),
        new("er-loo", ObjectiveKind.Er, EntropyReduction.LeaveOneOut),
        new("er-plugin-learned", ObjectiveKind.Er, EntropyReduction.Expectation, LearnKappa: true),
        new("er-joe-learned", ObjectiveKind.Er, EntropyReduction.Average, LearnKappa: true),
        new("er-loo-learned", ObjectiveKind.Er, EntropyReduction.LeaveOneOut, LearnKappa: true),
        new("reconstruction-only", ObjectiveKind.ReconstructionOnly),
        new("infonce", ObjectiveKind.InfoNce),
    ];

    /// <summary>Looks up an objective by name.</summary>
    public static ObjectiveSpec Named(string name) => Array.Find(All, o => o.Name == name) ?? throw new ArgumentException($"No objective named '{name}'.", nameof(name));
}

/// <summary>The kinds of objective.</summary>
public enum ObjectiveKind
{
    /// <summary><c>R - H</c> on the sphere (<see cref="ErLoss"/>).</summary>
    Er,

    /// <summary><c>R</c> alone: nothing keeps the embeddings apart.</summary>
    ReconstructionOnly,

    /// <summary>NT-Xent (<see cref="InfoNce"/>).</summary>
    InfoNce,
}

/// <summary>An objective bound to a batch shape: the loss and its gradient for two stacked views of raw outputs, and kappa when it is learned.</summary>
public sealed class Objective
{
    private readonly ErLoss? _loss;
    private readonly InfoNce? _infoNce;
    private readonly Adam? _kappaOptimizer;
    private readonly float[] _logKappa = new float[1];
    private readonly float[] _logKappaGradient = new float[1];

    /// <summary>Creates the objective for batches of <paramref name="rows"/> samples (two views each) of <paramref name="columns"/> outputs.</summary>
    public Objective(ObjectiveSpec spec, int rows, int columns, StudySettings settings)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(settings);
        Spec = spec;
        if (spec.Kind == ObjectiveKind.InfoNce)
        {
            _infoNce = new InfoNce(rows, columns, settings.Temperature);
            return;
        }

        _loss = new ErLoss(Support.Sphere, rows, columns, views: 2)
        {
            Kappa = settings.Kappa,
            Reduction = spec.Reduction,
            EntropyWeight = spec.Kind == ObjectiveKind.ReconstructionOnly ? 0.0 : 1.0,
            Options = new ErOptions { ValidateInputs = false, MaxDegreeOfParallelism = 1 },
        };
        if (spec.LearnKappa)
        {
            _kappaOptimizer = new Adam(1, settings.LearningRate);
            _logKappa[0] = (float)Math.Log(settings.Kappa);
        }
    }

    /// <summary>The objective's description.</summary>
    public ObjectiveSpec Spec { get; }

    /// <summary>The current kappa (NaN for InfoNCE).</summary>
    public double Kappa => _loss?.Kappa ?? double.NaN;

    /// <summary>The loss on two stacked views of raw outputs and its gradient with respect to them; steps kappa when it is learned.</summary>
    public double Step(ReadOnlySpan<float> outputs, Span<float> gradient)
    {
        if (_infoNce is not null)
        {
            return _infoNce.Compute(outputs, gradient);
        }

        ErLossResult result = _loss!.Compute(outputs, gradient);
        if (_kappaOptimizer is not null)
        {
            // t = log kappa: dLoss/dt = kappa dLoss/dkappa, and kappa stays positive.
            _logKappaGradient[0] = (float)(_loss.Kappa * result.KappaGradient);
            _kappaOptimizer.Step(_logKappa, _logKappaGradient);
            // Within the terms' range: at most Entropy.MaxKappa, and 0 (the uniform limit) once
            // kappa would round to 0 in float32.
            double kappa = Math.Min(Math.Exp(_logKappa[0]), Entropy.MaxKappa);
            _loss.Kappa = (float)kappa == 0f ? 0.0 : kappa;
        }

        return result.Loss;
    }
}
