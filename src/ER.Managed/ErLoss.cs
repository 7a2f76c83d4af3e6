namespace ER.Managed;

/// <summary>
/// The ER objective for training loops, for two views or more (multi-crop):
/// <c>loss = a mean_{(p,q) in pairs} R(Z_p, Z_q) - b mean_{v in E} H(Z_v)</c>, with the helper applied to
/// each view's raw projector outputs first (L2 normalization for <see cref="Support.Sphere"/>, softmax
/// with temperature for <see cref="Support.Discrete"/>). The pairs are the unordered pairs of views
/// that hold at least one of the first <see cref="GlobalViews"/> views (all pairs by default); E is
/// chosen by <see cref="EntropyOf"/> (all views by default). <c>Compute</c> returns the loss and writes
/// the gradient for each raw view; the kappa gradient comes back in the result so kappa can be learned.
/// </summary>
/// <remarks>
/// <para>
/// Two views: <see cref="Compute(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float})"/>,
/// <c>loss = a R(Z_1, Z_2) - b H</c>. More views (or two, stacked):
/// <see cref="Compute(ReadOnlySpan{float}, Span{float})"/> on the views one after another in one span
/// (V k x d blocks, as an encoder's batched forward over all crops writes them); with two views both
/// give the same bits.
/// </para>
/// <para>
/// All buffers are allocated once, in the constructor (2 V + 3 rows x columns float arrays), so
/// steps allocate nothing. Calls on one instance are serialized by a lock; use one instance per
/// thread to run in parallel. Settings may change between steps (for example a learned kappa).
/// </para>
/// </remarks>
public sealed partial class ErLoss
{
    private readonly object _gate = new();
    private readonly float[] _z, _gradZ, _termGradA, _termGradB, _entropyGrad;
    private readonly bool[] _started;
    private double _kappa = ER.Managed.Entropy.DefaultKappa;
    private double _temperature = 1.0;
    private double _reconstructionWeight = 1.0;
    private double _entropyWeight = 1.0;
    private int _globalViews;
    private EntropyView _entropyOf = EntropyView.Mean;
    private EntropyReduction _reduction = EntropyReduction.Expectation;
    private NormalizerMode _normalizer = NormalizerMode.Exact;
    private ErOptions _options = ErOptions.Default;
    private ErOptions _innerOptions = ErOptions.Default with { ValidateInputs = false };

    /// <summary>Creates the two-view loss for batches of <paramref name="rows"/> x <paramref name="columns"/> raw outputs.</summary>
    /// <param name="support">Sphere or discrete.</param>
    /// <param name="rows">The batch size k (at least 1).</param>
    /// <param name="columns">The projector's output dimension d (at least 1).</param>
    /// <exception cref="ArgumentOutOfRangeException">An undefined support, or rows or columns below 1 or too large.</exception>
    public ErLoss(Support support, int rows, int columns)
        : this(support, rows, columns, views: 2)
    {
    }

    /// <summary>Creates the loss for <paramref name="views"/> views of <paramref name="rows"/> x <paramref name="columns"/> raw outputs each.</summary>
    /// <param name="support">Sphere or discrete.</param>
    /// <param name="rows">The batch size k (at least 1).</param>
    /// <param name="columns">The projector's output dimension d (at least 1).</param>
    /// <param name="views">The number of views V (at least 2), all global until <see cref="GlobalViews"/> says otherwise.</param>
    /// <exception cref="ArgumentOutOfRangeException">An undefined support; rows or columns below 1, views below 2, or V x rows x columns too large for an array.</exception>
    public ErLoss(Support support, int rows, int columns, int views)
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

