using System.Numerics;
using ER.Managed.Numerics;

namespace ER.Managed.Tests.Numerics;

/// <summary>Log-gamma, log1p and the Debye polynomials against values computed with mpmath at 50 digits.</summary>
public class SpecialFunctionTests
{
    [Theory]
    [InlineData(0.5, 0.5723649429247000870717137)]
    [InlineData(1.0, 0.0)]
    [InlineData(1.5, -0.1207822376352452223455184)]
    [InlineData(2.0, 0.0)]
    [InlineData(2.5, 0.2846828704729191596324947)]
    [InlineData(3.0, 0.6931471805599453094172321)]
    [InlineData(7.25, 7.052185450738539444925749)]
    [InlineData(11.999, 17.4998652276461057390386)]
    [InlineData(12.0, 17.50230784587388583928765)]
    [InlineData(12.5, 18.73434751193644570163412)]
    [InlineData(100.5, 361.4355404677776215552519)]
    [InlineData(50000.0, 490984.4232715718217314671)]
    [InlineData(50001.0, 490995.2430498562320145778)]
    public void Log_gamma_matches_mpmath(double x, double want)
    {
        // A few ulps relative; below 12 the recurrence subtracts two values near 17 (lgamma(x + n)
        // and log of the product), which leaves up to ~1e-14 absolute near the zeros at 1 and 2.
        double got = SpecialFunctions.LogGamma(x);
        Assert.True(Math.Abs(got - want) <= (4e-16 * Math.Abs(want)) + 1e-14, $"lgamma({x}) = {got:R}, want {want:R}");
    }

    [Fact]
    public void Log_gamma_is_nan_outside_its_domain()
    {
        Assert.True(double.IsNaN(SpecialFunctions.LogGamma(0.0)));
        Assert.True(double.IsNaN(SpecialFunctions.LogGamma(-1.5)));
        Assert.True(double.IsNaN(SpecialFunctions.LogGamma(double.NaN)));
        Assert.Equal(double.PositiveInfinity, SpecialFunctions.LogGamma(double.PositiveInfinity));
    }

    [Theory]
    [InlineData(1e-300, 1.000000000000000025059092e-300)]
    [InlineData(1e-17, 1.000000000000000066542424e-17)]
    [InlineData(1e-10, 9.999999999500000364355306e-11)]
    [InlineData(-1e-10, -1.000000000050000036435531e-10)]
    [InlineData(1e-05, 0.000009999950000333331651375692)]
    [InlineData(0.5, 0.4054651081081643819780131)]
    [InlineData(-0.5, -0.6931471805599453094172321)]
    [InlineData(3.0, 1.386294361119890618834464)]
    public void Log1p_matches_mpmath_to_two_ulps(double x, double want)
    {
        double got = SpecialFunctions.Log1p(x);
        Assert.True(Math.Abs(got - want) <= 4.5e-16 * Math.Abs(want), $"log1p({x}) = {got:R}, want {want:R}");

        // What Math.Log(1 + x) would give for tiny x: all digits lost. The reason log1p exists.
        if (Math.Abs(x) < 1e-16)
        {
            Assert.Equal(0.0, Math.Log(1.0 + x));
        }
    }

    [Fact]
    public void Log1p_edges()
    {
        Assert.Equal(double.NegativeInfinity, SpecialFunctions.Log1p(-1.0));
        Assert.True(double.IsNaN(SpecialFunctions.Log1p(-2.0)));
        Assert.Equal(double.PositiveInfinity, SpecialFunctions.Log1p(double.PositiveInfinity));
    }

    [Fact]
    public void Debye_polynomials_match_DLMF_10_41_10_exactly()
    {
        Rational[][] u = DebyePolynomials.GenerateExact(3);

        // U_1 = (3p - 5p^3)/24, U_2 = (81p^2 - 462p^4 + 385p^6)/1152,
        // U_3 = (30375p^3 - 369603p^5 + 765765p^7 - 425425p^9)/414720 (DLMF 10.41.10).
        AssertPolynomial(u[0], (0, 1, 1));
        AssertPolynomial(u[1], (1, 3, 24), (3, -5, 24));
        AssertPolynomial(u[2], (2, 81, 1152), (4, -462, 1152), (6, 385, 1152));
        AssertPolynomial(u[3], (3, 30375, 414720), (5, -369603, 414720), (7, 765765, 414720), (9, -425425, 414720));
    }

    private static void AssertPolynomial(Rational[] coefficients, params (int Power, long Numerator, long Denominator)[] expected)
    {
        for (int j = 0; j < coefficients.Length; j++)
        {
            Rational want = Rational.Zero;
            foreach ((int power, long numerator, long denominator) in expected)
            {
                if (power == j)
                {
                    want = new Rational(new BigInteger(numerator), new BigInteger(denominator));
                }
            }

            Assert.Equal(want, coefficients[j]);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(1000)]
    [InlineData(1_000_000)]
    public void Digamma_of_an_integer_is_minus_gamma_plus_the_harmonic_number(int n)
    {
        // psi(n) = -gamma + sum_{k < n} 1/k, summed from the small terms up in decimal (28 digits):
        // both sides of the switch to the asymptotic series at 64. 4 ulps of a value up to 14.
        decimal harmonic = 0m;
        for (int k = n - 1; k >= 1; k--)
        {
            harmonic += 1m / k;
        }

        double want = (double)(harmonic - 0.5772156649015328606065120901m);
        Assert.Equal(want, SpecialFunctions.Digamma(n), 4 * Math.Max(1, Math.Abs(want)) * Math.Pow(2, -52));
    }

    [Fact]
    public void Digamma_below_one_is_not_a_number()
    {
        Assert.True(double.IsNaN(SpecialFunctions.Digamma(0)));
        Assert.True(double.IsNaN(SpecialFunctions.Digamma(-3)));
    }
}
