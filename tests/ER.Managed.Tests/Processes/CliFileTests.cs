using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using ER.Managed.Cli.Files;
using ER.Managed.Npy;

namespace ER.Managed.Tests.Processes;

/// <summary>
/// The real <c>er</c> process and the file system: outputs through symlinks, same-file
/// refusals, standard input and output, special files, kept permissions, all-or-nothing outputs,
/// Ctrl-C and SIGTERM.
/// </summary>
public sealed class CliFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("er-files-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string PathOf(string name) => Path.Combine(_folder, name);

    private string WriteEmbeddings(string name, int rows = 16, int columns = 8, bool float64 = false)
    {
        float[] z = TestData.Normal(rows * columns, seed: rows);
        string path = PathOf(name);
        if (float64)
        {
            NpyFile.Write(path, z.Select(v => (double)v).ToArray(), [rows, columns]);
        }
        else
        {
            NpyFile.Write(path, z, [rows, columns]);
        }

        return path;
    }

    [Fact]
    public void An_output_symlink_is_written_through_to_its_target_and_stays_a_link()
    {
        string input = WriteEmbeddings("z.npy");
        File.CreateSymbolicLink(PathOf("link.npy"), "target.npy"); // dangling: the target is created
        var (code, _, stderr) = ErProcess.Run(_folder, null, "entropy", "z.npy", "--normalize", "--grad", "link.npy");
        Assert.True(code == 0, stderr);
        Assert.Equal("target.npy", new FileInfo(PathOf("link.npy")).LinkTarget);
        Assert.Equal([16, 8], NpyFile.Read(PathOf("target.npy")).Shape);

        // Again, now that the target exists: it is replaced, the link kept.
        (code, _, stderr) = ErProcess.Run(_folder, null, "entropy", input, "--normalize", "--grad", "link.npy", "--grad-dtype", "f8");
        Assert.True(code == 0, stderr);
        Assert.Equal("target.npy", new FileInfo(PathOf("link.npy")).LinkTarget);
        Assert.Equal(NpyDataType.Float64, NpyFile.Read(PathOf("target.npy")).DataType);
        Assert.Empty(Directory.GetFiles(_folder, "*.tmp"));
    }

    [Fact]
    public void Outputs_that_are_an_input_or_each_other_are_refused_by_the_resolved_file()
    {
        string input = WriteEmbeddings("z.npy");
        byte[] before = File.ReadAllBytes(input);
        File.CreateSymbolicLink(PathOf("alias.npy"), input);
        foreach (string[] args in new[]
        {
            new[] { "entropy", "z.npy", "--normalize", "--grad", "./z.npy" },
            new[] { "entropy", "z.npy", "--normalize", "--grad", "alias.npy" },
            new[] { "reconstruction", "z.npy", "z.npy", "--normalize", "--grad-a", "x.npy", "--grad-b", "./x.npy" },
            new[] { "reconstruction", "z.npy", "z.npy", "--normalize", "--grad-a", "-", "--grad-b", "/dev/stdout" },
        })
        {
            var (code, _, stderr) = ErProcess.Run(_folder, null, args);
            Assert.Equal(2, code);
            Assert.Single(stderr.Trim().Split('\n'));
            Assert.Contains("same file", stderr.Replace("is the input file", "same file", StringComparison.Ordinal), StringComparison.Ordinal);
        }

        Assert.Equal(before, File.ReadAllBytes(input));
        Assert.False(File.Exists(PathOf("x.npy")));
    }

    [Fact]
    public void Inputs_come_from_a_pipe_and_a_gradient_goes_to_standard_output()
    {
        string input = WriteEmbeddings("z.npy");
        byte[] bytes = File.ReadAllBytes(input);
        var (code, stdout, stderr) = ErProcess.Run(_folder, bytes, "entropy", "-", "--normalize", "--json");
        Assert.True(code == 0, stderr);
        double fromPipe = JsonDocument.Parse(stdout).RootElement.GetProperty("value").GetDouble();

        (code, stdout, stderr) = ErProcess.Run(_folder, bytes, "entropy", "/dev/stdin", "--normalize", "--json");
        Assert.True(code == 0, stderr);
        Assert.Equal(fromPipe, JsonDocument.Parse(stdout).RootElement.GetProperty("value").GetDouble());

        // The gradient on stdout (binary .npy); the report then goes to stderr.
        (code, stdout, stderr) = ErProcess.Run(_folder, null, "entropy", "z.npy", "--normalize", "--grad", "-", "--json");
        Assert.True(code == 0, stderr);
        NpyArray gradient = NpyFile.Read(new MemoryStream(stdout));
        Assert.Equal([16, 8], gradient.Shape);
        Assert.Equal(fromPipe, JsonDocument.Parse(stderr).RootElement.GetProperty("value").GetDouble());

        (code, _, stderr) = ErProcess.Run(_folder, null, "entropy", _folder);
        Assert.Equal(1, code);
        Assert.Contains("is a directory", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_device_is_written_to_and_never_replaced()
    {
        WriteEmbeddings("z.npy");
        var (code, _, stderr) = ErProcess.Run(_folder, null, "entropy", "z.npy", "--normalize", "--grad", "/dev/null");
        Assert.True(code == 0, stderr);
        Assert.Equal(FileKind.Special, FileKinds.KindOf("/dev/null"));
        Assert.Equal(FileKind.Regular, FileKinds.KindOf(PathOf("z.npy")));
        Assert.Equal(FileKind.Missing, FileKinds.KindOf(PathOf("none.npy")));
        Assert.Equal(FileKind.Directory, FileKinds.KindOf(_folder));
    }

    [Fact]
    public void An_existing_output_keeps_its_permissions()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // no Unix modes there; CI runs Linux
        }

        WriteEmbeddings("z.npy");
        File.WriteAllText(PathOf("g.npy"), "old");
        File.SetUnixFileMode(PathOf("g.npy"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var (code, _, stderr) = ErProcess.Run(_folder, null, "entropy", "z.npy", "--normalize", "--grad", "g.npy");
        Assert.True(code == 0, stderr);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(PathOf("g.npy")));
        Assert.Equal([16, 8], NpyFile.Read(PathOf("g.npy")).Shape);
    }

    [Fact]
    public void With_several_outputs_a_failure_leaves_none_behind()
    {
        WriteEmbeddings("a.npy");
        WriteEmbeddings("b.npy", rows: 16);
        var (code, _, stderr) = ErProcess.Run(_folder, null, "reconstruction", "a.npy", "b.npy", "--normalize", "--grad-a", "ga.npy", "--grad-b", "missing/gb.npy");
        Assert.Equal(1, code);
        Assert.Contains("missing/gb.npy", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(PathOf("ga.npy")));
        Assert.Empty(Directory.GetFiles(_folder, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void Running_out_of_memory_is_one_line_and_exit_1_not_an_abort()
    {
        // A 100 MB GC heap and 30 million kappas (240 MB a buffer): the runtime printed "Out of
        // memory." and aborted the process (exit 134) before the CLI caught OutOfMemoryException.
        var limit = new Dictionary<string, string> { ["DOTNET_GCHeapHardLimit"] = "0x6400000" };
        var (code, stdout, stderr) = ErProcess.RunWith(_folder, limit, "bench", "lognorm", "30000000", "3");
        Assert.Equal(1, code);
        Assert.Empty(stdout);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.StartsWith("er: out of memory:", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_float64_input_gets_one_note_on_stderr()
    {
        WriteEmbeddings("z8.npy", float64: true);
        var (code, stdout, stderr) = ErProcess.Run(_folder, null, "entropy", "z8.npy", "--normalize", "--json");
        Assert.Equal(0, code);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Contains("float64", stderr, StringComparison.Ordinal);
        Assert.Contains("float32", stderr, StringComparison.Ordinal);
        Assert.True(JsonDocument.Parse(stdout).RootElement.GetProperty("value").GetDouble() is double v && double.IsFinite(v));
    }

    [Theory]
    [InlineData("TERM", 143)]
    [InlineData("INT", 130)]
    public void A_signal_stops_a_long_run_promptly_with_no_file_left(string signal, int expected)
    {
        // 60,000 x 64 with its gradient: several seconds of kernels on 2 cores, at any SIMD width.
        WriteEmbeddings("big.npy", rows: 60_000, columns: 64);
        using Process process = ErProcess.Start(_folder, "entropy", "big.npy", "--normalize", "--grad", "g.npy");
        System.Threading.Thread.Sleep(1500);
        Assert.False(process.HasExited, "the run ended before the signal; make the input larger");
        if (signal == "INT" && SigIntIgnoredByThisProcess())
        {
            // Started with SIGINT ignored (a background job of a script, nohup): the child inherits
            // that, and honouring it is the POSIX convention. Check that er does, then stop it with
            // SIGTERM, which must still clean up.
            ErProcess.Signal(process, "INT");
            Assert.False(process.WaitForExit(1_000), "er died of a SIGINT its parent had ignored");
            (signal, expected) = ("TERM", 143);
        }

        var clock = Stopwatch.StartNew();
        ErProcess.Signal(process, signal);
        Assert.True(process.WaitForExit(5_000), "er did not stop within 5 s of the signal");
        double seconds = clock.Elapsed.TotalSeconds;
        Assert.Equal(expected, process.ExitCode);
        Assert.True(seconds < 2.0, $"stopped after {seconds:F2} s");
        Assert.Equal(new[] { "big.npy" }, Directory.GetFiles(_folder).Select(f => Path.GetFileName(f)!).ToArray());
        Assert.Contains(signal == "INT" ? "interrupted" : "terminated", process.StandardError.ReadToEnd(), StringComparison.Ordinal);
    }

    /// <summary>Whether SIGINT (2) is in this process's ignored set (Linux /proc; false where unknown).</summary>
    private static bool SigIntIgnoredByThisProcess()
    {
        const string Status = "/proc/self/status";
        if (!File.Exists(Status))
        {
            return false;
        }

        string? line = File.ReadLines(Status).FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null && (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & (1UL << (2 - 1))) != 0;
    }

    [Fact]
    public void A_failing_write_removes_its_temporary_and_a_registered_temporary_is_deleted_on_interrupt()
    {
        string target = PathOf("out.npy");
        var outputs = new OutputFiles();
        outputs.Plan("--out", target);
        outputs.Set("--out", stream =>
        {
            stream.Write(Encoding.ASCII.GetBytes("partial"));
            throw new IOException("disk full");
        });
        var ex = Assert.Throws<ER.Managed.Cli.CliInputException>(outputs.Commit);
        Assert.Contains("disk full", ex.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_folder));

        string temporary = PathOf(".x.tmp");
        File.WriteAllText(temporary, "x");
        TemporaryFiles.Add(temporary);
        TemporaryFiles.DeleteAll();
        Assert.False(File.Exists(temporary));
    }
}
