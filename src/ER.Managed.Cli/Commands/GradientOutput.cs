using System;
using System.CommandLine;
using System.IO;
using ER.Managed.Npy;

namespace ER.Managed.Cli.Commands;

/// <summary>Writing gradients to .npy for the <c>--grad*</c> options.</summary>
internal static class GradientOutput
{
    internal static Option<string> DataType() => CommonOptions.Choice("--grad-dtype", "Element type of gradient files: f4 (float32) or f8 (float64).", "f4", "f8");

    internal static Option<string?> Path(string name, string description) => new(name) { Description = description };

    /// <summary>Writes a rows x columns gradient atomically (a failed write leaves no partial file).</summary>
    internal static void Write(string path, float[] gradient, int rows, int columns, string dataType) =>
        Write(path, () =>
        {
            if (dataType == "f8")
            {
                var wide = new double[gradient.Length];
                for (int i = 0; i < wide.Length; i++)
                {
                    wide[i] = gradient[i];
                }

                NpyFile.Write(path, wide, [rows, columns]);
            }
            else
            {
                NpyFile.Write(path, gradient, [rows, columns]);
            }
        });

    /// <summary>Runs <paramref name="write"/> (an atomic .npy write to <paramref name="path"/>), turning failures into one-line messages naming the file.</summary>
    internal static void Write(string path, Action write)
    {
        try
        {
            write();
        }
        catch (UnauthorizedAccessException)
        {
            throw new CliInputException($"{path}: cannot write (permission denied).");
        }
        catch (DirectoryNotFoundException)
        {
            throw new CliInputException($"{path}: cannot write (no such directory).");
        }
        catch (IOException e)
        {
            throw new CliInputException($"{path}: cannot write ({e.Message.Split('\n')[0].TrimEnd('\r', '.')}).");
        }
    }
}
