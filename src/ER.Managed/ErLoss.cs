using System;
using ER.Managed.Kernels;
using System.Numerics.Tensors;

namespace ER.Managed;

/// <summary>
/// The two-view ER objective for training loops:
/// <c>loss = a R(view1, view2) - b H</c>, with the helper applied to the raw projector outputs first
/// (L2 normalization for <see cref="Support.Sphere"/>, softmax with temperature for
/// <see cref="Support.Discrete"/>), and H the entropy of view 1, view 2 or their mean.
/// <see cref="Compute(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float})"/> returns the loss and writes the gradient for each raw view; the
/// kappa gradient comes back in the result so kappa can be learned.
/// </summary>
/// <remarks>
/// All buffers are allocated once, in the constructor (seven rows x columns float arrays), so
/// steps allocate nothing. Calls on one instance are serialized by a lock; use one instance per
/// thread to run in parallel. Settings may change between steps (for example a learned kappa).
/// </remarks>
public sealed partial class ErLoss
{
    private readonly object _gate = new();
    private readonly float[] _z1, _z2, _gradZ1, _gradZ2, _termGradA, _termGradB, _entropyGrad;
    private double _kappa = Entropy.DefaultKappa;
    private double _temperature = 1.0;
    private double _reconstructionWeight = 1.0;
    private double _entropyWeight = 1.0;
    private EntropyView _entropyOf = EntropyView.Mean;
    private EntropyReduction _reduction = EntropyReduction.Expectation;
    private NormalizerMode _normalizer = NormalizerMode.Exact;
    private ErOptions _options = ErOptions.Default;
    private ErOptions _innerOptions = ErOptions.Default with { ValidateInputs = false };

    /// <summary>Creates the loss for batches of <paramref name="rows"/> x <paramref name="columns"/> raw outputs.</summary>
    /// <param name="support">Sphere or discrete.</param>
    /// <param name="rows">The batch size k (at least 1).</param>
    /// <param name="columns">The projector's output dimension d (at least 1).</param>
    /// <exception cref="ArgumentOutOfRangeException">An undefined support, or rows or columns below 1 or too large.</exception>
    public ErLoss(Support support, int rows, int columns)
    {
        if (!Enum.IsDefined(support))
        {
            throw new ArgumentOutOfRangeException(nameof(support), support, "Use Support.Sphere or Support.Discrete.");
        }

        if (rows < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(rows), rows, "The batch size must be at least 1.");
        }