        if (views < 2 || (long)views * rows * columns > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(views), views, "The loss takes at least 2 views, and views x rows x columns must fit in an array.");
        }

        Support = support;
        Rows = rows;
        Columns = columns;
        Views = views;
        _globalViews = views;
        int n = rows * columns;
        _z = new float[views * n];
        _gradZ = new float[views * n];
        _termGradA = new float[n];
        _termGradB = new float[n];
        _entropyGrad = new float[n];
        _started = new bool[views];
    }

    /// <summary>The support chosen at construction.</summary>
    public Support Support { get; }

    /// <summary>The batch size k.</summary>
    public int Rows { get; }

    /// <summary>The dimension d.</summary>
    public int Columns { get; }

    /// <summary>The number of views V chosen at construction (2 unless given).</summary>
    public int Views { get; }

    /// <summary>
    /// G, how many of the views (the first G) are global crops, from 1 to <see cref="Views"/> (default:
    /// all of them). The reconstruction averages over the unordered pairs that hold at least one global
    /// view: all V (V - 1) / 2 pairs when every view is global, <c>G (G - 1) / 2 + G (V - G)</c> otherwise.
    /// <see cref="EntropyView.Global"/> averages the entropy over the global views.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">On set: outside [1, <see cref="Views"/>].</exception>
    public int GlobalViews
    {
        get => _globalViews;
        set => _globalViews = value >= 1 && value <= Views ? value : throw new ArgumentOutOfRangeException(nameof(value), value, $"The number of global views must lie in [1, {Views}].");
    }

    /// <summary>The vMF concentration for sphere support (default 10); finite and at least 0 (0 is the uniform limit).</summary>
    /// <exception cref="ArgumentOutOfRangeException">On set: not finite, negative, not finite as a float, or above <see cref="Entropy.MaxKappa"/>.</exception>
    public double Kappa
    {
        get => _kappa;
        set
        {
            ER.Managed.Validation.CheckTermKappa(value);
            _kappa = value;
        }
    }

    /// <summary>The softmax temperature for discrete support (default 1); finite and positive, with 1/t finite as a float32 (t from about 2.9e-39).</summary>
    /// <exception cref="ArgumentOutOfRangeException">On set: not finite and positive, or so small that 1/t overflows float32 (which <see cref="RowOps.Softmax(ReadOnlySpan{float}, int, int, Span{float}, double)"/> refuses: the setter took 1e-45 and every step then failed).</exception>
    public double Temperature
    {
        get => _temperature;
        set
        {
            ER.Managed.Validation.CheckTemperature(value, nameof(value));
            _temperature = value;
        }
    }

    /// <summary>The weight a of the reconstruction term (default 1); finite, and finite as a float32 (it scales float32 gradients).</summary>
    /// <exception cref="ArgumentOutOfRangeException">On set: not finite, or beyond float32's range.</exception>
    public double ReconstructionWeight
    {
        get => _reconstructionWeight;
        set => _reconstructionWeight = CheckWeight(value);
    }

    /// <summary>The weight b of the entropy term (default 1); finite, and finite as a float32 (it scales float32 gradients).</summary>
    /// <exception cref="ArgumentOutOfRangeException">On set: not finite, or beyond float32's range.</exception>
    public double EntropyWeight
    {
        get => _entropyWeight;
        set => _entropyWeight = CheckWeight(value);
    }

    /// <summary>Which views' entropies enter the loss, averaged (default <see cref="EntropyView.Mean"/>: all views).</summary>
    /// <exception cref="ArgumentOutOfRangeException">On set: an undefined value.</exception>
    public EntropyView EntropyOf
    {
        get => _entropyOf;
        set => _entropyOf = Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Use EntropyView.Mean, View1, View2 or Global.");
    }

    /// <summary>
    /// The entropy estimator (default plug-in, <see cref="EntropyReduction.Expectation"/>). Sphere support
    /// also takes <see cref="EntropyReduction.LeaveOneOut"/> (with at least 2 rows), the one to train with
    /// when the kernel is narrow; discrete support takes Expectation or Average.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">On set: an undefined value, LeaveOneOut for discrete support, or LeaveOneOut with 1 row.</exception>
    public EntropyReduction Reduction
    {
        get => _reduction;
        set
        {
            if (Support == Support.Sphere)
            {
                ER.Managed.Validation.CheckSphereReduction(value, Rows);
            }
            else
            {
                ER.Managed.Validation.CheckDiscreteReduction(value);
            }

            _reduction = value;
        }
    }

    /// <summary>The vMF normalizer for sphere support (default exact).</summary>
    /// <exception cref="ArgumentOutOfRangeException">On set: an undefined value.</exception>
    public NormalizerMode Normalizer
    {
        get => _normalizer;
        set => _normalizer = Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Use Exact or Reference.");
    }

    /// <summary>Validation and threading settings (default <see cref="ErOptions.Default"/>; null sets the default). The raw views are checked for finiteness whatever <see cref="ErOptions.ValidateInputs"/> says: the normalization and the softmax refuse non-finite rows anyway, and the check names the caller's argument.</summary>
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
    /// Evaluates the two-view loss on one batch and writes its gradient with respect to each raw view.
    /// </summary>
    /// <param name="view1">View 1's raw projector outputs, rows x columns, row-major.</param>
    /// <param name="view2">View 2's raw projector outputs, rows x columns.</param>
    /// <param name="gradient1">Output: dLoss/dview1, rows x columns; must not overlap any input.</param>
    /// <param name="gradient2">Output: dLoss/dview2, rows x columns; must not overlap any input or <paramref name="gradient1"/>.</param>
    /// <returns>The loss, its parts and dLoss/dkappa.</returns>
    /// <exception cref="ArgumentException">A span has the wrong length, an input is not finite (checked whether or not validating), or spans overlap.</exception>
    /// <exception cref="ArgumentOutOfRangeException">In reference mode, a kappa where the original's constant is not finite.</exception>
    /// <exception cref="OverflowException">A gradient overflows float32 (weights of order 1e38); nothing is written.</exception>
    /// <exception cref="InvalidOperationException">The loss was created for more than two views.</exception>
    public ErLossResult Compute(ReadOnlySpan<float> view1, ReadOnlySpan<float> view2, Span<float> gradient1, Span<float> gradient2)
    {
        if (Views != 2)
        {
            throw new InvalidOperationException($"This loss was created for {Views} views: pass them stacked to Compute(views, gradients).");
        }

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
        Validation.CheckFinite(view1, Columns, nameof(view1));
        Validation.CheckFinite(view2, Columns, nameof(view2));

        lock (_gate)
        {
            return Step(new ViewBatch(view1, view2, gradient1, gradient2));
        }
    }

    /// <summary>
    /// Evaluates the loss on V views stacked in one span (view v is rows <c>[v k, (v + 1) k)</c> of a
    /// V k x d row-major matrix) and writes dLoss/dview for each into the same layout.
    /// </summary>
    /// <param name="views">The raw projector outputs of all <see cref="Views"/> views, V x rows x columns floats, view after view.</param>
    /// <param name="gradients">Output: dLoss/dview for every view, in the same layout; must not overlap <paramref name="views"/>.</param>
    /// <returns>The loss, its parts (R averaged over the pairs, H over the views <see cref="EntropyOf"/> chooses) and dLoss/dkappa.</returns>
    /// <exception cref="ArgumentException">A span does not hold V x rows x columns floats, an input is not finite (checked whether or not validating), the spans overlap, or <see cref="EntropyOf"/> names a view this loss does not have.</exception>
    /// <exception cref="ArgumentOutOfRangeException">In reference mode, a kappa where the original's constant is not finite.</exception>
    /// <exception cref="OverflowException">A gradient overflows float32 (weights of order 1e38); nothing is written.</exception>
    public ErLossResult Compute(ReadOnlySpan<float> views, Span<float> gradients)
    {
        long total = (long)Views * Rows * Columns;
        Validation.CheckLength(views.Length, total, nameof(views), "views x rows x columns");
        Validation.CheckLength(gradients.Length, total, nameof(gradients), "views x rows x columns");
        Validation.CheckNoOverlap(views, gradients, nameof(views), nameof(gradients));
        Validation.CheckFinite(views, Columns, nameof(views));

        lock (_gate)
        {
            return Step(new ViewBatch(views, gradients, Rows * Columns));
        }
    }
}
