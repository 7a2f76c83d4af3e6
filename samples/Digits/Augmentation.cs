namespace ER.Managed.Samples.Digits;

/// <summary>
/// A random view of an 8 x 8 image: shifted by up to one pixel in each direction (zeros shifted
/// in), Gaussian noise on every pixel, and a fraction of the pixels dropped to 0.
/// </summary>
public sealed class Augmentation(double noise = 0.1, double dropout = 0.1)
{
    /// <summary>Writes a view of <paramref name="image"/> (64 pixels) into <paramref name="view"/>.</summary>
    public void View(ReadOnlySpan<float> image, Span<float> view, Random random)
    {
        int dx = random.Next(-1, 2), dy = random.Next(-1, 2);
        for (int y = 0; y < DigitsData.Side; y++)
        {
            for (int x = 0; x < DigitsData.Side; x++)
            {
                int sx = x - dx, sy = y - dy;
                float value = sx >= 0 && sx < DigitsData.Side && sy >= 0 && sy < DigitsData.Side ? image[(sy * DigitsData.Side) + sx] : 0f;
                value += (float)(noise * Normal(random));
                view[(y * DigitsData.Side) + x] = random.NextDouble() < dropout ? 0f : value;
            }
        }
    }

    private static double Normal(Random random)
    {
        // Box-Muller.
        double u = 1.0 - random.NextDouble(), v = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u)) * Math.Cos(2.0 * Math.PI * v);
    }
}
