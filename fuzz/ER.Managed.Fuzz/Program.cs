using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using ER.Managed.Npy;
using SharpFuzz;

namespace ER.Managed.Fuzz;

/// <summary>
/// AFL++ targets. A target fails (an unhandled exception, which AFL records as a crash) only where
/// the contract is broken: the reader throws something other than its documented exceptions, a
/// file it accepted does not write back to the same bits, or the command line lets an exception
/// escape, exits with a code other than 0, 1 and 2, or fails with more than one line.
/// </summary>
internal static class Program
{
    /// <summary>Commands the CLI target may run: quick ones, writing only into the working folder.</summary>
    private static readonly string[] Commands = ["entropy", "reconstruction", "loss", "lognorm", "kappa", "help", "info"];

    private static int Main(string[] args)
    {
        string target = args.Length == 1 ? args[0] : string.Empty;
        Action<Stream>? run = target switch
        {
            "npy" => Npy,
            "cli" => PrepareCommandLine(),
            _ => null,
        };

        if (run is null)
        {
            Console.Error.WriteLine("usage: ER.Managed.Fuzz npy|cli   (run under afl-fuzz, see fuzz/README.md; a file on standard input runs once)");
            return 2;
        }

        if (Environment.GetEnvironmentVariable("__AFL_SHM_ID") is null)
        {
            // Not under AFL: run the one input on standard input, how a crash is replayed (with the
            // uninstrumented build: dotnet run --project fuzz/ER.Managed.Fuzz -c Release -- TARGET < FILE).
            using Stream input = Console.OpenStandardInput();
            var copy = new MemoryStream();
            input.CopyTo(copy);
            copy.Position = 0;
            run(copy);
            return 0;
        }

        Fuzzer.OutOfProcess.Run(run);
        return 0;
    }

    /// <summary>The .npy reader on untrusted bytes, and a write-back of what it accepts.</summary>
    private static void Npy(Stream stream)
    {
        NpyArray array;
        try
        {
            array = NpyFile.Read(stream);
        }
        catch (InvalidDataException)
        {
            return;
        }
        catch (EndOfStreamException)
        {
            return;
        }

        if (array.DataType == NpyDataType.Float32)
        {
            float[] data = array.ToSingleArray();
            using var copy = new MemoryStream();
            NpyFile.Write(copy, data, array.Shape.ToArray());
            copy.Position = 0;
            float[] back = NpyFile.Read(copy).ToSingleArray();
            if (!back.Select(BitConverter.SingleToInt32Bits).SequenceEqual(data.Select(BitConverter.SingleToInt32Bits)))
            {
                throw new InvalidOperationException("A float32 array did not read back as written.");
            }
        }
        else
        {
            double[] data = array.ToDoubleArray();
            using var copy = new MemoryStream();
            NpyFile.Write(copy, data, array.Shape.ToArray());
            copy.Position = 0;
            if (!NpyFile.Read(copy).ToDoubleArray().Select(BitConverter.DoubleToInt64Bits).SequenceEqual(data.Select(BitConverter.DoubleToInt64Bits)))
            {
                throw new InvalidOperationException("A float64 array did not read back as written.");
            }
        }
    }

    /// <summary>
    /// The command line: the input's first byte picks a command, the rest are arguments separated by
    /// newlines. The process runs in a fresh folder holding a.npy (8 x 4 unit rows) and b.npy (a
    /// copy), and arguments that could leave that folder (absolute paths, "..") are dropped.
    /// </summary>
    private static Action<Stream> PrepareCommandLine()
    {
        // Prepared on the first input: instrumented code may run only inside the fuzzer's loop,
        // where AFL's coverage map exists.
        bool prepared = false;
        return stream =>
        {
            if (!prepared)
            {
                Directory.SetCurrentDirectory(Directory.CreateTempSubdirectory("er-fuzz-").FullName);
                var rows = new float[32];
                for (int i = 0; i < 8; i++)
                {
                    rows[(i * 4) + (i % 4)] = 1f;
                }

                NpyFile.Write("a.npy", rows, [8, 4]);
                NpyFile.Write("b.npy", rows, [8, 4]);
                prepared = true;
            }

            using var reader = new StreamReader(stream, Encoding.UTF8);
            string text = reader.ReadToEnd();
            if (text.Length == 0)
            {
                return;
            }

            var args = new List<string> { Commands[text[0] % Commands.Length] };
            args.AddRange(text[1..].Split('\n').Take(16).Where(a => !a.StartsWith('/') && !a.Contains("..", StringComparison.Ordinal)));
            using var stdout = new StringWriter();
            using var stderr = new StringWriter();
            int code = Cli.Cli.Run([.. args], stdout, stderr, new MemoryStream(File.ReadAllBytes("a.npy")));
            string[] errors = [.. stderr.ToString().TrimEnd().Split('\n').Where(line => line.Length > 0 && !line.StartsWith("er: note:", StringComparison.Ordinal))];
            if (code is not (0 or 1 or 2))
            {
                throw new InvalidOperationException($"exit code {code}");
            }

            if (code != 0 && errors.Length != 1)
            {
                throw new InvalidOperationException($"exit {code} with {errors.Length} error lines: {string.Join(" | ", errors)}");
            }
        };
    }
}
