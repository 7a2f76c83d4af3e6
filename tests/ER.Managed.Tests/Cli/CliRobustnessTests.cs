using System.IO;
using System.Text.Json;
using ER.Managed.Cli;
using ER.Managed.Cli.Commands;
using ER.Managed.Cli.Files;
using ER.Managed.Npy;

namespace ER.Managed.Tests.Cli;

public sealed class CliRobustnessTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("er-robust-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("K expects an integer from 1 to 2147483647, got 'abc'", "bench", "entropy_sphere", "abc", "3")]
    [InlineData("D expects an integer from 1 to 2147483647, got '99999999999'", "bench", "entropy_sphere", "5", "99999999999")]
    [InlineData("--seed expects an integer from 0 to 18446744073709551615, got '-3'", "demo", "--seed", "-3")]
    [InlineData("--seed expects an integer from 0 to 18446744073709551615, got 'x'", "train-demo", "--seed", "x")]
    [InlineData("--seed expects an integer from 0 to 18446744073709551615, got '18446744073709551616'", "estimators", "--seed", "18446744073709551616")]
    [InlineData("--global expects an integer (the number of global views), got '99999999999'", "loss", "a.npy", "b.npy", "--global", "99999999999")]
    public void Integers_out_of_range_are_usage_errors_in_the_options_words(string expected, params string[] args)
    {
        // The parser's own message named .NET's types ("as expected type 'System.Int32'").
        (int code, string stdout, string stderr) = CliRunner.Run(args);
        Assert.Equal(2, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_directory_given_as_input_is_a_one_line_input_error()
    {
        (int code, string stdout, string stderr) = CliRunner.Run("entropy", _folder);
        Assert.Equal(1, code);
        Assert.Equal(string.Empty, stdout);
        Assert.StartsWith("er: ", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd().Split('\n'));
    }

    [Fact]
    public void A_failed_run_leaves_an_existing_output_file_untouched()
    {
        string output = Path.Combine(_folder, "grad.npy");
        File.WriteAllText(output, "previous contents");
        string raw = Path.Combine(_folder, "raw.npy");
        NpyFile.Write(raw, new float[] { 3, 4, 1, 1 }, [2, 2]);
        (int code, _, string stderr) = CliRunner.Run("entropy", raw, "--grad", output);
        Assert.Equal(1, code);
        Assert.Contains("unit rows", stderr, StringComparison.Ordinal);
        Assert.Equal("previous contents", File.ReadAllText(output));
        Assert.Single(Directory.GetFiles(_folder, "*grad*"));
    }

    [Fact]
    public void Gradients_replace_an_existing_file_atomically_and_leave_no_temporary_files()
    {
        string output = Path.Combine(_folder, "grad.npy");
        File.WriteAllText(output, "previous contents");
        (int code, _, string stderr) = CliRunner.Run("entropy", GoldenData.PathOf("sphere_z_k64_d16.npy"), "--grad", output);
        Assert.True(code == 0, stderr);
        Assert.Equal(new[] { 64, 16 }, NpyFile.Read(output).Shape);
        Assert.Equal(new[] { output }, Directory.GetFiles(_folder));
    }

    [Fact]
    public void An_output_through_as_many_symbolic_links_as_linux_follows_is_written_and_one_more_is_refused()
    {
        string input = GoldenData.PathOf("sphere_z_k64_d16.npy");
        string target = Path.Combine(_folder, "g.npy");
        string previous = "g.npy";
        for (int i = 1; i <= FileKinds.MaxLinks + 1; i++)
        {
            File.CreateSymbolicLink(Path.Combine(_folder, $"l{i}"), previous);
            previous = $"l{i}";
        }

        string longest = Path.Combine(_folder, $"l{FileKinds.MaxLinks}");
        Assert.Equal(target, FileKinds.FinalTarget(longest));
        (int code, _, string stderr) = CliRunner.Run("entropy", input, "--grad", longest);
        Assert.True(code == 0, stderr);
        Assert.Equal(new[] { 64, 16 }, NpyFile.Read(target).Shape);

        string tooLong = Path.Combine(_folder, $"l{FileKinds.MaxLinks + 1}");
        (code, _, stderr) = CliRunner.Run("entropy", input, "--grad", tooLong);
        Assert.Equal(1, code);
        Assert.Equal($"er: {tooLong}: too many levels of symbolic links.", stderr.TrimEnd());

        // A cycle never ends: the same error, not a hang.
        File.CreateSymbolicLink(Path.Combine(_folder, "a"), "b");
        File.CreateSymbolicLink(Path.Combine(_folder, "b"), "a");
        (code, _, stderr) = CliRunner.Run("entropy", input, "--grad", Path.Combine(_folder, "a"));
        Assert.Equal(1, code);
        Assert.EndsWith("too many levels of symbolic links.", stderr.TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_output_in_a_missing_directory_is_named_and_the_outputs_staged_before_it_are_removed()
    {
        string first = Path.Combine(_folder, "ga.npy");
        string second = Path.Combine(_folder, "missing", "gb.npy");
        (int code, _, string stderr) = CliRunner.Run(
            "reconstruction", GoldenData.PathOf("rec_discrete_a_k64_d16.npy"), GoldenData.PathOf("rec_discrete_b_k64_d16.npy"),
            "--support", "discrete", "--grad-a", first, "--grad-b", second);
        Assert.Equal(1, code);
        Assert.Equal($"er: {second}: cannot write (no such directory).", stderr.TrimEnd());

        // All or nothing: the first gradient was staged in a temporary file, which is gone too.
        Assert.Empty(Directory.GetFileSystemEntries(_folder));
    }

    [Fact]
    public void A_usage_error_points_to_its_commands_help()
    {
        string z = Path.Combine(_folder, "z.npy");
        NpyFile.Write(z, new float[] { 0.6f, 0.8f, 1, 0 }, [2, 2]);
        (int code, _, string stderr) = CliRunner.Run("entropy", z, "--kappa", "abc");
        Assert.Equal(2, code);
        Assert.EndsWith("(see 'er entropy --help')", stderr.TrimEnd(), StringComparison.Ordinal);

        (code, _, stderr) = CliRunner.Run("--bogus");
        Assert.Equal(2, code);
        Assert.EndsWith("(see 'er --help')", stderr.TrimEnd(), StringComparison.Ordinal);
    }

    /// <summary>A negative zero is the number 0: the same value as 0 and echoed as 0, in text and in JSON.</summary>
    [Fact]
    public void A_negative_zero_kappa_is_zero()
    {
        string z = Path.Combine(_folder, "z.npy");
        NpyFile.Write(z, new float[] { 0.6f, 0.8f, 1, 0, 0, -1 }, [3, 2]);
        (int code, string zero, _) = CliRunner.Run("entropy", z, "--kappa", "0");
        Assert.Equal(0, code);
        (code, string negativeZero, string stderr) = CliRunner.Run("entropy", z, "--kappa", "-0");
        Assert.Equal(0, code);
        Assert.Empty(stderr);
        Assert.Equal(zero, negativeZero);
        Assert.Contains("kappa 0;", negativeZero, StringComparison.Ordinal);

        (code, string text, _) = CliRunner.Run("lognorm", "--dim", "3", "--kappa", "-1e-400");
        Assert.Equal(0, code);
        Assert.DoesNotContain("-0", text, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_input_name_is_a_usage_error_and_a_malformed_file_an_input_error_naming_it()
    {
        Assert.Equal(OutputFiles.EmptyInputName, Assert.Throws<CliUsageException>(() => CommonOptions.ReadDoubles(string.Empty)).Message);
        Assert.Equal($"{_folder}: is a directory, not a .npy file.", Assert.Throws<CliInputException>(() => CommonOptions.ReadDoubles(_folder)).Message);

        string truncated = Path.Combine(_folder, "truncated.npy");
        NpyFile.Write(truncated, new float[] { 1, 2, 3, 4 }, [2, 2]);
        byte[] bytes = File.ReadAllBytes(truncated);
        File.WriteAllBytes(truncated, bytes[..^4]);
        var e = Assert.Throws<CliInputException>(() => CommonOptions.ReadDoubles(truncated));
        Assert.StartsWith(truncated + ": ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Normalize_opts_into_normalizing_raw_rows()
    {
        string raw = Path.Combine(_folder, "raw.npy");
        NpyFile.Write(raw, new float[] { 3, 4, 1, 1, 0, 2 }, [3, 2]);
        (int code, string stdout, string stderr) = CliRunner.Run("entropy", raw, "--normalize", "--json");
        Assert.True(code == 0, stderr);
        float[] unit = [0.6f, 0.8f, 1, 1, 0, 1];
        RowOps.L2Normalize(unit, 3, 2, unit);
        using (JsonDocument json = JsonDocument.Parse(stdout))
        {
            Assert.Equal(Entropy.Sphere(unit, 3, 2), json.RootElement.GetProperty("value").GetDouble(), 6);
        }

        (code, stdout, stderr) = CliRunner.Run("entropy", raw, "--support", "discrete", "--normalize", "--json");
        Assert.True(code == 0, stderr);
        float[] p = [3f / 7, 4f / 7, 0.5f, 0.5f, 0, 1];
        using (JsonDocument json = JsonDocument.Parse(stdout))
        {
            Assert.Equal(Entropy.Discrete(p, 3, 2), json.RootElement.GetProperty("value").GetDouble(), 6);
        }

        string zeros = Path.Combine(_folder, "zeros.npy");
        NpyFile.Write(zeros, new float[] { 0, 0, 1, 1 }, [2, 2]);
        (code, _, stderr) = CliRunner.Run("entropy", zeros, "--support", "discrete", "--normalize");
        Assert.Equal(1, code);
        Assert.Contains("row 0 sums to 0", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bench", "gram", "0", "5")]
    [InlineData("bench", "nope", "5", "5")]
    [InlineData("bench", "gram", "5", "x")]
    [InlineData("train-demo", "--steps", "-3")]
    [InlineData("entropy", "z.npy", "--grad-dtype", "f2")]
    public void Bad_arguments_of_the_other_commands_are_usage_or_input_errors(params string[] args)
    {
        (int code, string stdout, string stderr) = CliRunner.Run(args);
        Assert.True(code is 1 or 2, $"exit {code}");
        Assert.Equal(string.Empty, stdout);
        Assert.StartsWith("er: ", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd().Split('\n'));
    }
}
