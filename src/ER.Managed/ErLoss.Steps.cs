using System.Globalization;
using System.Numerics.Tensors;
using ER.Managed.Kernels;
using ER.Managed.Terms;

namespace ER.Managed;

/// <content>
/// One step: the helper on every view, the reconstruction over the pairs, the entropy over the chosen
/// views, and the helper's backward. The pairs and views are visited in a fixed order (pairs (p, q),
/// p &lt; q, row by row; views ascending), and each view's gradient starts from its first pair's term,
/// so that two views take exactly the operations of the two-view form.
/// </content>
public sealed partial class ErLoss
{
    private ErLossResult Step(ViewBatch batch)
    {
        // Compute has checked the views (shapes, overlaps, finiteness) and the setters the
        // temperature: the row maps run without the public RowOps' second pass of checks.
        int k = Rows, d = Columns;
        bool sphere = Support == Support.Sphere;
        float scale = sphere ? 1f : Validation.CheckTemperature(_temperature);
        for (int v = 0; v < Views; v++)
        {
            if (sphere)
            {
                RowMaps.L2Normalize(batch.View(v), k, d, Z(v), RowOps.DefaultNormEpsilon);
            }
            else
            {
                RowMaps.Softmax(batch.View(v), k, d, Z(v), scale, KernelIsa.Best);
            }
        }

        ErOptions inner = _innerOptions;
        int pairs = PairCount();
        float pairWeight = (float)(_reconstructionWeight / pairs);
        double reconstruction = 0.0, reconstructionKappa = 0.0;
        Span<bool> started = _started;
        started.Clear();
        // Multi-crop: a pair takes at least one global view (the first of the two).
        for (int p = 0; p < _globalViews; p++)
        {
            for (int q = p + 1; q < Views; q++)
            {
                if (sphere)
                {
                    SphereTermResult r = Reconstruction.SphereWithGradient(Z(p), Z(q), k, d, _termGradA, _termGradB, _kappa, _normalizer, inner);
                    reconstruction += r.Value;
                    reconstructionKappa += r.KappaGradient;
                }
                else
                {
                    reconstruction += Reconstruction.DiscreteWithGradient(Z(p), Z(q), k, d, _termGradA, _termGradB, inner);
                }

                AddScaled(_termGradA, GradZ(p), pairWeight, ref started[p]);
                AddScaled(_termGradB, GradZ(q), pairWeight, ref started[q]);
            }
        }

        reconstruction /= pairs;
        reconstructionKappa /= pairs;
        (int firstView, int lastView) = EntropyViews();
        double share = 1.0 / (lastView - firstView);
        double entropy = 0.0, entropyKappa = 0.0;
        for (int v = firstView; v < lastView; v++)
        {
            if (sphere)
            {
                SphereTermResult h = ER.Managed.Entropy.SphereWithGradient(Z(v), k, d, _entropyGrad, _kappa, _reduction, _normalizer, inner);
                entropy += share * h.Value;
                entropyKappa += share * h.KappaGradient;
            }
            else
            {
                entropy += share * ER.Managed.Entropy.DiscreteWithGradient(Z(v), k, d, _entropyGrad, _reduction, inner);
            }

            AddScaled(_entropyGrad, GradZ(v), (float)(-_entropyWeight * share), ref started[v]);
        }

        // Every view is in a pair (each pairs with view 1, which is global), so every gradient was started.
        for (int v = 0; v < Views; v++)
        {
            if (!float.IsFinite(TensorPrimitives.MaxMagnitude(GradZ(v))))
            {
                throw new OverflowException(string.Create(CultureInfo.InvariantCulture,
                    $"The loss's gradient with respect to view {v + 1} overflows float32 (reconstruction weight {_reconstructionWeight}, entropy weight {_entropyWeight}): scale the weights down."));
            }
        }

        for (int v = 0; v < Views; v++)
        {
            if (sphere)
            {
                RowMaps.L2NormalizeBackward(batch.View(v), GradZ(v), k, d, batch.Gradient(v), RowOps.DefaultNormEpsilon);
            }
            else
            {
                RowMaps.SoftmaxBackward(Z(v), GradZ(v), k, d, batch.Gradient(v), scale);
            }
        }

        double loss = (_reconstructionWeight * reconstruction) - (_entropyWeight * entropy);
        double kappaGradient = sphere ? (_reconstructionWeight * reconstructionKappa) - (_entropyWeight * entropyKappa) : 0.0;
        return new ErLossResult(loss, reconstruction, entropy, kappaGradient);
    }

    /// <summary>The unordered pairs that hold at least one global view: p &lt; q with p &lt; G.</summary>
    private int PairCount() => (_globalViews * (_globalViews - 1) / 2) + (_globalViews * (Views - _globalViews));

    /// <summary>The views whose entropies are averaged, as [first, last).</summary>
    private (int First, int Last) EntropyViews() => _entropyOf switch
    {
        EntropyView.View1 => (0, 1),
        EntropyView.View2 => (1, 2),
        EntropyView.Global => (0, _globalViews),
        _ => (0, Views),
    };

    private Span<float> Z(int view) => _z.AsSpan(view * Rows * Columns, Rows * Columns);

    private Span<float> GradZ(int view) => _gradZ.AsSpan(view * Rows * Columns, Rows * Columns);

    private static double CheckWeight(double value) =>
        double.IsFinite(value) && Math.Abs(value) <= float.MaxValue
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "The weight must be finite, and finite as a float32: it scales float32 gradients.");

    /// <summary><c>destination (+)= factor source</c>: the first term of a view clears its gradient first.</summary>
    private static void AddScaled(ReadOnlySpan<float> source, Span<float> destination, float factor, ref bool started)
    {
        if (!started)
        {
            destination.Clear();
            started = true;
        }

        TensorPrimitives.MultiplyAdd(source, factor, destination, destination);
    }

    /// <summary>The views and their gradients: two separate spans, or V blocks of one span each.</summary>
    private readonly ref struct ViewBatch
    {
        private readonly ReadOnlySpan<float> _first;
        private readonly ReadOnlySpan<float> _second;
        private readonly Span<float> _firstGradient;
        private readonly Span<float> _secondGradient;
        private readonly int _block;

        internal ViewBatch(ReadOnlySpan<float> view1, ReadOnlySpan<float> view2, Span<float> gradient1, Span<float> gradient2)
        {
            _first = view1;
            _second = view2;
            _firstGradient = gradient1;
            _secondGradient = gradient2;
            _block = 0;
        }

        internal ViewBatch(ReadOnlySpan<float> stacked, Span<float> gradients, int block)
        {
            _first = stacked;
            _firstGradient = gradients;
            _block = block;
        }

        internal ReadOnlySpan<float> View(int v) => _block == 0 ? (v == 0 ? _first : _second) : _first.Slice(v * _block, _block);

        internal Span<float> Gradient(int v) => _block == 0 ? (v == 0 ? _firstGradient : _secondGradient) : _firstGradient.Slice(v * _block, _block);
    }
}
