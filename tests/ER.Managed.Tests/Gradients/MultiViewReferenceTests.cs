using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace ER.Managed.Tests.Gradients;

/// <summary>
/// The multi-view loss against a float64 autograd reference of its formulas
/// (<c>Data/multiview_reference.json</c>, written by <c>scripts/multiview_reference.py</c> with PyTorch
/// and mpmath, independent of the library): V = 2, 3, 6 views, G = 1, 2 global views, entropy of all
/// or of the global views, both supports, the three sphere estimators and both discrete ones,
/// kappa = 10, kappa = 0 (the uniform limit), and kappa = 2000 on rows 90 degrees apart, where every
/// off-diagonal term of every row underflows float32 under the self-pair's shift.
/// </summary>
public class MultiViewReferenceTests
{
    private static readonly Lazy<JsonElement[]> Cases = new(() =>
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Data", "multiview_reference.json")));
        return document.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.Clone()).ToArray();
    });

    public static IEnumerable<object[]> Names() => Cases.Value.Select(c => new object[] { c.GetProperty("name").GetString()! });

    private static JsonElement Case(string name) => Cases.Value.Single(c => c.GetProperty("name").GetString() == name);

    private static ErLoss Loss(JsonElement c)
    {
        int views = c.GetProperty("views").GetInt32();
        var loss = new ErLoss(
            c.GetProperty("support").GetString() == "sphere" ? Support.Sphere : Support.Discrete,
            c.GetProperty("rows").GetInt32(),
            c.GetProperty("columns").GetInt32(),
            views)
        {
            Kappa = c.GetProperty("kappa").GetDouble(),
            Temperature = c.GetProperty("temperature").GetDouble(),
            ReconstructionWeight = c.GetProperty("reconstruction_weight").GetDouble(),
            EntropyWeight = c.GetProperty("entropy_weight").GetDouble(),
            GlobalViews = c.GetProperty("global").GetInt32(),
            EntropyOf = c.GetProperty("entropy_of").GetString() == "global" ? EntropyView.Global : EntropyView.Mean,
        };
        loss.Reduction = c.GetProperty("estimator").GetString() switch
        {
            "joe" => EntropyReduction.Average,
            "joe-loo" => EntropyReduction.LeaveOneOut,
            _ => EntropyReduction.Expectation,
        };
        return loss;
    }

    private static float[] Floats(JsonElement array) => array.EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();

    private static double[] Doubles(JsonElement array) => array.EnumerateArray().Select(e => e.GetDouble()).ToArray();

    [Theory]
    [MemberData(nameof(Names))]
    public void Loss_parts_and_gradients_match_the_float64_autograd_reference(string name)
    {
        JsonElement c = Case(name);
        float[] inputs = Floats(c.GetProperty("inputs"));
        double kappa = c.GetProperty("kappa").GetDouble();
        ErLoss loss = Loss(c);
        var gradients = new float[inputs.Length];
        ErLossResult result = loss.Compute(inputs, gradients);

        // Tolerances. The library computes in float32: unit rows and similarities carry ~1e-7 relative
        // rounding, which kappa multiplies in every exponent; at kappa <= 10 that is ~1e-6, so values to
        // 1e-5 of max(1, |value|) and gradients to 1e-4 of their largest entry. At kappa = 2000 the same
        // rounding moves each exponent by ~4e-4 (and each value, ~kappa large, by as much): values to
        // 1e-6 relative plus 2e-3 absolute, gradients to 1e-3 of their largest entry.
        bool large = kappa > 100;
        double valueTolerance = large ? 2e-3 : 1e-5;
        void Value(string part, double want, double got)
        {
            double allowed = large ? (1e-6 * Math.Abs(want)) + valueTolerance : valueTolerance * Math.Max(1, Math.Abs(want));
            Assert.True(Math.Abs(got - want) <= allowed, $"{name} {part}: got {got:R}, want {want:R}");
        }

        Value("loss", c.GetProperty("loss").GetDouble(), result.Loss);
        Value("reconstruction", c.GetProperty("reconstruction").GetDouble(), result.Reconstruction);
        Value("entropy", c.GetProperty("entropy").GetDouble(), result.Entropy);
        Value("dLoss/dkappa", c.GetProperty("grad_kappa").GetDouble(), result.KappaGradient);
        GradientAssert.Close(Doubles(c.GetProperty("gradients")), gradients, $"{name} gradients", tol: large ? 1e-3 : 1e-4, floor: 1e-9);
        Assert.All(gradients, v => Assert.True(float.IsFinite(v)));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Two_views_give_the_same_bits_stacked_separately_and_as_the_two_view_loss_computed(string name)
    {
        JsonElement c = Case(name);
        if (c.GetProperty("views").GetInt32() != 2)
        {
            return;
        }

        float[] inputs = Floats(c.GetProperty("inputs"));
        int n = inputs.Length / 2;
        ErLoss loss = Loss(c);
        var stackedGradients = new float[inputs.Length];
        ErLossResult stacked = loss.Compute(inputs, stackedGradients);
        var g1 = new float[n];
        var g2 = new float[n];
        ErLossResult separate = loss.Compute(inputs.AsSpan(0, n), inputs.AsSpan(n, n), g1, g2);
        Assert.Equal(stacked, separate);
        Assert.Equal(stackedGradients, g1.Concat(g2).ToArray());

        // The two-view loss as it was computed before views were generalized (same float operations in the same order).
        var o1 = new float[n];
        var o2 = new float[n];
        ErLossResult oracle = TwoViewErLossOracle.Compute(loss, inputs.AsSpan(0, n), inputs.AsSpan(n, n), o1, o2);
        Assert.Equal(oracle, stacked);
        Assert.Equal(o1, g1);
        Assert.Equal(o2, g2);
    }
}
