using System.Collections.Generic;
using System.Globalization;

namespace ER.Managed.Npy;

/// <summary>
/// An array read from a .npy file: its shape (any number of dimensions, 0 for a scalar), its stored
/// element type and its data in C (row-major) order. As a matrix (<see cref="Rows"/> x
/// <see cref="Columns"/>), a 1-D array of length n is one row and a 0-D array is 1 x 1.
/// </summary>
public sealed partial class NpyArray
{
    private readonly float[]? _single;
    private readonly double[]? _double;
    private readonly int[] _shape;

    internal NpyArray(int[] shape, float[] data)
    {
        _shape = shape;
        _single = data;
        DataType = NpyDataType.Float32;
    }

    internal NpyArray(int[] shape, double[] data)
    {
        _shape = shape;
        _double = data;
        DataType = NpyDataType.Float64;
    }

    /// <summary>The shape as stored: empty for a 0-D (scalar) array.</summary>
    public IReadOnlyList<int> Shape => _shape;

    /// <summary>The element type as stored in the file.</summary>
    public NpyDataType DataType { get; }

    /// <summary>Number of rows: the first dimension of a 2-D array, 1 for a 0-D or 1-D array.</summary>
    /// <exception cref="InvalidOperationException">The array has more than two dimensions (it is no matrix; use <see cref="Shape"/>).</exception>
    public int Rows => MatrixShape().Rows;

    /// <summary>Number of columns: the second dimension of a 2-D array, the length of a 1-D array, 1 for a 0-D array.</summary>
    /// <exception cref="InvalidOperationException">The array has more than two dimensions (it is no matrix; use <see cref="Shape"/>).</exception>
    public int Columns => MatrixShape().Columns;

    /// <summary>Total number of elements.</summary>
    public int Length => _single?.Length ?? _double!.Length;

    /// <summary>
    /// The data as float32. Float32 files return their data unchanged; float64 data are rounded
    /// to nearest, and a value beyond float32's range throws rather than becoming infinite.
    /// </summary>
    /// <returns>A new array of <see cref="Length"/> floats, row-major.</returns>
    /// <exception cref="OverflowException">A float64 value is finite but outside float32's range.</exception>
    public float[] ToSingleArray()
    {
        if (_single is not null)
        {
            return (float[])_single.Clone();
        }

        var result = new float[_double!.Length];
        for (int i = 0; i < result.Length; i++)
        {
            float value = (float)_double[i];
            if (float.IsInfinity(value) && double.IsFinite(_double[i]))
            {
                throw new OverflowException(string.Create(CultureInfo.InvariantCulture, $"Element {i} ({_double[i]:R}) is outside float32's range."));
            }

            result[i] = value;
        }

        return result;
    }

    /// <summary>The data as float64 (float32 data are widened exactly).</summary>
    /// <returns>A new array of <see cref="Length"/> doubles, row-major.</returns>
    public double[] ToDoubleArray()
    {
        if (_double is not null)
        {
            return (double[])_double.Clone();
        }

        var result = new double[_single!.Length];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = _single[i];
        }

        return result;
    }

    private (int Rows, int Columns) MatrixShape() => _shape.Length switch
    {
        0 => (1, 1),
        1 => (1, _shape[0]),
        2 => (_shape[0], _shape[1]),
        _ => throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"The array has shape ({string.Join(", ", _shape)}): {_shape.Length} dimensions, no rows x columns view.")),
    };

    /// <inheritdoc />
    public override string ToString() =>
        $"npy {(DataType == NpyDataType.Float32 ? "<f4" : "<f8")} ({string.Join(", ", _shape)})";
}
