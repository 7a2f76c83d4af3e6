using System.Linq;
using System.Threading.Tasks;

namespace ER.Managed.Tests.Hardening;

/// <summary>
/// Every public API called from many threads at once gives what a sequential call gives: the
/// library keeps no mutable global state (pooled scratch is per call, the kernels are pure).
/// </summary>
public class ConcurrencyTests
{
    [Fact]
    public void Concurrent_calls_give_the_sequential_results()
    {
        const int k = 300, d = 24, tasks = 16;
        float[][] z = Enumerable.Range(0, tasks).Select(i => TestData.UnitRows(k, d, seed: i)).ToArray();
        float[][] w = Enumerable.Range(0, tasks).Select(i => TestData.ProbabilityRows(k, d, seed: 100 + i)).ToArray();

        (double, double, float[], double, double, double, double) Run(int i)
        {
            TermGradients h = Entropy.SphereWithGradient(z[i], k, d, 5 + i);
            double discrete = Entropy.Discrete(w[i], k, d, EntropyReduction.Average);
            double rec = Reconstruction.Sphere(z[i], z[(i + 1) % tasks], k, d, 3);
            double recDiscrete = Reconstruction.Discrete(w[i], w[(i + 1) % tasks], k, d);
            double lognorm = VonMisesFisher.LogNormalizer(d + i, 7.5 + i);
            return (h.Value, h.KappaGradient, h.Gradient, discrete, rec, recDiscrete, lognorm);
        }

        var sequential = Enumerable.Range(0, tasks).Select(Run).ToArray();
        var concurrent = new (double, double, float[], double, double, double, double)[tasks];
        Parallel.For(0, tasks, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => concurrent[i] = Run(i));
        for (int i = 0; i < tasks; i++)
        {
            Assert.Equal(sequential[i].Item1, concurrent[i].Item1);
            Assert.Equal(sequential[i].Item2, concurrent[i].Item2);
            Assert.Equal(sequential[i].Item3, concurrent[i].Item3);
            Assert.Equal(sequential[i].Item4, concurrent[i].Item4);
            Assert.Equal(sequential[i].Item5, concurrent[i].Item5);
            Assert.Equal(sequential[i].Item6, concurrent[i].Item6);
            Assert.Equal(sequential[i].Item7, concurrent[i].Item7);
        }
    }

    [Fact]
    public void One_loss_object_shared_by_threads_serializes_its_steps()
    {
        const int k = 50, d = 8;
        var loss = new ErLoss(Support.Sphere, k, d);
        float[] x1 = TestData.Normal(k * d, 1), x2 = TestData.Normal(k * d, 2);
        var g1 = new float[k * d];
        var g2 = new float[k * d];
        ErLossResult expected = loss.Compute(x1, x2, g1, g2);
        float[] expectedGradient = (float[])g1.Clone();
        Parallel.For(0, 32, _ =>
        {
            var a = new float[k * d];
            var b = new float[k * d];
            ErLossResult r = loss.Compute(x1, x2, a, b);
            Assert.Equal(expected, r);
            Assert.Equal(expectedGradient, a);
        });
    }
}
