using ER.Managed.Cli.Commands;

namespace ER.Managed.Tests.Cli;

/// <summary>
/// <c>--normalize</c> on float64 rows: normalized in float64, then rounded once to float32. The rows
/// below have exact unit (or unit-sum) forms whose float32 roundings are known, at scales float32
/// cannot hold, so each element is compared for equality: a double computation off by more than half
/// a float ulp, or a row left unnormalized, cannot round to the same float.
/// </summary>
public sealed class Float64RowsTests
{
    [Theory]
    [InlineData(1.0)]
    [InlineData(1e-300)]
    [InlineData(3e-45)] // float32's subnormal range: rounding first keeps a few bits
    [InlineData(1e300)] // beyond float32's range: rounding first gives infinities
    public void Unit_norm_rows_at_any_scale_round_to_their_unit_direction(double scale)
    {
        double[] x = [3 * scale, -4 * scale, 0, 12 * scale, 5 * scale, 0];
        float[] result = Float64Rows.NormalizeThenRound(x, 2, 3, RowNormalization.UnitNorm);
        Assert.Equal([0.6f, -0.8f, 0f, 12f / 13f, 5f / 13f, 0f], result);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(1e-300)]
    [InlineData(1e300)]
    public void Unit_sum_rows_at_any_scale_round_to_their_proportions(double scale)
    {
        double[] x = [1 * scale, 3 * scale, 0, 2 * scale];
        float[] result = Float64Rows.NormalizeThenRound(x, 2, 2, RowNormalization.UnitSum);
        Assert.Equal([0.25f, 0.75f, 0f, 1f], result);
    }

    [Fact]
    public void Rows_that_cannot_be_normalized_are_only_rounded()
    {
        // A zero row, a non-finite element, and (unit sum only) a negative element: left to the
        // float32 check that follows, which names them as it does for float32 files.
        double[] x = [0, 0, double.NaN, 1, double.PositiveInfinity, 2, -1, 3];
        float[] norm = Float64Rows.NormalizeThenRound(x, 4, 2, RowNormalization.UnitNorm);
        Assert.Equal([0f, 0f, float.NaN, 1f, float.PositiveInfinity, 2f, (float)(-1 / Math.Sqrt(10)), (float)(3 / Math.Sqrt(10))], norm);

        // The input is the caller's: it is read, not normalized in place.
        Assert.Equal([0, 0, double.NaN, 1, double.PositiveInfinity, 2, -1, 3], x);

        float[] sum = Float64Rows.NormalizeThenRound(x, 4, 2, RowNormalization.UnitSum);
        Assert.Equal([0f, 0f, float.NaN, 1f, float.PositiveInfinity, 2f, -1f, 3f], sum);
    }

    [Fact]
    public void A_zero_entry_is_not_a_negative_one_for_unit_sum()
    {
        // 2e-300 rounds to 0 in float32: only a row normalized first keeps its mass.
        float[] result = Float64Rows.NormalizeThenRound([0, 2e-300], 1, 2, RowNormalization.UnitSum);
        Assert.Equal([0f, 1f], result);
    }
}
