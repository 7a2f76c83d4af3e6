using System.CommandLine.Parsing;
using System.Text.Json;
using ER.Managed.Cli.Files;
using ER.Managed.Npy;

namespace ER.Managed.Cli.Commands;

/// <summary>The options several commands share, defined once so they read and validate alike.</summary>
internal static class CommonOptions
{
    internal static Option<double> Kappa() => NonNegativeDouble("--kappa", Entropy.DefaultKappa, "vMF concentration kappa (>= 0, 0 being the uniform limit; sphere support only).");

    internal static Option<double> PositiveDouble(string name, double defaultValue, string description) => FiniteDouble(name, defaultValue, description, allowZero: false);

    internal static Option<double> NonNegativeDouble(string name, double defaultValue, string description) => FiniteDouble(name, defaultValue, description, allowZero: true);

    private static Option<double> FiniteDouble(string name, double defaultValue, string description, bool allowZero) =>
        new(name)
        {
            Description = description,
            HelpName = name.TrimStart('-').ToUpperInvariant(),
            DefaultValueFactory = _ => defaultValue,
            CustomParser = result =>
            {
                string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
                {
                    result.AddError($"{name} expects a number, got '{text}'.");
                    return defaultValue;
                }

                if (!double.IsFinite(value) || value < 0 || (value == 0 && !allowZero))
                {
                    result.AddError($"{name} must be a finite number {(allowZero ? "at least 0" : "greater than 0")}, got '{text}'.");
                }

                // "-0" (or a literal that underflows from below) is zero: echoed and written as 0, not -0.
                return value == 0 ? 0.0 : value;
            },
        };

    internal static Option<int> PositiveInt(string name, string description, bool required = false, int defaultValue = 1, string helpName = "N") =>
        new(name)
        {
            Description = description,
            HelpName = helpName,
            Required = required,
            DefaultValueFactory = required ? null : _ => defaultValue,
            CustomParser = Token(PositiveInt, $"{name} expects an integer >= 1", defaultValue),
        };

    /// <summary>A positional integer of at least 1 (the parser's own message would name .NET's type, System.Int32).</summary>
    internal static Argument<int> PositiveIntArgument(string name, string description) =>
        new(name)
        {
            Description = description,
            CustomParser = Token(PositiveInt, $"{name} expects an integer from 1 to {int.MaxValue}", 1),
        };

