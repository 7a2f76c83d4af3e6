using System.Linq;
using ER.Managed.Cli.Commands;

namespace ER.Managed.Tests.Cli;

/// <summary>
/// <c>er train-demo</c>'s optimizer and its kappa: Adam's bias-corrected steps at the values its
/// definition fixes, and kappa learned as t = log kappa with the chain rule's gradient.
/// </summary>
public sealed class TrainDemoOptimizerTests
{
    [Theory]
    [InlineData(2.0f, 0.1)]
    [InlineData(-0.003f, 0.01)]
    [InlineData(5e4f, 1e-3)]
    public void Adam_moves_by_the_learning_rate_against_a_constant_gradient_at_every_step(float gradient, double rate)
    {
        // With bias correction, m^ = g and v^ = g^2 after every step of a constant g, so each step
        // is rate g / (|g| + 1e-8). The tolerance, 1e-6 a step, covers the float parameter's rounding
        // (half an ulp of 4 is 2.4e-7) and is a thousandth of the smallest rate's step.
        var adam = new TrainDemoCommand.Adam(2, rate);
        float[] parameters = [1f, -4f];
        float[] gradients = [gradient, -gradient];
        for (int step = 1; step <= 5; step++)
        {
            adam.Step(parameters, gradients);
            double moved = rate * Math.Abs(gradient) / (Math.Abs(gradient) + 1e-8) * step;
            Assert.Equal(1.0 - (Math.Sign(gradient) * moved), parameters[0], 1e-6 * step);
            Assert.Equal(-4.0 + (Math.Sign(gradient) * moved), parameters[1], 1e-6 * step);
        }
    }

    [Fact]
    public void Adam_at_a_gradient_as_small_as_its_epsilon_moves_half_the_rate()
    {
        // g / (|g| + epsilon) with g = epsilon = 1e-8 is 1/2.
        var adam = new TrainDemoCommand.Adam(1, 0.5);
        float[] parameter = [0f];
        adam.Step(parameter, [1e-8f]);
        Assert.Equal(-0.25, parameter[0], 1e-7);
    }

    [Fact]
    public void Adam_averages_gradients_with_its_betas()
    {
        // Two steps, g = 1 then g = 3: m = 0.9 * 0.1 + 0.1 * 3 = 0.39, v = 0.999 * 0.001 + 0.001 * 9
        // = 0.009999, corrected by 1 - 0.9^2 = 0.19 and 1 - 0.999^2 = 0.001999: the second step is
        // 0.1 * (0.39 / 0.19) / sqrt(0.009999 / 0.001999) = 0.0917767..., the first 0.1 (to 1e-8).
        var adam = new TrainDemoCommand.Adam(1, 0.1);
        float[] parameter = [0f];
        adam.Step(parameter, [1f]);
        adam.Step(parameter, [3f]);
        double second = 0.1 * (0.39 / 0.19) / Math.Sqrt(0.009999 / 0.001999);
        Assert.Equal(-(0.1 + second), parameter[0], 1e-6);
    }

    [Fact]
    public void Learned_kappa_steps_in_log_kappa_with_the_chain_rules_gradient()
    {
        // dLoss/dt = kappa dLoss/dkappa at t = log kappa: two steps must be Adam's on t with those
        // gradients (the second step's size depends on their ratio, so the factor kappa matters).
        var settings = new TrainDemoCommand.DemoSettings(EntropyReduction.Expectation, 10, "learned", 25);
        var tracker = new TrainDemoCommand.KappaTracker(settings, 0.05);
        var reference = new TrainDemoCommand.Adam(1, 0.05);
        float[] t = [(float)Math.Log(10.0)];

        double kappa = tracker.Learn(10, 0.2);
        reference.Step(t, [(float)(10 * 0.2)]);
        Assert.Equal(Math.Exp(t[0]), kappa, 1e-12 * kappa);

        double next = tracker.Learn(kappa, -0.5);
        t[0] = (float)Math.Log(kappa);
        reference.Step(t, [(float)(kappa * -0.5)]);
        Assert.Equal(Math.Exp(t[0]), next, 1e-12 * next);
        Assert.True(tracker.Moves);
    }