        if (columns < 1 || (long)rows * columns > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(columns), columns, "The dimension must be at least 1 and rows x columns fit in an array.");
        }

        Support = support;
        Rows = rows;
        Columns = columns;
        int n = rows * columns;
        _z1 = new float[n];
        _z2 = new float[n];
        _gradZ1 = new float[n];
        _gradZ2 = new float[n];
        _termGradA = new float[n];
        _termGradB = new float[n];
        _entropyGrad = new float[n];
    }

    /// <summary>The support chosen at construction.</summary>
    public Support Support { get; }

    /// <summary>The batch size k.</summary>
    public int Rows { get; }

    /// <summary>The dimension d.</summary>
    public int Columns { get; }

    /// <summary>The vMF concentration for sphere support (default 10); finite and positive.</summary>
    /// <exception cref="ArgumentOutOfRangeException">On set: not finite and positive.</exception>
    public double Kappa
    {
        get => _kappa;
        set
        {
            Entropy.CheckKappaForFloat(value);
            _kappa = value;
        }
    }

    /// <summary>The softmax temperature for discrete support (default 1); finite and positive.</summary>
    /// <exception cref="ArgumentOutOfRangeException">On set: not finite and positive.</exception>
    public double Temperature
    {
        get => _temperature;
        set => _temperature = double.IsFinite(value) && value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The temperature must be finite and positive.");
    }

    /// <summary>The weight a of the reconstruction term (default 1); finite.</summary>
    /// <exception cref="ArgumentOutOfRangeException">On set: not finite.</exception>
    public double ReconstructionWeight
    {
        get => _reconstructionWeight;
        set => _reconstructionWeight = double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The weight must be finite.");
    }

    /// <summary>The weight b of the entropy term (default 1); finite.</summary>
    /// <exception cref="ArgumentOutOfRangeException">On set: not finite.</exception>
    public double EntropyWeight
    {
        get => _entropyWeight;
        set => _entropyWeight = double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The weight must be finite.");
    }

    /// <summary>Which entropy enters the loss (default <see cref="EntropyView.Mean"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">On set: an undefined value.</exception>
    public EntropyView EntropyOf
    {
        get => _entropyOf;
        set => _entropyOf = Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Use EntropyView.Mean, View1 or View2.");
    }

    /// <summary>The entropy estimator (default plug-in, <see cref="EntropyReduction.Expectation"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">On set: an undefined value.</exception>
    public EntropyReduction Reduction
    {
        get => _reduction;
        set => _reduction = Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Use Expectation or Average.");
    }

    /// <summary>The vMF normalizer for sphere support (default exact).</summary>
    /// <exception cref="ArgumentOutOfRangeException">On set: an undefined value.</exception>
    public NormalizerMode Normalizer
    {
        get => _normalizer;
        set => _normalizer = Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Use Exact or Reference.");
    }

    /// <summary>Validation and threading settings (default <see cref="ErOptions.Default"/>); the raw views are checked for finiteness when validating.</summary>
    public ErOptions Options
    {
        get => _options;
        set
        {
            _options = value ?? ErOptions.Default;

            // The helper outputs (unit rows, probability rows) are valid by construction: the
            // terms skip re-checking them.
            _innerOptions = _options with { ValidateInputs = false };
        }
    }

    /// <summary>
    /// Evaluates the loss on one batch and writes its gradient with respect to each raw view.
    /// </summary>
    /// <param name="view1">View 1's raw projector outputs, rows x columns, row-major.</param>
    /// <param name="view2">View 2's raw projector outputs, rows x columns.</param>
    /// <param name="gradient1">Output: dLoss/dview1, rows x columns; must not overlap any input.</param>
    /// <param name="gradient2">Output: dLoss/dview2, rows x columns; must not overlap any input or <paramref name="gradient1"/>.</param>
    /// <returns>The loss, its parts and dLoss/dkappa.</returns>
    /// <exception cref="ArgumentException">A span has the wrong length, an input is not finite (when validating), or spans overlap.</exception>
    /// <exception cref="ArgumentOutOfRangeException">In reference mode, a kappa where the original's constant overflows.</exception>
    public ErLossResult Compute(ReadOnlySpan<float> view1, ReadOnlySpan<float> view2, Span<float> gradient1, Span<float> gradient2)
    {
        int n = Rows * Columns;
        Validation.CheckShape(view1.Length, Rows, Columns, nameof(view1));
        Validation.CheckShape(view2.Length, Rows, Columns, nameof(view2));
        Validation.CheckDestination(gradient1.Length, n, nameof(gradient1));
        Validation.CheckDestination(gradient2.Length, n, nameof(gradient2));
        Validation.CheckNoOverlap(view1, gradient1, nameof(view1), nameof(gradient1));
        Validation.CheckNoOverlap(view2, gradient1, nameof(view2), nameof(gradient1));
        Validation.CheckNoOverlap(view1, gradient2, nameof(view1), nameof(gradient2));
        Validation.CheckNoOverlap(view2, gradient2, nameof(view2), nameof(gradient2));
        Validation.CheckNoOverlap(gradient1, gradient2, nameof(gradient1), nameof(gradient2));
        if (_options.ValidateInputs)
        {
            Validation.CheckFinite(view1, Columns, nameof(view1));
            Validation.CheckFinite(view2, Columns, nameof(view2));
        }

        lock (_gate)
        {
            return Support == Support.Sphere
                ? ComputeSphere(view1, view2, gradient1, gradient2)
                : ComputeDiscrete(view1, view2, gradient1, gradient2);
        }
    }

    private ErLossResult ComputeSphere(ReadOnlySpan<float> view1, ReadOnlySpan<float> view2, Span<float> gradient1, Span<float> gradient2)
    {
        int k = Rows, d = Columns;
        RowOps.L2Normalize(view1, k, d, _z1);
        RowOps.L2Normalize(view2, k, d, _z2);

        ErOptions inner = _innerOptions;
        SphereTermResult r = Reconstruction.SphereWithGradient(_z1, _z2, k, d, _termGradA, _termGradB, _kappa, _normalizer, inner);
        Scale(_termGradA, _gradZ1, (float)_reconstructionWeight);
        Scale(_termGradB, _gradZ2, (float)_reconstructionWeight);

        (double w1, double w2) = EntropyShares();
        double entropy = 0.0, entropyKappa = 0.0;
        if (w1 > 0)
        {
            SphereTermResult h = Entropy.SphereWithGradient(_z1, k, d, _entropyGrad, _kappa, _reduction, _normalizer, inner);
            entropy += w1 * h.Value;
            entropyKappa += w1 * h.KappaGradient;
            TensorPrimitives.MultiplyAdd(_entropyGrad, (float)(-_entropyWeight * w1), _gradZ1, _gradZ1);
        }

        if (w2 > 0)
        {
            SphereTermResult h = Entropy.SphereWithGradient(_z2, k, d, _entropyGrad, _kappa, _reduction, _normalizer, inner);
            entropy += w2 * h.Value;
            entropyKappa += w2 * h.KappaGradient;
            TensorPrimitives.MultiplyAdd(_entropyGrad, (float)(-_entropyWeight * w2), _gradZ2, _gradZ2);
        }

        RowOps.L2NormalizeBackward(view1, _gradZ1, k, d, gradient1);
        RowOps.L2NormalizeBackward(view2, _gradZ2, k, d, gradient2);
        double loss = (_reconstructionWeight * r.Value) - (_entropyWeight * entropy);
        double kappaGradient = (_reconstructionWeight * r.KappaGradient) - (_entropyWeight * entropyKappa);
        return new ErLossResult(loss, r.Value, entropy, kappaGradient);
    }

    private ErLossResult ComputeDiscrete(ReadOnlySpan<float> view1, ReadOnlySpan<float> view2, Span<float> gradient1, Span<float> gradient2)
    {
        int k = Rows, d = Columns;
        RowOps.Softmax(view1, k, d, _z1, _temperature);
        RowOps.Softmax(view2, k, d, _z2, _temperature);
        ErOptions inner = _innerOptions;
        double r = Reconstruction.DiscreteWithGradient(_z1, _z2, k, d, _termGradA, _termGradB, inner);
        Scale(_termGradA, _gradZ1, (float)_reconstructionWeight);
        Scale(_termGradB, _gradZ2, (float)_reconstructionWeight);

        (double w1, double w2) = EntropyShares();
        double entropy = 0.0;
        if (w1 > 0)
        {
            entropy += w1 * Entropy.DiscreteWithGradient(_z1, k, d, _entropyGrad, _reduction, inner);
            TensorPrimitives.MultiplyAdd(_entropyGrad, (float)(-_entropyWeight * w1), _gradZ1, _gradZ1);
        }

        if (w2 > 0)
        {
            entropy += w2 * Entropy.DiscreteWithGradient(_z2, k, d, _entropyGrad, _reduction, inner);
            TensorPrimitives.MultiplyAdd(_entropyGrad, (float)(-_entropyWeight * w2), _gradZ2, _gradZ2);
        }

        RowOps.SoftmaxBackward(_z1, _gradZ1, k, d, gradient1, _temperature);
        RowOps.SoftmaxBackward(_z2, _gradZ2, k, d, gradient2, _temperature);
        return new ErLossResult((_reconstructionWeight * r) - (_entropyWeight * entropy), r, entropy, 0.0);
    }

    private (double View1, double View2) EntropyShares() => _entropyOf switch
    {
        EntropyView.View1 => (1.0, 0.0),
        EntropyView.View2 => (0.0, 1.0),
        _ => (0.5, 0.5),
    };

    private static void Scale(ReadOnlySpan<float> source, Span<float> destination, float factor)
    {
        destination.Clear();
        TensorPrimitives.MultiplyAdd(source, factor, destination, destination);
    }
}
