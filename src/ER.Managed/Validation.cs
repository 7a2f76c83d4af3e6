using System;
using System.Globalization;
using ER.Managed.Kernels;

namespace ER.Managed;

/// <summary>Argument checks shared by the public entry points; each names the argument and what was expected.</summary>
internal static class Validation
{
    /// <summary>Checks that a rows x columns matrix is non-empty and that its span holds exactly rows * columns floats.</summary>
    internal static void CheckShape(int length, int rows, int columns, string name, string rowsName = "rows", string columnsName = "columns")
    {
        if (rows < 1)
        {
            throw new ArgumentOutOfRangeException(rowsName, rows, "The number of rows (samples) must be at least 1.");
        }

        if (columns < 1)
        {
            throw new ArgumentOutOfRangeException(columnsName, columns, "The number of columns (dimension) must be at least 1.");
        }

        long expected = (long)rows * columns;
        if (length != expected)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"Expected {rows} x {columns} = {expected} elements (row-major), got a span of {length}."),
                name);
        }
    }

    /// <summary>Checks that an output span has exactly the input's length.</summary>
    internal static void CheckDestination(int length, int expected, string name)
    {
        if (length != expected)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"The output must hold exactly {expected} elements (the input's shape), got {length}."),
                name);
        }
    }

    /// <summary>Throws when <paramref name="output"/> overlaps <paramref name="input"/>: outputs are written while inputs are still read.</summary>
    internal static void CheckNoOverlap(ReadOnlySpan<float> input, ReadOnlySpan<float> output, string inputName, string outputName)
    {
        if (input.Overlaps(output))
        {
            throw new ArgumentException($"The output '{outputName}' overlaps the input '{inputName}'; pass a separate buffer.", outputName);
        }
    }

    /// <summary>Throws for the first NaN or infinity, naming its row and column.</summary>
    internal static void CheckFinite(ReadOnlySpan<float> x, int columns, string name)
    {
        (float min, float max) = MinMaxKernel.Run(x, KernelIsa.Best);
        if (float.IsFinite(min) && float.IsFinite(max))
        {
            return;
        }

        for (int index = 0; index < x.Length; index++)
        {
            if (!float.IsFinite(x[index]))
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"Element [{index / columns}, {index % columns}] is {x[index]}; every element must be finite."),
                    name);
            }
        }
    }

    /// <summary>Checks that each row has squared norm within <paramref name="tolerance"/> of 1.</summary>
    internal static void CheckUnitRows(ReadOnlySpan<float> x, int rows, int columns, double tolerance, string name)
    {
        for (int i = 0; i < rows; i++)
        {
            ReadOnlySpan<float> row = x.Slice(i * columns, columns);
            double squaredNorm = DotKernel.Run(row, row, KernelIsa.Best);
            if (!(Math.Abs(squaredNorm - 1.0) <= tolerance))
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"Row {i} has norm {Math.Sqrt(squaredNorm):G9}; sphere inputs must be unit rows (|norm^2 - 1| <= {tolerance:G3}). Normalize them first (RowOps.L2Normalize) or raise ErOptions.UnitNormTolerance."),
                    name);
            }
        }
    }

    /// <summary>Checks that each row is a probability vector: no negative entry, sum within <paramref name="tolerance"/> of 1.</summary>
    internal static void CheckProbabilityRows(ReadOnlySpan<float> x, int rows, int columns, double tolerance, string name)
    {
        for (int i = 0; i < rows; i++)
        {
            ReadOnlySpan<float> row = x.Slice(i * columns, columns);
            if (MinMaxKernel.Run(row, KernelIsa.Best).Min < 0f)
            {
                int j = row.IndexOfAnyInRange(float.NegativeInfinity, -float.Epsilon);
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"Element [{i}, {j}] is {row[j]}; discrete inputs must be probability rows (non-negative)."),
                    name);
            }

            double sum = SumKernel.Run(row, KernelIsa.Best);
            if (!(Math.Abs(sum - 1.0) <= tolerance))
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"Row {i} sums to {sum:G9}; discrete inputs must be probability rows (|sum - 1| <= {tolerance:G3}). Apply a softmax first (RowOps.Softmax) or raise ErOptions.ProbabilitySumTolerance."),
                    name);
            }
        }
    }
}