    [Theory]
    [InlineData("fixed")]
    [InlineData("reselect")]
    public void Kappa_that_is_not_learned_stays_where_it_is(string mode)
    {
        var tracker = new TrainDemoCommand.KappaTracker(new TrainDemoCommand.DemoSettings(EntropyReduction.Average, 7, mode, 3), 0.5);
        Assert.Equal(7.0, tracker.Learn(7, 123.0));
        Assert.Equal(mode == "reselect", tracker.Moves);
        Assert.Equal(mode == "reselect", tracker.ReselectsAt(6));
        Assert.False(tracker.ReselectsAt(7));
        Assert.Equal(mode == "reselect" ? ", joe, kappa 7 reselect every 3 steps" : ", joe, kappa 7 fixed", tracker.Describe(Support.Sphere));
        Assert.Equal(string.Empty, tracker.Describe(Support.Discrete));
    }

    [Fact]
    public void Learned_kappa_stops_at_the_ceiling_and_becomes_0_once_it_rounds_to_0()
    {
        // A rate of 200 moves log kappa by 200 a step: e^(log 10 + 200) is past Entropy.MaxKappa,
        // e^(log 10 - 200) is below float32's smallest subnormal (1.4e-45).
        var settings = new TrainDemoCommand.DemoSettings(EntropyReduction.Expectation, 10, "learned", 25);
        Assert.Equal(Entropy.MaxKappa, new TrainDemoCommand.KappaTracker(settings, 200).Learn(10, -1));
        Assert.Equal(0.0, new TrainDemoCommand.KappaTracker(settings, 200).Learn(10, 1));
    }

    [Theory]
    [InlineData("sphere")]
    [InlineData("discrete")]
    public void The_projectors_gradients_match_central_differences_of_the_loss(string support)
    {
        // Y = X W + 1 b^T feeds ErLoss; the directional derivative along a random direction of W,
        // and of b, by central differences (h = 1e-2, the loss computed from float outputs: about
        // 1e-6 of rounding over 2h, so 1e-3 absolute, plus 1% for the O(h^2) term) must be the
        // analytic gradient's inner product with that direction. A sign or a missing view in either
        // gradient moves it by far more.
        const int k = TrainDemoCommand.BatchSize, n = TrainDemoCommand.InputDimension, d = TrainDemoCommand.OutputDimension;
        var loss = new ErLoss(support == "sphere" ? Support.Sphere : Support.Discrete, k, d) { Kappa = 4, Temperature = 0.5 };
        float[] x1 = TestData.Normal(k * n, seed: 91), x2 = TestData.Normal(k * n, seed: 92);
        float[] weights = [.. TestData.Normal(n * d, seed: 93).Select(w => w * 0.25f)];
        float[] bias = TestData.Normal(d, seed: 94);
        double Loss(float[] w, float[] b, float[]? g1 = null, float[]? g2 = null)
        {
            float[] y1 = new float[k * d], y2 = new float[k * d];
            TrainDemoCommand.Project(x1, w, b, y1);
            TrainDemoCommand.Project(x2, w, b, y2);
            return loss.Compute(y1, y2, g1 ?? new float[k * d], g2 ?? new float[k * d]).Loss;
        }

        float[] g1 = new float[k * d], g2 = new float[k * d], gradW = new float[n * d], gradBias = new float[d];
        Loss(weights, bias, g1, g2);
        gradW.AsSpan().Fill(float.NaN);
        TrainDemoCommand.ProjectorGradients(x1, x2, g1, g2, gradW, gradBias);

        const float h = 1e-2f;
        for (int seed = 0; seed < 3; seed++)
        {
            float[] v = TestData.Normal(n * d, seed: 100 + seed), u = TestData.Normal(d, seed: 200 + seed);
            double along = (Loss([.. weights.Select((w, i) => w + (h * v[i]))], bias) - Loss([.. weights.Select((w, i) => w - (h * v[i]))], bias)) / (2 * h);
            double analytic = gradW.Select((g, i) => (double)g * v[i]).Sum();
            Assert.Equal(analytic, along, 1e-3 + (0.01 * Math.Abs(analytic)));

            along = (Loss(weights, [.. bias.Select((b, i) => b + (h * u[i]))]) - Loss(weights, [.. bias.Select((b, i) => b - (h * u[i]))])) / (2 * h);
            analytic = gradBias.Select((g, i) => (double)g * u[i]).Sum();
            Assert.Equal(analytic, along, 1e-3 + (0.01 * Math.Abs(analytic)));
        }
    }
}
