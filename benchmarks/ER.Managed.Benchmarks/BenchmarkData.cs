namespace ER.Managed.Benchmarks;

/// <summary>Seeded inputs shared by the benchmark classes.</summary>
internal static class BenchmarkData
{
    internal static float[] Normal(int count, int seed)
    {
        var random = new Random(seed);
        var x = new float[count];
        for (int i = 0; i < count; i++)
        {
            x[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        }

        return x;
    }

    internal static float[] UnitRows(int rows, int columns, int seed)
    {
        float[] x = Normal(rows * columns, seed);
        RowOps.L2Normalize(x, rows, columns, x);
        return x;
    }

    internal static float[] ProbabilityRows(int rows, int columns, int seed)
    {
        float[] x = Normal(rows * columns, seed);
        RowOps.Softmax(x, rows, columns, x);
        return x;
    }
}
