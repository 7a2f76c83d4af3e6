using System.Numerics.Tensors;

namespace ER.Managed.Samples.Digits;

/// <summary>
/// A multilayer perceptron <c>x -> W_1 x + b_1 -> ReLU -> ... -> W_L h + b_L</c> (no activation on the
/// output), with its forward and backward written out. Layer l's weights are an out x in matrix,
/// row-major; all parameters live in one array (<see cref="Parameters"/>) with their gradients beside
/// them (<see cref="Gradients"/>), so one optimizer steps them all. Batches are rows x inputs,
/// row-major; the products run on the library's packed GEMM (<see cref="Gram.MultiplyTransposed(ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, int, Span{float}, ErOptions?)"/>).
/// </summary>
public sealed class Mlp
{
    private static readonly ErOptions Products = new() { ValidateInputs = false, MaxDegreeOfParallelism = 1 };
    private readonly int[] _sizes;
    private readonly int[] _weightOffsets;
    private readonly int[] _biasOffsets;
    private float[][] _activations = [];   // per layer: its input (rows x in); the last entry is the output
    private float[][] _preactivations = [];
    private float[] _deltaA = [];
    private float[] _deltaB = [];
    private float[] _transposedWeights = [];
    private float[] _transposedGradient = [];
    private float[] _transposedInput = [];
    private int _rows;

    /// <summary>Creates the network with He-initialized weights (normal, variance 2 / inputs; 1 / inputs for the last layer) and zero biases.</summary>
    /// <param name="sizes">Widths from the input to the output, e.g. [64, 256, 256, 16].</param>
    /// <param name="random">The initialization's source.</param>
    public Mlp(int[] sizes, Random random)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        ArgumentNullException.ThrowIfNull(random);
        if (sizes.Length < 2)
        {
            throw new ArgumentException("An MLP needs an input and an output width.", nameof(sizes));
        }

        _sizes = [.. sizes];
        int layers = sizes.Length - 1;
        _weightOffsets = new int[layers];
        _biasOffsets = new int[layers];
        int total = 0;
        for (int l = 0; l < layers; l++)
        {
            _weightOffsets[l] = total;
            total += sizes[l + 1] * sizes[l];
            _biasOffsets[l] = total;
            total += sizes[l + 1];
        }