    /// <summary><c>--seed N</c>: any unsigned 64-bit integer.</summary>
    internal static Option<ulong> Seed(string description, ulong defaultValue) =>
        new("--seed")
        {
            Description = description,
            HelpName = "N",
            DefaultValueFactory = _ => defaultValue,
            CustomParser = Token(
                text => ulong.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out ulong value) ? value : null,
                $"--seed expects an integer from 0 to {ulong.MaxValue}",
                defaultValue),
        };

    /// <summary>
    /// A parser for an option's one token: <paramref name="parse"/> gives its value, or null where it
    /// has none, and then <paramref name="expected"/> is the usage error. System.CommandLine's own
    /// message would name .NET's types ("as expected type 'System.Int32'").
    /// </summary>
    internal static Func<ArgumentResult, T> Token<T>(Func<string, T?> parse, string expected, T fallback)
        where T : struct =>
        result =>
        {
            string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
            if (parse(text) is T value)
            {
                return value;
            }

            result.AddError($"{expected}, got '{text}'.");
            return fallback;
        };

    private static int? PositiveInt(string text) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value >= 1 ? value : null;

    internal static Option<string> Choice(string name, string description, params string[] choices)
    {
        var option = new Option<string>(name)
        {
            Description = description,
            DefaultValueFactory = _ => choices[0],
        };
        option.AcceptOnlyFromAmong(choices);
        return option;
    }

    /// <summary>Refuses an explicit --kappa with the discrete support, which has no concentration.</summary>
    internal static void CheckKappaUsed(ParseResult parse, Option<double> kappa, bool sphere)
    {
        if (!sphere && parse.GetResult(kappa) is { Implicit: false })
        {
            throw new CliUsageException("--kappa applies to the sphere support only; the discrete terms have no concentration.");
        }
    }

    /// <summary>
    /// Runs a term on the rows read from <paramref name="path"/>, restating the library's input errors in
    /// the CLI's words: the file's name instead of the parameter's, and <c>--normalize</c> instead of the
    /// library calls that prepare rows.
    /// </summary>
    internal static T InCliWords<T>(Func<T> term, params (string Parameter, string Path)[] files)
    {
        try
        {
            return term();
        }
        catch (ArgumentException e) when (Array.Exists(files, f => f.Parameter == e.ParamName))
        {
            string path = Array.Find(files, f => f.Parameter == e.ParamName).Path;
            string message = CliErrors.Describe(e)[(e.ParamName!.Length + 2)..]
                .Replace("Normalize them first (RowOps.L2Normalize) or raise ErOptions.UnitNormTolerance.", "Pass --normalize to normalize them first.", StringComparison.Ordinal)
                .Replace("Apply a softmax first (RowOps.Softmax) or raise ErOptions.ProbabilitySumTolerance.", "Pass --normalize to divide each row by its sum first.", StringComparison.Ordinal);
            throw new CliInputException($"{DisplayName(path)}: {message}");
        }
    }

    internal static Option<string> Support() => Choice("--support", "Support of the embeddings.", "sphere", "discrete");

    internal static Option<string> Normalizer() => Choice("--normalizer", "vMF normalizer: exact, or the original's reference log(I_nu + 1e-7).", "exact", "reference");

    internal static Option<bool> Normalize() => new("--normalize")
    {
        Description = "Normalize the rows first: to unit norm (sphere) or to sum 1 (discrete, non-negative rows). Without it, rows that are not already so are an input error.",
    };

    /// <summary>Applies <c>--normalize</c>: L2 rows for the sphere, rows divided by their sums for the discrete support.</summary>
    internal static void NormalizeRows(float[] x, int rows, int columns, bool sphere, string path)
    {
        if (rows < 1 || columns < 1)
        {
            throw new CliInputException(string.Create(CultureInfo.InvariantCulture, $"{DisplayName(path)}: holds {rows} x {columns} values; --normalize needs at least one row and one column."));
        }

        // The library's own check would name its parameter (x), not the file.
        for (int e = 0; e < x.Length; e++)
        {
            if (!float.IsFinite(x[e]))
            {
                throw new CliInputException(string.Create(CultureInfo.InvariantCulture, $"{DisplayName(path)}: Element [{e / columns}, {e % columns}] is {x[e]}; every element must be finite."));
            }
        }

        if (sphere)
        {
            for (int i = 0; i < rows; i++)
            {
                bool zero = true;
                foreach (float v in x.AsSpan(i * columns, columns))
                {
                    zero &= v == 0f;
                }

                if (zero)
                {
                    throw new CliInputException(string.Create(CultureInfo.InvariantCulture, $"{DisplayName(path)}: row {i} is zero; --normalize cannot put it on the unit sphere."));
                }
            }

            // Onto the sphere whatever the scale: the norm floor is the smallest float, not the
            // library's default 1e-12 (which, as PyTorch's, shrinks rows shorter than it instead).
            RowOps.L2Normalize(x, rows, columns, x, float.Epsilon);
            return;
        }

        for (int i = 0; i < rows; i++)
        {
            Span<float> row = x.AsSpan(i * columns, columns);
            double sum = 0;
            foreach (float v in row)
            {
                sum += v;
            }

            if (!(sum > 0) || !double.IsFinite(sum))
            {
                throw new CliInputException(string.Create(CultureInfo.InvariantCulture, $"{DisplayName(path)}: row {i} sums to {sum}; --normalize needs rows of non-negative entries with a positive sum."));
            }

            for (int j = 0; j < columns; j++)
            {
                row[j] = (float)(row[j] / sum);
            }
        }
    }

    internal static NormalizerMode ParseNormalizer(string value) => value == "reference" ? NormalizerMode.Reference : NormalizerMode.Exact;

    internal static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>What <c>--normalize</c> asks of the rows on this support.</summary>
    internal static RowNormalization NormalizationOf(bool normalize, bool sphere) =>
        !normalize ? RowNormalization.None : sphere ? RowNormalization.UnitNorm : RowNormalization.UnitSum;

    /// <summary>
    /// Reads a .npy matrix as float32, turning any failure into a one-line message that names the
    /// file. Float64 rows that are to be normalized are normalized before the rounding (see
    /// <see cref="Float64Rows"/>); <see cref="NormalizeRows"/> still follows, for both types.
    /// </summary>
    internal static (float[] Data, int Rows, int Columns) ReadMatrix(string path, RowNormalization normalization = RowNormalization.None) =>
        ReadNpy(path, array =>
        {
            if (array.Shape.Count > 2)
            {
                throw new CliInputException($"{DisplayName(path)}: holds an array of shape ({string.Join(", ", array.Shape)}); this command takes a matrix (rows x columns) or a vector.");
            }

            if (array.DataType != NpyDataType.Float64)
            {
                return (array.ToSingleArray(), array.Rows, array.Columns);
            }

            if (normalization == RowNormalization.None)
            {
                CliStreams.Note($"{DisplayName(path)} holds float64; its values are rounded to float32, the precision the terms take.");
                return (array.ToSingleArray(), array.Rows, array.Columns);
            }

            CliStreams.Note($"{DisplayName(path)} holds float64; its rows are normalized in float64, then rounded to float32, the precision the terms take.");
            return (Float64Rows.NormalizeThenRound(array.ToDoubleArray(), array.Rows, array.Columns, normalization), array.Rows, array.Columns);
        });

    /// <summary>How messages name an input: its path, or "standard input" for <c>-</c>.</summary>
    internal static string DisplayName(string path) => path == "-" ? "standard input" : path;

    /// <summary>Reads every element of a .npy file as float64 (float32 widened exactly), in C order.</summary>
    internal static double[] ReadDoubles(string path) => ReadNpy(path, array => array.ToDoubleArray());

    private static T ReadNpy<T>(string path, Func<NpyArray, T> convert)
    {
        try
        {
            if (path.Length == 0)
            {
                throw new CliUsageException(OutputFiles.EmptyInputName);
            }

            if (path != "-")
            {
                if (Directory.Exists(path))
                {
                    throw new CliInputException($"{path}: is a directory, not a .npy file.");
                }

                return convert(NpyFile.Read(path));
            }

            // Standard input: a pipe, read as a stream (nothing may follow the array).
            NpyArray array = NpyFile.Read(CliStreams.StandardInput);
            if (CliStreams.StandardInput.ReadByte() != -1)
            {
                throw new InvalidDataException("The stream has bytes after the data that its header announces.");
            }

            return convert(array);
        }
        catch (FileNotFoundException)
        {
            throw new CliInputException($"{path}: no such file.");
        }
        catch (DirectoryNotFoundException)
        {
            throw new CliInputException($"{path}: no such file or directory.");
        }
        catch (UnauthorizedAccessException)
        {
            throw new CliInputException($"{path}: permission denied.");
        }
        catch (Exception e) when (e is IOException or InvalidDataException or OverflowException)
        {
            throw new CliInputException($"{DisplayName(path)}: {e.Message}");
        }
    }

    /// <summary>Writes <c>{"value": V}</c>, with <c>"grad_kappa": G</c> when a kappa gradient was computed.</summary>
    internal static void WriteValueJson(TextWriter output, double value, double? kappaGradient)
    {
        if (kappaGradient is double g)
        {
            WriteJson(output, ("value", value), ("grad_kappa", g));
        }
        else
        {
            WriteJson(output, ("value", value));
        }
    }

    /// <summary>Writes one JSON object of named numbers on one line (numbers in round-trip precision).</summary>
    internal static void WriteJson(TextWriter output, params (string Name, double Value)[] fields)
    {
        var nullable = new (string Name, double? Value)[fields.Length];
        for (int i = 0; i < fields.Length; i++)
        {
            nullable[i] = (fields[i].Name, fields[i].Value);
        }

        WriteJson(output, nullable);
    }

    /// <summary>Writes one JSON object of named numbers on one line; a null value is written as JSON null (a documented "no number here").</summary>
    internal static void WriteJson(TextWriter output, params (string Name, double? Value)[] fields)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach ((string name, double? number) in fields)
            {
                if (number is not double value)
                {
                    writer.WriteNull(name);
                    continue;
                }

                // JSON has no inf or NaN; the library never returns them, but say so plainly if it did.
                if (!double.IsFinite(value))
                {
                    throw new CliInputException($"{name} is not finite ({Format(value)}) for these inputs, and JSON cannot hold it.");
                }

                writer.WriteNumber(name, value);
            }

            writer.WriteEndObject();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
