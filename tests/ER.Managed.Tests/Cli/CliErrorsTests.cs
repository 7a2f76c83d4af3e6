using System.IO;
using ER.Managed.Cli;
using ER.Managed.Cli.Commands;

namespace ER.Managed.Tests.Cli;

/// <summary>How the CLI turns parse errors and exceptions into its one-line messages.</summary>
public sealed class CliErrorsTests
{
    [Fact]
    public void A_one_line_message_is_kept_as_it_is()
    {
        Assert.Equal("--kappa expects a number, got 'x'.", CliErrors.Joined("--kappa expects a number, got 'x'."));
        Assert.Equal("Argument 'x' not recognized. Must be one of: 'a', 'b'", CliErrors.Joined("Argument 'x' not recognized. Must be one of:\n\t'a'\n\t'b'"));
    }

    [Theory]
    [InlineData("", "input error")]
    [InlineData("\nsecond line", "input error")]
    [InlineData("first\r\nsecond", "first")]
    public void One_line_is_the_first_line_or_a_generic_one(string message, string expected) =>
        Assert.Equal(expected, CliErrors.OneLine(message));

    [Fact]
    public void An_argument_exception_names_its_parameter_up_front_without_the_runtime_suffix()
    {
        Assert.Equal("z: Rows must have unit norm.", CliErrors.Describe(new ArgumentException("Rows must have unit norm.", "z")));
        Assert.Equal("Rows must have unit norm.", CliErrors.Describe(new ArgumentException("Rows must have unit norm.")));
        Assert.Equal("z: ", CliErrors.Describe(new ArgumentException(string.Empty, "z")));
    }

    [Theory]
    [InlineData(typeof(IOException), true)]
    [InlineData(typeof(UnauthorizedAccessException), true)]
    [InlineData(typeof(OverflowException), true)]
    [InlineData(typeof(InvalidDataException), true)]
    [InlineData(typeof(NotSupportedException), true)]
    [InlineData(typeof(InvalidOperationException), false)]
    [InlineData(typeof(NullReferenceException), false)]
    public void Input_errors_are_the_io_format_and_range_exceptions(Type type, bool expected) =>
        Assert.Equal(expected, CliErrors.IsInputError((Exception)Activator.CreateInstance(type)!));

    [Fact]
    public void An_unknown_command_is_named_rather_than_the_missing_one()
    {
        (int code, _, string stderr) = CliRunner.Run("frobnicate");
        Assert.Equal(2, code);
        Assert.Contains("'frobnicate'", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Required command", stderr, StringComparison.Ordinal);
        Assert.EndsWith("(see 'er --help')", stderr.TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_library_error_about_one_of_two_files_names_that_file()
    {
        var error = new ArgumentException("Rows must have unit norm. Normalize them first (RowOps.L2Normalize) or raise ErOptions.UnitNormTolerance.", "b");
        var e = Assert.Throws<CliInputException>(() => CommonOptions.InCliWords<int>(() => throw error, ("a", "first.npy"), ("b", "second.npy")));
        Assert.Equal("second.npy: Rows must have unit norm. Pass --normalize to normalize them first.", e.Message);

        e = Assert.Throws<CliInputException>(() => CommonOptions.InCliWords<int>(() => throw new ArgumentException("Bad.", "a"), ("a", "-"), ("b", "second.npy")));
        Assert.Equal("standard input: Bad.", e.Message);

        // A parameter that is not one of the files is the library's own business: it passes unchanged.
        var other = new ArgumentOutOfRangeException("kappa", "Out of range.");
        Assert.Same(other, Assert.Throws<ArgumentOutOfRangeException>(() => CommonOptions.InCliWords<int>(() => throw other, ("a", "first.npy"))));
    }

    [Theory]
    [InlineData(true, 1, 2, new float[] { 3, 4 }, new float[] { 0.6f, 0.8f })]
    [InlineData(true, 2, 1, new float[] { -2, 5 }, new float[] { -1, 1 })]
    [InlineData(false, 1, 2, new float[] { 1, 3 }, new float[] { 0.25f, 0.75f })]
    [InlineData(false, 1, 1, new float[] { 7 }, new float[] { 1 })]
    public void Normalize_takes_a_single_row_or_a_single_column(bool sphere, int rows, int columns, float[] x, float[] expected)
    {
        CommonOptions.NormalizeRows(x, rows, columns, sphere, "x.npy");
        Assert.Equal(expected, x);
    }
}