        Parameters = new float[total];
        Gradients = new float[total];
        for (int l = 0; l < layers; l++)
        {
            double scale = Math.Sqrt((l == layers - 1 ? 1.0 : 2.0) / sizes[l]);
            Span<float> w = Weight(l);
            for (int i = 0; i < w.Length; i++)
            {
                w[i] = (float)(scale * Normal(random));
            }
        }
    }

    /// <summary>Every weight and bias.</summary>
    public float[] Parameters { get; }

    /// <summary>d(loss)/d(parameters) from the last <see cref="Backward"/>, in the layout of <see cref="Parameters"/>.</summary>
    public float[] Gradients { get; }

    /// <summary>Layers (weight matrices).</summary>
    public int Layers => _sizes.Length - 1;

    /// <summary>The input width.</summary>
    public int Inputs => _sizes[0];

    /// <summary>The output width.</summary>
    public int Outputs => _sizes[^1];

    /// <summary>The width of layer boundary <paramref name="index"/> (0 the input, <see cref="Layers"/> the output).</summary>
    public int Width(int index) => _sizes[index];

    /// <summary>Layer l's weights, out x in, row-major.</summary>
    public Span<float> Weight(int layer) => Parameters.AsSpan(_weightOffsets[layer], _sizes[layer + 1] * _sizes[layer]);

    /// <summary>Layer l's biases.</summary>
    public Span<float> Bias(int layer) => Parameters.AsSpan(_biasOffsets[layer], _sizes[layer + 1]);

    /// <summary>Runs the network on rows x inputs and returns the outputs (rows x outputs; valid until the next call), keeping what the backward needs.</summary>
    public ReadOnlySpan<float> Forward(ReadOnlySpan<float> input, int rows)
    {
        Reserve(rows);
        input.CopyTo(_activations[0]);
        for (int l = 0; l < Layers; l++)
        {
            int inWidth = _sizes[l], outWidth = _sizes[l + 1];
            Span<float> z = _preactivations[l].AsSpan(0, rows * outWidth);
            Gram.MultiplyTransposed(_activations[l].AsSpan(0, rows * inWidth), rows, Weight(l), outWidth, inWidth, z, Products);
            ReadOnlySpan<float> bias = Bias(l);
            for (int r = 0; r < rows; r++)
            {
                Span<float> row = z.Slice(r * outWidth, outWidth);
                TensorPrimitives.Add(row, bias, row);
            }

            Span<float> a = _activations[l + 1].AsSpan(0, rows * outWidth);
            if (l < Layers - 1)
            {
                TensorPrimitives.Max(z, 0f, a);
            }
            else
            {
                z.CopyTo(a);
            }
        }

        return _activations[Layers].AsSpan(0, rows * Outputs);
    }

    /// <summary>
    /// Back-propagates d(loss)/d(outputs) (rows x outputs, for the rows of the last <see cref="Forward"/>)
    /// and writes d(loss)/d(parameters) into <see cref="Gradients"/> (overwriting them).
    /// </summary>
    public void Backward(ReadOnlySpan<float> outputGradient)
    {
        int rows = _rows;
        Span<float> delta = _deltaA.AsSpan(0, rows * Outputs);
        outputGradient.CopyTo(delta);
        for (int l = Layers - 1; l >= 0; l--)
        {
            int inWidth = _sizes[l], outWidth = _sizes[l + 1];
            ReadOnlySpan<float> input = _activations[l].AsSpan(0, rows * inWidth);

            // dW = delta^T input (out x in): the GEMM multiplies by a transposed right operand, so both are transposed first.
            Transpose(delta, rows, outWidth, _transposedGradient);
            Transpose(input, rows, inWidth, _transposedInput);
            Gram.MultiplyTransposed(_transposedGradient.AsSpan(0, outWidth * rows), outWidth, _transposedInput.AsSpan(0, inWidth * rows), inWidth, rows, Gradients.AsSpan(_weightOffsets[l], outWidth * inWidth), Products);

            // db = column sums of delta.
            Span<float> bias = Gradients.AsSpan(_biasOffsets[l], outWidth);
            bias.Clear();
            for (int r = 0; r < rows; r++)
            {
                TensorPrimitives.Add(bias, delta.Slice(r * outWidth, outWidth), bias);
            }

            if (l == 0)
            {
                break;
            }

            // d(input) = delta W (rows x in), then through the ReLU that made the input; into the other buffer.
            Transpose(Weight(l), outWidth, inWidth, _transposedWeights);
            Span<float> inputGradient = (delta.Overlaps(_deltaA) ? _deltaB : _deltaA).AsSpan(0, rows * inWidth);
            Gram.MultiplyTransposed(delta, rows, _transposedWeights.AsSpan(0, inWidth * outWidth), inWidth, outWidth, inputGradient, Products);
            ReadOnlySpan<float> preactivation = _preactivations[l - 1].AsSpan(0, rows * inWidth);
            for (int i = 0; i < inputGradient.Length; i++)
            {
                if (preactivation[i] <= 0f)
                {
                    inputGradient[i] = 0f;
                }
            }

            delta = inputGradient;
        }
    }

    private void Reserve(int rows)
    {
        _rows = rows;
        if (_activations.Length > 0 && _activations[0].Length >= rows * Inputs)
        {
            return;
        }

        int widest = 0;
        foreach (int size in _sizes)
        {
            widest = Math.Max(widest, size);
        }

        _activations = new float[_sizes.Length][];
        _preactivations = new float[Layers][];
        for (int l = 0; l < _sizes.Length; l++)
        {
            _activations[l] = new float[rows * _sizes[l]];
        }

        for (int l = 0; l < Layers; l++)
        {
            _preactivations[l] = new float[rows * _sizes[l + 1]];
        }

        _deltaA = new float[rows * widest];
        _deltaB = new float[rows * widest];
        _transposedWeights = new float[widest * widest];
        _transposedGradient = new float[rows * widest];
        _transposedInput = new float[rows * widest];
    }

    private static void Transpose(ReadOnlySpan<float> source, int rows, int columns, Span<float> destination)
    {
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                destination[(c * rows) + r] = source[(r * columns) + c];
            }
        }
    }

    private static double Normal(Random random)
    {
        double u = 1.0 - random.NextDouble(), v = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u)) * Math.Cos(2.0 * Math.PI * v);
    }
}
