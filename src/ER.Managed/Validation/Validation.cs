using System.Globalization;
using System.Numerics;
using ER.Managed.Kernels;
using System.Numerics.Tensors;

namespace ER.Managed;

/// <summary>Argument checks shared by the public entry points; each names the argument and what was expected.</summary>
internal static partial class Validation
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

    /// <summary>Checks that a span holds exactly <paramref name="expected"/> elements, described as <paramref name="shape"/>.</summary>
    internal static void CheckLength(int length, long expected, string name, string shape)
    {
        if (length != expected)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"Expected {expected} elements ({shape}), got a span of {length}."),
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

    /// <summary>
    /// Throws for the first NaN or infinity, naming its row (counted from <paramref name="firstRow"/>)
    /// and column. The common case is one vectorized pass (<c>TensorPrimitives.IsFiniteAll</c>): the
    /// former minimum and maximum were two passes, 80-100 us against 33-50 us for a 1024 x 512 input
    /// on Zen 5, 5% of a 1024 x 512 Gram on two cores.
    /// </summary>
    internal static void CheckFinite(ReadOnlySpan<float> x, int columns, string name, int firstRow = 0)
    {
        if (TensorPrimitives.IsFiniteAll(x))
        {
            return;
        }

        for (int index = 0; index < x.Length; index++)
        {
            if (!float.IsFinite(x[index]))
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"Element [{firstRow + (index / columns)}, {index % columns}] is {x[index]}; every element must be finite."),
                    name);
            }
        }
    }

    /// <summary>
    /// Checks that each row has squared norm within <paramref name="tolerance"/> of 1: one dot
    /// product a row, in parallel (a NaN or infinity anywhere in a row makes its norm non-finite,
    /// and is reported as such, with its position).
    /// </summary>
    internal static void CheckUnitRows(ReadOnlySpan<float> x, int rows, int columns, double tolerance, string name, int degree)
    {
        int bad = FirstBadRow(x, rows, columns, degree, static (block, columns, tol) =>
        {
            for (int r = 0; r < block.Length / columns; r++)
            {
                ReadOnlySpan<float> row = block.Slice(r * columns, columns);
                if (!(Math.Abs(TensorPrimitives.Dot(row, row) - 1.0) <= tol))
                {
                    return r;
                }
            }

            return -1;
        }, tolerance);
        if (bad < 0)
        {
            return;
        }

        ReadOnlySpan<float> badRow = x.Slice(bad * columns, columns);
        CheckFinite(badRow, columns, name, bad);
        // In double: a float sum of squares would report a row of 1e30s as of norm infinity and one of 1e-40s as of norm 0.
        double squaredNorm = DoubleDot.Compute(badRow, badRow);
        throw new ArgumentException(
            string.Create(CultureInfo.InvariantCulture, $"Row {bad} has norm {Math.Sqrt(squaredNorm):G9}; sphere inputs must be unit rows (|norm^2 - 1| <= {tolerance:G3}). Normalize them first (RowOps.L2Normalize) or raise ErOptions.UnitNormTolerance."),
            name);
    }

    /// <summary>
    /// Checks that each row is a probability vector (finite, no negative entry, sum within
    /// <paramref name="tolerance"/> of 1): one pass a row for its sign and sum
    /// (<see cref="ProbabilityRowsKernel"/>), blocks of rows in parallel.
    /// </summary>
    internal static void CheckProbabilityRows(ReadOnlySpan<float> x, int rows, int columns, double tolerance, string name, int degree)
    {
        int bad = FirstBadRow(x, rows, columns, degree, static (block, columns, tol) => ProbabilityRowsKernel.FirstBadRow(block, columns, tol, KernelIsa.Best), tolerance);
        if (bad < 0)
        {
            return;
        }

        ReadOnlySpan<float> badRow = x.Slice(bad * columns, columns);
        CheckFinite(badRow, columns, name, bad);
        int j = badRow.IndexOfAnyInRange(float.NegativeInfinity, -float.Epsilon);
        if (j >= 0)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"Element [{bad}, {j}] is {badRow[j]}; discrete inputs must be probability rows (non-negative)."),
                name);
        }

        double rowSum = SumKernel.Run(badRow, KernelIsa.Best);
        throw new ArgumentException(
            string.Create(CultureInfo.InvariantCulture, $"Row {bad} sums to {rowSum:G9}; discrete inputs must be probability rows (|sum - 1| <= {tolerance:G3}). Apply a softmax first (RowOps.Softmax) or raise ErOptions.ProbabilitySumTolerance."),
            name);
    }

    /// <summary>The index of the first bad row of <paramref name="block"/> (rows of <paramref name="columns"/>), or -1.</summary>
    private delegate int FirstBadInBlock(ReadOnlySpan<float> block, int columns, double tolerance);

    /// <summary>
    /// The lowest index of a bad row, or -1: blocks of rows in parallel, each checked by one call of
    /// <paramref name="firstBad"/> (a call a row cost more than the check of a short row).
    /// </summary>
    private static unsafe int FirstBadRow(ReadOnlySpan<float> x, int rows, int columns, int degree, FirstBadInBlock firstBad, double tolerance)
    {
        int rowsPerItem = Math.Max(1, (1 << 16) / columns);
        int items = (rows + rowsPerItem - 1) / rowsPerItem;
        int[] firstBadRows = new int[items];
        fixed (float* xp = x)
        {
            var xh = new PinnedFloats(xp, x.Length);
            Parallelism.For(items, degree, item =>
            {
                int start = item * rowsPerItem, end = Math.Min(rows, start + rowsPerItem);
                int bad = firstBad(xh.Span.Slice(start * columns, (end - start) * columns), columns, tolerance);
                firstBadRows[item] = bad < 0 ? -1 : start + bad;
            });
        }

        foreach (int bad in firstBadRows)
        {
            if (bad >= 0)
            {
                return bad;
            }
        }

        return -1;
    }

    /// <summary>Checks that every concentration is finite and at least 0, naming the first bad index.</summary>
    internal static void CheckConcentrations<T>(ReadOnlySpan<T> kappa, string name)
        where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < kappa.Length; i++)
        {
            T value = kappa[i];
            if (!T.IsFinite(value) || value < T.Zero)
            {
                throw new ArgumentOutOfRangeException(
                    name,
                    value,
                    string.Create(CultureInfo.InvariantCulture, $"{name}[{i}] = {value} must be finite and at least 0."));
            }
        }
    }

    /// <summary>
    /// Checks an element-wise output: exactly the input's length, and either the input's own memory
    /// (in place) or memory that overlaps it nowhere.
    /// </summary>
    internal static void CheckElementwiseDestination<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> output, string inputName, string outputName)
    {
        CheckDestination(output.Length, input.Length, outputName);
        if (input.Overlaps(output, out int offset) && offset != 0)
        {
            throw new ArgumentException(
                $"The output '{outputName}' partly overlaps the input '{inputName}'; pass the input itself (in place) or a separate buffer.",
                outputName);
        }
    }

    /// <summary>Checks that two outputs share no memory.</summary>
    internal static void CheckOutputsDisjoint<T>(ReadOnlySpan<T> first, ReadOnlySpan<T> second, string firstName, string secondName)
    {
        if (!first.IsEmpty && first.Overlaps(second))
        {
            throw new ArgumentException($"The outputs '{firstName}' and '{secondName}' overlap; give each its own buffer.", secondName);
        }
    }

    /// <summary>The norm floor of L2 normalization: finite and positive.</summary>
    internal static void CheckNormFloor(float epsilon)
    {
        if (!(epsilon > 0f) || !float.IsFinite(epsilon))
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "The norm floor must be finite and positive.");
        }
    }

    /// <summary>A softmax temperature, finite and positive with 1/t finite in float; returns 1/t.</summary>
    internal static float CheckTemperature(double temperature, string name = "temperature")
    {
        if (!double.IsFinite(temperature) || temperature <= 0.0 || !float.IsFinite((float)(1.0 / temperature)))
        {
            throw new ArgumentOutOfRangeException(name, temperature, "The temperature must be finite and positive (and 1/t finite in float).");
        }

        return (float)(1.0 / temperature);
    }
}
