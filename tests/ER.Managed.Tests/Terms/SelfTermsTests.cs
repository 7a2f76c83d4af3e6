using ER.Managed.Terms;

namespace ER.Managed.Tests.Terms;

/// <summary>
/// The self-pair's term in double, against the plain formulas: rows of norm other than 1 (so that
/// kappa norm differs from kappa / norm), either part dominating, and the backward's diagonal.
/// Tolerance 1e-12 relative: both sides are a handful of double operations.
/// </summary>
public class SelfTermsTests
{
    [Theory]
    [InlineData(0.0, 3.0, 1.5, 2.0, 0.8)]
    [InlineData(10.0, 0.5, 0.2, 4.0, 1.3)]
    [InlineData(-5.0, 2.0, -0.7, 30.0, 0.9)]
    [InlineData(40.0, 1.0, 0.9, 1.0, 1.1)]
    public void WithSelf_is_the_log_sum_exp_of_the_others_and_the_self_term(double shift, double sum, double dot, double kappa, double norm)
    {
        (double lse, double expected) = SelfTerms.WithSelf(shift, sum, dot, kappa, norm);
        double others = Math.Exp(shift) * sum, self = Math.Exp(kappa * norm);
        double wantLse = Math.Log(others + self);
        double wantExpected = ((Math.Exp(shift) * dot) + (norm * self)) / (others + self);
        Assert.Equal(wantLse, lse, 1e-12 * Math.Abs(wantLse));
        Assert.Equal(wantExpected, expected, 1e-12 * Math.Max(1, Math.Abs(wantExpected)));
    }

    [Fact]
    public void WithSelf_without_other_terms_is_the_self_term_alone()
    {
        Assert.Equal((6.0, 1.5), SelfTerms.WithSelf(shift: 3, sum: 0, dot: 0, kappa: 4, norm: 1.5));
        Assert.Equal((6.0, 1.5), SelfTerms.WithSelf(shift: 3, sum: double.NaN, dot: 0, kappa: 4, norm: 1.5));
    }

    [Fact]
    public void UnderShift_and_the_gradients_diagonal_follow_their_formulas()
    {
        Assert.Equal(Math.Exp((2.5 * 1.2) - 1.0), SelfTerms.UnderShift(2.5, 1.2, 1.0), 1e-15);

        float[] z = [0.6f, -0.8f, 0.5f];
        var gradient = new float[] { 1f, 2f, 3f };
        const double kappa = 3, norm = 1.25, lse = 2, g = 0.4;
        SelfTerms.AddGradient(kappa, norm, lse, g, z, gradient);
        double w = 2 * g * Math.Exp((kappa * norm) - lse);
        for (int t = 0; t < z.Length; t++)
        {
            Assert.Equal((float)(new[] { 1.0, 2.0, 3.0 }[t] + (-kappa * w * z[t])), gradient[t], 1e-5f);
        }

        // A weight that is not finite (an overflowing exponential) adds nothing rather than NaN.
        var untouched = new float[] { 1f, 2f, 3f };
        SelfTerms.AddGradient(kappa, norm: 1000, lse: 0, g, z, untouched);
        Assert.Equal(new float[] { 1f, 2f, 3f }, untouched);
    }
}
