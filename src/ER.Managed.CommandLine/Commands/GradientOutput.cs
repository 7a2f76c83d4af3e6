using ER.Managed.Npy;

namespace ER.Managed.Cli.Commands;

/// <summary>The <c>--grad*</c> options and the .npy bytes they write (through <see cref="Files.OutputFiles"/>).</summary>
internal static class GradientOutput
{
    internal static Option<string> DataType() => CommonOptions.Choice("--grad-dtype", "Element type of gradient files: f4 (float32) or f8 (float64).", "f4", "f8");

    internal static Option<string?> Path(string name, string description) => new(name) { Description = description, HelpName = "FILE" };

    /// <summary>Writes a rows x columns gradient as .npy, float32 or (<c>f8</c>) float64.</summary>
    internal static Action<Stream> Npy(float[] gradient, int rows, int columns, string dataType) => stream =>
    {
        if (dataType == "f8")
        {
            var wide = new double[gradient.Length];
            for (int i = 0; i < wide.Length; i++)
            {
                wide[i] = gradient[i];
            }

            NpyFile.Write(stream, wide, [rows, columns]);
        }
        else
        {
            NpyFile.Write(stream, gradient, [rows, columns]);
        }
    };
}
