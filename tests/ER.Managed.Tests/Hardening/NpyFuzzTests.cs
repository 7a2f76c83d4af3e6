using System.Diagnostics;
using System.IO;
using ER.Managed.Npy;

namespace ER.Managed.Tests.Hardening;

/// <summary>
/// Thousands of seeded mutations of valid .npy files: each read either succeeds or throws
/// <see cref="InvalidDataException"/> (or <see cref="OverflowException"/> converting float64 to
/// float32); nothing else, no hang, and no allocation beyond what the data justify.
/// </summary>
public class NpyFuzzTests
{
    [Theory]
    [InlineData(1, false)]
    [InlineData(2, true)]
    [InlineData(3, false)]
    public void Mutated_files_never_crash_or_hang(int seed, bool nonSeekable)
    {
        byte[][] valid =
        [
            NpyFileTests.Build("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }", 1, new float[12]),
            NpyFileTests.Build("{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }", 2, [1, 2, 3, 4, 5]),
            Float64File(),
        ];
        var random = new Random(seed);
        var watch = Stopwatch.StartNew();
        int accepted = 0, refused = 0;
        for (int trial = 0; trial < 3000; trial++)
        {
            byte[] bytes = Mutate(valid[trial % valid.Length], random);
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                using Stream stream = nonSeekable ? new ForwardOnlyStream(bytes) : new MemoryStream(bytes);
                NpyArray array = NpyFile.Read(stream);
                _ = array.ToDoubleArray();
                accepted++;
            }
            catch (InvalidDataException)
            {
                refused++;
            }

            // Never more than a small multiple of the file's own size (plus fixed overheads).
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < (64 * bytes.Length) + (1 << 20), $"trial {trial}: {allocated} bytes for a {bytes.Length}-byte file");
        }

        Assert.True(refused > 1000, $"only {refused} refused");
        Assert.True(accepted > 10, $"only {accepted} accepted");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), "the fuzz run took too long (a hang?)");
    }

    private static byte[] Float64File()
    {
        using var stream = new MemoryStream();
        NpyFile.Write(stream, new double[] { 1, 2, 3, 4, 5, 6 }, [2, 3]);
        return stream.ToArray();
    }

    private static byte[] Mutate(byte[] source, Random random)
    {
        byte[] bytes = (byte[])source.Clone();
        switch (random.Next(6))
        {
            case 0:
                // Flip a few bytes anywhere.
                for (int i = random.Next(1, 4); i > 0; i--)
                {
                    bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                }

                return bytes;
            case 1:
                // Truncate.
                return bytes[..random.Next(bytes.Length)];
            case 2:
                // Corrupt the header text with a character typical of the grammar.
                string alphabet = "{}():,'\" 0123456789-TrueFalsef<>=|";
                bytes[10 + random.Next(Math.Max(1, bytes.Length - 10))] = (byte)alphabet[random.Next(alphabet.Length)];
                return bytes;
            case 3:
                // A random header length.
                bytes[8] = (byte)random.Next(256);
                bytes[9] = (byte)random.Next(256);
                return bytes;
            case 4:
                // Append garbage.
                byte[] longer = new byte[bytes.Length + random.Next(1, 64)];
                bytes.CopyTo(longer, 0);
                random.NextBytes(longer.AsSpan(bytes.Length));
                return longer;
            default:
                // Replace a digit of the shape with a larger one.
                string text = System.Text.Encoding.Latin1.GetString(bytes);
                int at = text.IndexOf("shape", StringComparison.Ordinal);
                if (at > 0)
                {
                    int digit = text.IndexOfAny("0123456789".ToCharArray(), at);
                    if (digit > 0)
                    {
                        bytes[digit] = (byte)('0' + random.Next(10));
                    }
                }

                return bytes;
        }
    }

    private sealed class ForwardOnlyStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    }
}
