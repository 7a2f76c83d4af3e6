namespace ER.Managed.Tests;

/// <summary>Seeded random inputs for tests (System.Random with a seed is stable across runs).</summary>
internal static class TestData
{
    internal static float[] Normal(int count, int seed, double scale = 1.0)
    {
        var random = new Random(seed);
        var result = new float[count];
        for (int i = 0; i < count; i++)
        {
            double u1 = 1.0 - random.NextDouble();
            double u2 = random.NextDouble();
            result[i] = (float)(scale * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2));
        }

        return result;
    }

    internal static float[] UnitRows(int rows, int columns, int seed)
    {
        float[] x = Normal(rows * columns, seed);
        RowOps.L2Normalize(x, rows, columns, x);
        return x;
    }

    /// <summary>n unit rows on the circle S^1, row i at angle i radians (all distinct).</summary>
    internal static float[] CircleRows(int n)
    {
        var z = new float[n * 2];
        for (int i = 0; i < n; i++)
        {
            (z[2 * i], z[(2 * i) + 1]) = ((float)Math.Cos(i), (float)Math.Sin(i));
        }

        return z;
    }

    internal static float[] ProbabilityRows(int rows, int columns, int seed, double logitScale = 1.0)
    {
        float[] x = Normal(rows * columns, seed, logitScale);
        RowOps.Softmax(x, rows, columns, x);
        return x;
    }
}
