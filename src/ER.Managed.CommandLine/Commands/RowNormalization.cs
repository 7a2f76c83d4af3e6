namespace ER.Managed.Cli.Commands;

/// <summary>What <c>--normalize</c> asks of an input's rows.</summary>
internal enum RowNormalization
{
    /// <summary>The rows are taken as they are.</summary>
    None,

    /// <summary>Each row is divided by its L2 norm (sphere support).</summary>
    UnitNorm,

    /// <summary>Each row is divided by its sum (discrete support).</summary>
    UnitSum,
}

/// <summary>
/// <c>--normalize</c> applied to float64 rows before they are rounded to the float32 the terms take:
/// rounding first would turn rows shorter than float32's smallest value into zero rows, keep only
/// a few bits of rows in its subnormal range (a row (3e-45, 4e-45) became (0.55, 0.83)) and refuse
/// rows beyond its largest, although each of them has an exact unit row.
/// </summary>
internal static class Float64Rows
{
    /// <summary>
    /// Normalizes each row of <paramref name="x"/> (rows x columns, row-major) in float64 and rounds
    /// the result to float32. A row this cannot normalize (a zero row, a non-finite element, for
    /// <see cref="RowNormalization.UnitSum"/> a negative one) is only rounded, so that the float32
    /// normalization that follows reports it as it reports float32 input. <paramref name="x"/> is
    /// left as it is.
    /// </summary>
    internal static float[] NormalizeThenRound(double[] x, int rows, int columns, RowNormalization normalization)
    {
        var result = new float[x.Length];
        for (int i = 0; i < rows; i++)
        {
            ReadOnlySpan<double> row = x.AsSpan(i * columns, columns);
            Span<float> rounded = result.AsSpan(i * columns, columns);
            if (!CanNormalize(row, normalization, out double largest))
            {
                for (int j = 0; j < columns; j++)
                {
                    rounded[j] = (float)row[j];
                }

                continue;
            }

            // Dividing by the largest magnitude first keeps every square and sum in range (each
            // term at most 1, the sum at most columns), whatever the row's scale.
            double scale = 0;
            foreach (double v in row)
            {
                double t = v / largest;
                scale += normalization == RowNormalization.UnitNorm ? t * t : t;
            }

            scale = normalization == RowNormalization.UnitNorm ? Math.Sqrt(scale) : scale;
            for (int j = 0; j < columns; j++)
            {
                rounded[j] = (float)(row[j] / largest / scale);
            }
        }

        return result;
    }

    private static bool CanNormalize(ReadOnlySpan<double> row, RowNormalization normalization, out double largest)
    {
        largest = 0;
        foreach (double v in row)
        {
            if (!double.IsFinite(v) || (normalization == RowNormalization.UnitSum && v < 0))
            {
                return false;
            }

            largest = Math.Max(largest, Math.Abs(v));
        }

        return largest > 0;
    }
}
