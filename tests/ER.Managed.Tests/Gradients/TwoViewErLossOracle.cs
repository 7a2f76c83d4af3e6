using System.Numerics.Tensors;

namespace ER.Managed.Tests.Gradients;

/// <summary>
/// The two-view <see cref="ErLoss"/> step as it was written before the loss took more views, on the
/// public terms: the helper on each view, R(view 1, view 2), the entropy of view 1, view 2 or both
/// (weights 1 or 1/2), the helper's backward. The multi-view loss must give the same bits for two views.
/// </summary>
internal static class TwoViewErLossOracle
{
    internal static ErLossResult Compute(ErLoss settings, ReadOnlySpan<float> view1, ReadOnlySpan<float> view2, Span<float> gradient1, Span<float> gradient2)
    {
        int k = settings.Rows, d = settings.Columns, n = k * d;
        float[] z1 = new float[n], z2 = new float[n], gradZ1 = new float[n], gradZ2 = new float[n];
        float[] termGradA = new float[n], termGradB = new float[n], entropyGrad = new float[n];
        double a = settings.ReconstructionWeight, b = settings.EntropyWeight;
        ErOptions inner = settings.Options with { ValidateInputs = false };
        (double w1, double w2) = settings.EntropyOf switch
        {
            EntropyView.View1 => (1.0, 0.0),
            EntropyView.View2 => (0.0, 1.0),
            _ => (0.5, 0.5),
        };
        if (settings.Support == Support.Sphere)
        {
            RowOps.L2Normalize(view1, k, d, z1);
            RowOps.L2Normalize(view2, k, d, z2);
            SphereTermResult r = Reconstruction.SphereWithGradient(z1, z2, k, d, termGradA, termGradB, settings.Kappa, settings.Normalizer, inner);
            Scale(termGradA, gradZ1, (float)a);
            Scale(termGradB, gradZ2, (float)a);
            double entropy = 0.0, entropyKappa = 0.0;
            if (w1 > 0)
            {
                SphereTermResult h = Entropy.SphereWithGradient(z1, k, d, entropyGrad, settings.Kappa, settings.Reduction, settings.Normalizer, inner);
                entropy += w1 * h.Value;
                entropyKappa += w1 * h.KappaGradient;
                TensorPrimitives.MultiplyAdd(entropyGrad, (float)(-b * w1), gradZ1, gradZ1);
            }

            if (w2 > 0)
            {
                SphereTermResult h = Entropy.SphereWithGradient(z2, k, d, entropyGrad, settings.Kappa, settings.Reduction, settings.Normalizer, inner);
                entropy += w2 * h.Value;
                entropyKappa += w2 * h.KappaGradient;
                TensorPrimitives.MultiplyAdd(entropyGrad, (float)(-b * w2), gradZ2, gradZ2);
            }

            RowOps.L2NormalizeBackward(view1, gradZ1, k, d, gradient1);
            RowOps.L2NormalizeBackward(view2, gradZ2, k, d, gradient2);
            return new ErLossResult((a * r.Value) - (b * entropy), r.Value, entropy, (a * r.KappaGradient) - (b * entropyKappa));
        }

        RowOps.Softmax(view1, k, d, z1, settings.Temperature);
        RowOps.Softmax(view2, k, d, z2, settings.Temperature);
        double rd = Reconstruction.DiscreteWithGradient(z1, z2, k, d, termGradA, termGradB, inner);
        Scale(termGradA, gradZ1, (float)a);
        Scale(termGradB, gradZ2, (float)a);
        double h2 = 0.0;
        if (w1 > 0)
        {
            h2 += w1 * Entropy.DiscreteWithGradient(z1, k, d, entropyGrad, settings.Reduction, inner);
            TensorPrimitives.MultiplyAdd(entropyGrad, (float)(-b * w1), gradZ1, gradZ1);
        }

        if (w2 > 0)
        {
            h2 += w2 * Entropy.DiscreteWithGradient(z2, k, d, entropyGrad, settings.Reduction, inner);
            TensorPrimitives.MultiplyAdd(entropyGrad, (float)(-b * w2), gradZ2, gradZ2);
        }

        RowOps.SoftmaxBackward(z1, gradZ1, k, d, gradient1, settings.Temperature);
        RowOps.SoftmaxBackward(z2, gradZ2, k, d, gradient2, settings.Temperature);
        return new ErLossResult((a * rd) - (b * h2), rd, h2, 0.0);
    }

    private static void Scale(ReadOnlySpan<float> source, Span<float> destination, float factor)
    {
        destination.Clear();
        TensorPrimitives.MultiplyAdd(source, factor, destination, destination);
    }
}
