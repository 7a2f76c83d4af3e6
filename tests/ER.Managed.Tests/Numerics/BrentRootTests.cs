using System.Collections.Generic;
using System.Linq;
using ER.Managed.Numerics;

namespace ER.Managed.Tests.Numerics;

/// <summary>
/// Brent's root finder (<see cref="BrentRoot"/>) on functions with known roots: the root to the
/// accuracy asked, bracketed by points it evaluated, in the evaluations its interpolation earns, and
/// never more evaluations than allowed.
/// </summary>
public class BrentRootTests
{
    public static TheoryData<string, double> FunctionsAndAccuracies()
    {
        var data = new TheoryData<string, double>();
        foreach (string name in new[] { "sqrt2", "cubic", "omega", "dottie", "steep", "triple", "step", "line", "exp", "quintic" })
        {
            foreach (double accuracy in new[] { 1e-4, 1e-8, 1e-12 })
            {
                data.Add(name, accuracy);
            }
        }

        return data;
    }

    // f(a) > 0 > f(b) on each bracket, and the root in double: smooth simple roots (on brackets from
    // 0, beside 0 and across it), one where f is flat over most of the bracket, a triple root
    // (interpolation converges slowly), a step (it cannot help) and a line (the first secant step
    // lands on the root exactly).
    private static (Func<double, double> F, double A, double B, double Root) Case(string name) => name switch
    {
        "sqrt2" => (x => 2.0 - (x * x), 1.0, 2.0, Math.Sqrt(2.0)),
        "cubic" => (x => -((x * x * x) - (2.0 * x) - 5.0), 2.0, 3.0, 2.0945514815423265),
        "omega" => (x => Math.Exp(-x) - x, 0.0, 1.0, 0.5671432904097838),
        "dottie" => (x => Math.Cos(x) - x, 0.0, 1.0, 0.7390851332151607),
        "steep" => (x => Math.Exp(-20.0 * x) - 0.5, 0.0, 4.0, Math.Log(2.0) / 20.0),
        "triple" => (x => (0.3 - x) * (0.3 - x) * (0.3 - x), 0.0, 1.0, 0.3),
        "step" => (x => x < 0.3 ? 1.0 : -1.0, 0.0, 1.0, 0.3),
        "line" => (x => 1.0 - x, 0.0, 3.0, 1.0),
        "exp" => (x => 1.0 - Math.Exp(x), -3.0, 2.0, 0.0),
        "quintic" => (x => 0.4 - x - (0.2 * x * x * x * x * x), -2.0, 1.5, 0.3980026246943604),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static (double Root, List<double> Evaluated) Find(string name, double accuracy, int maxEvaluations)
    {
        (Func<double, double> f, double a, double b, _) = Case(name);
        var evaluated = new List<double>();
        double root = BrentRoot.Find(a, b, f(a), f(b), accuracy, maxEvaluations, default, (x, _) =>
        {
            evaluated.Add(x);
            return f(x);
        });
        return (root, evaluated);
    }

    [Theory]
    [MemberData(nameof(FunctionsAndAccuracies))]
    public void The_root_is_found_to_the_accuracy_asked_between_points_of_either_sign(string name, double accuracy)
    {
        (Func<double, double> f, double a, double b, double exact) = Case(name);
        (double root, List<double> evaluated) = Find(name, accuracy, 1000);

        // The sign change of f in double lies within a few ulps of the exact root (1e-15 here).
        Assert.InRange(root, exact - accuracy - 1e-15, exact + accuracy + 1e-15);
        double atRoot = f(root);
        if (atRoot != 0.0)
        {
            // The final bracket: a point of the other sign, evaluated or given, within the accuracy.
            Assert.Contains(evaluated.Append(a).Append(b), x => Math.Sign(f(x)) == -Math.Sign(atRoot) && Math.Abs(x - root) <= accuracy);
        }
    }

    [Theory]
    [InlineData("sqrt2", 6)]
    [InlineData("cubic", 6)]
    [InlineData("omega", 5)]
    [InlineData("dottie", 6)]
    [InlineData("steep", 13)]
    [InlineData("step", 40)]
    [InlineData("line", 1)]
    [InlineData("exp", 8)]
    [InlineData("quintic", 8)]
    public void Interpolation_finds_a_smooth_root_in_a_few_evaluations_and_a_jump_no_slower_than_bisection(string name, int evaluations)
    {
        // To 1e-12, bisection needs log2(width / 1e-12) = 40 to 43 evaluations on these brackets.
        // The counts are this implementation's: interpolation takes the smooth roots in 5 to 13 and
        // the line in 1, and the step, where it cannot help, costs no more than bisection. A
        // change to the interpolation, its safeguards or the bracket's bookkeeping that costs an
        // evaluation fails here.
        (_, List<double> evaluated) = Find(name, 1e-12, 100);
        Assert.InRange(evaluated.Count, 1, evaluations);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(100)]
    public void The_evaluations_allowed_are_never_exceeded(int maxEvaluations)
    {
        // At accuracy 0 the jump of the step can only be bracketed to adjacent doubles, which no
        // step of half their distance separates further, so the search runs to its limit. 55
        // bisections reach the double spacing at 0.3 (2^-54 there).
        (double root, List<double> evaluated) = Find("step", 0.0, maxEvaluations);
        Assert.Equal(maxEvaluations, evaluated.Count);
        Assert.InRange(root, 0.0, 1.0);
        if (maxEvaluations == 100)
        {
            Assert.Equal(0.3, root, 1e-16);
        }
    }
}
