using System.IO;
using System.Linq;
using System.Text.Json;
using ER.Managed.Npy;

namespace ER.Managed.Tests.Cli;

/// <summary>
/// <c>--normalize</c> on float64 files: rows are normalized before they are rounded to float32, so
/// their scale does not matter; and rows it cannot normalize are reported in the file's name.
/// </summary>
public sealed class NormalizeOptionTests : IDisposable
{
    private const int Rows = 64;
    private const int Columns = 16;

    private readonly string _folder = Directory.CreateTempSubdirectory("er-normalize-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>The golden unit rows, widened to float64.</summary>
    private static double[] UnitRows() =>
        NpyFile.Read(GoldenData.PathOf("sphere_z_k64_d16.npy")).ToDoubleArray();

    private static double[] Scaled(double[] x, double scale) => x.Select(v => v * scale).ToArray();

    private (int Code, double Value, string Stderr) Value(double[] data, params string[] options)
    {
        string input = Path.Combine(_folder, $"z{Guid.NewGuid():N}.npy");
        NpyFile.Write(input, data, [Rows, Columns]);
        (int code, string stdout, string stderr) = CliRunner.Run(["entropy", input, "--json", .. options]);
        return (code, code == 0 ? JsonDocument.Parse(stdout).RootElement.GetProperty("value").GetDouble() : double.NaN, stderr);
    }

    [Theory]
    [InlineData(1e-300)] // below float32's smallest value: rounding first made every row a zero row
    [InlineData(1e-44)] // float32's subnormal range: rounding first kept a bit or two of each element
    [InlineData(1e39)] // beyond float32's largest value: rounding first refused the file
    [InlineData(1.0)]
    public void Sphere_rows_of_any_float64_scale_give_what_the_unit_rows_give(double scale)
    {
        double[] unit = UnitRows();
        (int code, double want, string stderr) = Value(unit);
        Assert.True(code == 0, stderr);
        (code, double got, stderr) = Value(Scaled(unit, scale), "--normalize");
        Assert.True(code == 0, stderr);
        Assert.Contains("normalized in float64, then rounded to float32", stderr, StringComparison.Ordinal);

        // Both runs take the same float32 unit rows but for an ulp or so of each element (rounded
        // once from the double quotient, against the golden float32 rows renormalized in float32):
        // an ulp of 1 moves H by about kappa * 2 * 6e-8 relative, far inside 1e-5.
        Assert.True(Math.Abs(got - want) <= 1e-5, $"scale {scale:R}: {got:R} vs {want:R}");
    }

    [Theory]
    [InlineData(1e-300)]
    [InlineData(1e300)]
    public void Discrete_rows_of_any_float64_scale_give_what_the_probability_rows_give(double scale)
    {
        // Probability rows from the golden unit rows' squares (each row sums to 1 in double).
        double[] unit = UnitRows();
        double[] p = unit.Select(v => v * v).ToArray();
        for (int i = 0; i < Rows; i++)
        {
            Span<double> row = p.AsSpan(i * Columns, Columns);
            double sum = 0;
            foreach (double v in row)
            {
                sum += v;
            }

            foreach (ref double v in row)
            {
                v /= sum;
            }
        }

        (int code, double want, string stderr) = Value(p, "--support", "discrete", "--normalize");
        Assert.True(code == 0, stderr);
        (code, double got, stderr) = Value(Scaled(p, scale), "--support", "discrete", "--normalize");
        Assert.True(code == 0, stderr);

        // Each row divided by its double sum, then rounded: the same floats but for an ulp, and H
        // (a sum of p log p over 64 x 16 floats) moves by less than 1e-5 for that.
        Assert.True(Math.Abs(got - want) <= 1e-5, $"scale {scale:R}: {got:R} vs {want:R}");
    }

    [Fact]
    public void A_float64_zero_row_below_float32s_range_is_still_named_only_when_it_is_zero()
    {
        double[] data = Scaled(UnitRows(), 1e-300);
        data.AsSpan(3 * Columns, Columns).Clear();
        (int code, _, string stderr) = Value(data, "--normalize");
        Assert.Equal(1, code);
        Assert.Contains("row 3 is zero", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sphere", false)]
    [InlineData("sphere", true)]
    [InlineData("discrete", false)]
    [InlineData("discrete", true)]
    public void A_non_finite_element_under_normalize_is_named_with_the_file(string support, bool doublePrecision)
    {
        // The float32 normalization once let the library's check report it, naming its parameter
        // ("x: Element [5, 2] is NaN") instead of the file.
        double[] data = UnitRows().Select(Math.Abs).ToArray();
        data[(5 * Columns) + 2] = double.NaN;
        string input = Path.Combine(_folder, "bad.npy");
        if (doublePrecision)
        {
            NpyFile.Write(input, data, [Rows, Columns]);
        }
        else
        {
            NpyFile.Write(input, data.Select(v => (float)v).ToArray(), [Rows, Columns]);
        }

        (int code, string stdout, string stderr) = CliRunner.Run("entropy", input, "--support", support, "--normalize");
        Assert.Equal(1, code);
        Assert.Empty(stdout);
        Assert.Contains("er: " + input + ": Element [5, 2] is NaN", stderr, StringComparison.Ordinal);
    }
}
