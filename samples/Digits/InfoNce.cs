using System.Numerics.Tensors;

namespace ER.Managed.Samples.Digits;

/// <summary>
/// InfoNCE in SimCLR's NT-Xent form, the contrastive baseline, with its gradient written out. For
/// two views of k samples stacked (rows 0..k-1 view 1, k..2k-1 view 2), unit rows
/// <c>u_a = y_a / ||y_a||</c> and <c>s_ab = u_a . u_b / tau</c>, each of the 2k rows is an anchor whose
/// positive is the other view of its sample, p(a) = a +- k, against the 2k - 2 other rows:
/// <c>L = (1/2k) sum_a (-s_a,p(a) + log sum_{b != a} exp(s_ab))</c>. With <c>P_ab = softmax_{b != a}(s_ab)</c>:
/// <c>dL/du_a = (1 / (2k tau)) (-2 u_p(a) + sum_{b != a} (P_ab + P_ba) u_b)</c>, then through the normalization.
/// </summary>
public sealed class InfoNce(int rows, int columns, double temperature)
{
    private static readonly ErOptions Products = new() { ValidateInputs = false, MaxDegreeOfParallelism = 1 };
    private readonly float[] _unit = new float[2 * rows * columns];
    private readonly float[] _similarity = new float[4 * rows * rows];
    private readonly float[] _unitGradient = new float[2 * rows * columns];

    /// <summary>The temperature tau.</summary>
    public double Temperature => temperature;

    /// <summary>L for the stacked raw outputs (2 rows x columns), its gradient with respect to them into <paramref name="gradient"/>.</summary>
    public double Compute(ReadOnlySpan<float> outputs, Span<float> gradient)
    {
        int n = 2 * rows, k = rows;
        RowOps.L2Normalize(outputs, n, columns, _unit);
        Gram.MultiplyTransposed(_unit, n, _unit, n, columns, _similarity, Products);

        // Row a of P (self excluded) in place of row a of S; the loss from the row's log-sum-exp.
        double loss = 0.0;
        for (int a = 0; a < n; a++)
        {
            Span<float> row = _similarity.AsSpan(a * n, n);
            int positive = a < k ? a + k : a - k;
            double max = double.NegativeInfinity;
            for (int b = 0; b < n; b++)
            {
                if (b != a)
                {
                    max = Math.Max(max, row[b] / temperature);
                }
            }

            double sum = 0.0;
            for (int b = 0; b < n; b++)
            {
                sum += b == a ? 0.0 : Math.Exp((row[b] / temperature) - max);
            }

            double lse = max + Math.Log(sum);
            loss += lse - (row[positive] / temperature);
            for (int b = 0; b < n; b++)
            {
                row[b] = b == a ? 0f : (float)Math.Exp((row[b] / temperature) - lse);
            }
        }

        // dL/du_a = (1/(2k tau)) (sum_b (P_ab + P_ba) u_b - 2 u_p(a)): W = P + P^T, then W U.
        for (int a = 0; a < n; a++)
        {
            for (int b = a + 1; b < n; b++)
            {
                float w = _similarity[(a * n) + b] + _similarity[(b * n) + a];
                _similarity[(a * n) + b] = w;
                _similarity[(b * n) + a] = w;
            }
        }

        _unitGradient.AsSpan().Clear();
        float scale = (float)(1.0 / (n * temperature));
        for (int a = 0; a < n; a++)
        {
            Span<float> target = _unitGradient.AsSpan(a * columns, columns);
            ReadOnlySpan<float> weights = _similarity.AsSpan(a * n, n);
            for (int b = 0; b < n; b++)
            {
                if (weights[b] != 0f)
                {
                    TensorPrimitives.MultiplyAdd(_unit.AsSpan(b * columns, columns), weights[b], target, target);
                }
            }

            int positive = a < k ? a + k : a - k;
            TensorPrimitives.MultiplyAdd(_unit.AsSpan(positive * columns, columns), -2f, target, target);
            TensorPrimitives.Multiply(target, scale, target);
        }

        RowOps.L2NormalizeBackward(outputs, _unitGradient, n, columns, gradient);
        return loss / n;
    }
}
