using ER.Managed.Numerics;

namespace ER.Managed.Tests.Numerics;

/// <summary>The cap area in log form (<see cref="SphereCap"/>) against closed forms and leading-order asymptotics.</summary>
public class SphereCapTests
{
    private static double ChordSquared(double theta) => 4.0 * Math.Sin(theta / 2) * Math.Sin(theta / 2);

    [Theory]
    [InlineData(1e-7)]
    [InlineData(0.3)]
    [InlineData(1.5)]
    [InlineData(2.5)]
    [InlineData(3.1)]
    public void Circle_and_two_sphere_closed_forms(double theta)
    {
        // d = 2: the arc 2 theta; d = 3: 2 pi (1 - cos theta) = 4 pi sin^2(theta/2). 1e-13 relative.
        Assert.Equal(Math.Log(2 * theta), SphereCap.LogArea(2, ChordSquared(theta)), 12);
        Assert.Equal(Math.Log(4 * Math.PI * Math.Sin(theta / 2) * Math.Sin(theta / 2)), SphereCap.LogArea(3, ChordSquared(theta)), 12);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(17)]
    [InlineData(128)]
    [InlineData(1000)]
    public void The_whole_sphere_and_the_hemisphere(int d)
    {
        double whole = SpecialFunctions.LogSphereArea(d);
        Assert.Equal(whole, SphereCap.LogArea(d, 4.0), 10);
        Assert.Equal(whole - Math.Log(2), SphereCap.LogArea(d, 2.0), 10);
    }

    [Theory]
    [InlineData(128, 1e-6)]
    [InlineData(1000, 1e-3)]
    [InlineData(16, 1e-30)]
    public void Tiny_caps_follow_the_flat_disc(int d, double theta)
    {
        // For tiny theta the cap is the flat (d-1)-ball of radius theta: |S^(d-2)| theta^(d-1) / (d-1),
        // to relative order theta^2 (d-1)/6; in log form, far beyond double's range when not in logs.
        double flat = SpecialFunctions.LogSphereArea(d - 1) + ((d - 1) * Math.Log(theta)) - Math.Log(d - 1);
        double got = SphereCap.LogArea(d, ChordSquared(theta));
        Assert.True(Math.Abs(got - flat) <= (theta * theta * d) + 1e-12 * Math.Abs(flat), $"got {got:R}, flat {flat:R}");
    }

    [Fact]
    public void Digamma_matches_harmonic_numbers_on_both_sides_of_its_switch()
    {
        double harmonic = 0.0;
        for (int n = 1; n <= 200; n++)
        {
            // 1e-13 absolute: the harmonic sum's own rounding is about n * 2^-53.
            Assert.True(Math.Abs(-SpecialFunctions.EulerGamma + harmonic - SpecialFunctions.Digamma(n)) <= 1e-13, $"psi({n})");
            harmonic += 1.0 / n;
        }
    }
}
