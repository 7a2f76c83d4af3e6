using System.Globalization;
using System.IO;
using System.IO.Compression;

namespace ER.Managed.Samples.Digits;

/// <summary>
/// The 8 x 8 handwritten digits (data/digits.csv.gz: 1797 images, pixels 0..16, labels 0..9),
/// pixels scaled to [0, 1], split into a training and a held-out part by a seeded shuffle.
/// </summary>
public sealed class DigitsData
{
    /// <summary>Pixels per image.</summary>
    public const int Pixels = 64;

    /// <summary>Image edge.</summary>
    public const int Side = 8;

    private DigitsData(float[] images, int[] labels)
    {
        Images = images;
        Labels = labels;
    }

    /// <summary>Count x 64 pixels in [0, 1], row-major.</summary>
    public float[] Images { get; }

    /// <summary>The digit of each image.</summary>
    public int[] Labels { get; }

    /// <summary>The number of images.</summary>
    public int Count => Labels.Length;

    /// <summary>Reads the gzip-compressed CSV (64 pixels then the label, a line an image).</summary>
    public static DigitsData Load(string path)
    {
        using var file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        var images = new System.Collections.Generic.List<float>();
        var labels = new System.Collections.Generic.List<int>();
        string? line;
        int number = 0;
        while ((line = reader.ReadLine()) is not null)
        {
            number++;
            string[] fields = line.Split(',');
            if (fields.Length != Pixels + 1)
            {
                throw new InvalidDataException($"line {number}: {fields.Length} fields, expected {Pixels + 1}.");
            }

            for (int p = 0; p < Pixels; p++)
            {
                images.Add(float.TryParse(fields[p], NumberStyles.Float, CultureInfo.InvariantCulture, out float pixel) && pixel is >= 0 and <= 16
                    ? pixel / 16f
                    : throw new InvalidDataException($"line {number}: pixel {p} is '{fields[p]}', expected a number from 0 to 16."));
            }

            labels.Add(int.TryParse(fields[Pixels], NumberStyles.Integer, CultureInfo.InvariantCulture, out int label) && label is >= 0 and <= 9
                ? label
                : throw new InvalidDataException($"line {number}: the label is '{fields[Pixels]}', expected a digit 0 to 9."));
        }

        return labels.Count >= MinimumImages
            ? new DigitsData([.. images], [.. labels])
            : throw new InvalidDataException($"the file holds {labels.Count} images; the study needs at least {MinimumImages}, so that its largest batch (256) fits in the 70% it trains on");
    }

    /// <summary>The fewest images a data file may hold (a smaller one left the held-out split empty, and the library refused it deep in the evaluation).</summary>
    public const int MinimumImages = 400;

    /// <summary>The default location: data/digits.csv.gz beside the program.</summary>
    public static string DefaultPath => Path.Combine(AppContext.BaseDirectory, "data", "digits.csv.gz");

    /// <summary>A seeded split: the first <paramref name="trainFraction"/> of a shuffle for training, the rest held out.</summary>
    public (DigitsData Train, DigitsData Test) Split(double trainFraction, int seed)
    {
        int[] order = new int[Count];
        for (int i = 0; i < Count; i++)
        {
            order[i] = i;
        }

        new Random(seed).Shuffle(order);
        int train = (int)Math.Round(trainFraction * Count);
        return (Subset(order.AsSpan(0, train)), Subset(order.AsSpan(train)));
    }

    private DigitsData Subset(ReadOnlySpan<int> rows)
    {
        var images = new float[rows.Length * Pixels];
        var labels = new int[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            Images.AsSpan(rows[i] * Pixels, Pixels).CopyTo(images.AsSpan(i * Pixels, Pixels));
            labels[i] = Labels[rows[i]];
        }

        return new DigitsData(images, labels);
    }
}
