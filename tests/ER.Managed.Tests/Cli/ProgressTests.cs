using System.IO;
using ER.Managed.Estimation;
using ER.Managed.Npy;

namespace ER.Managed.Tests.Cli;

/// <summary>
/// The progress line on stderr: shown (and erased before the report) only where stderr is a
/// terminal, the command has run for the delay and it does not print JSON. A delay of zero draws
/// the first step at once, so these tests do not depend on how fast the machine is.
/// </summary>
public sealed class ProgressTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("er-progress-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Rows()
    {
        const int k = 64, d = 8;
        var rows = new float[k * d];
        new SeededRandom(3).FillNormal(rows);
        RowOps.L2Normalize(rows, k, d, rows);
        string path = Path.Combine(_folder, "z.npy");
        NpyFile.Write(path, rows, [k, d]);
        return path;
    }

    private static (int Code, string Stdout, string Stderr) Run(TimeSpan? progressAfter, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int code = ER.Managed.Cli.Cli.Run(args, stdout, stderr, progressAfter: progressAfter);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Theory]
    [InlineData("entropy")]
    [InlineData("kappa")]
    public void On_a_terminal_the_step_is_drawn_in_place_and_erased_before_the_report(string command)
    {
        string z = Rows();
        (int code, string stdout, string stderr) = Run(TimeSpan.Zero, command, z);
        Assert.Equal(0, code);
        Assert.StartsWith($"\rer: reading {z} (", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', stderr);

        // The last thing written blanks the longest line drawn and returns to its start.
        int lastDraw = stderr.LastIndexOf("\rer: ", StringComparison.Ordinal);
        string tail = stderr[(stderr.IndexOf('\r', lastDraw + 1) + 1)..];
        Assert.Matches("^ +\r$", tail);
        Assert.True(tail.Length - 1 >= stderr[(lastDraw + 1)..stderr.IndexOf('\r', lastDraw + 1)].TrimEnd().Length);
        Assert.Contains(command == "entropy" ? "entropy = " : "kappa = ", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Nothing_is_drawn_with_json_nor_off_a_terminal_nor_before_the_delay()
    {
        string z = Rows();
        Assert.Equal(string.Empty, Run(TimeSpan.Zero, "entropy", z, "--json").Stderr);
        Assert.Equal(string.Empty, Run(null, "entropy", z).Stderr);
        Assert.Equal(string.Empty, Run(TimeSpan.FromHours(1), "entropy", z).Stderr);
        Assert.Equal(string.Empty, Run(TimeSpan.Zero, "bench", "entropy_sphere", "16", "4", "--reps", "1", "--json").Stderr);
    }

    [Fact]
    public void A_later_step_replaces_the_first_once_the_line_is_redrawn()
    {
        // The progress line is redrawn on a timer thread while this thread reads what it wrote.
        using var terminal = new LockedStringWriter();
        ER.Managed.Cli.Files.CliStreams.Set(Stream.Null, Stream.Null, terminal, TimeSpan.Zero);
        using (ER.Managed.Cli.Progress progress = ER.Managed.Cli.Progress.Start("a rather long first step", json: false))
        {
            Assert.True(progress.Enabled);
            progress.Step("second", 3, 4);
            DateTime deadline = DateTime.UtcNow.AddSeconds(30);
            while (!terminal.ToString().Contains("second of 3 x 4 rows", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
            {
                System.Threading.Thread.Sleep(20);
            }
        }

        string text = terminal.ToString();
        Assert.Contains("\rer: second of 3 x 4 rows (", text, StringComparison.Ordinal);

        // The shorter second line is padded over the first, so no stale characters stay visible.
        int second = text.IndexOf("\rer: second", StringComparison.Ordinal);
        int end = text.IndexOf('\r', second + 1);
        Assert.True(end - second - 1 >= "er: a rather long first step (0.0 s)".Length);
    }

    /// <summary>A string writer that one thread writes while another reads it (StringWriter alone is not thread-safe).</summary>
    private sealed class LockedStringWriter : StringWriter
    {
        private readonly object _gate = new();

        public override void Write(char value)
        {
            lock (_gate)
            {
                base.Write(value);
            }
        }

        public override void Write(string? value)
        {
            lock (_gate)
            {
                base.Write(value);
            }
        }

        public override void Write(char[] buffer, int index, int count)
        {
            lock (_gate)
            {
                base.Write(buffer, index, count);
            }
        }

        public override void Write(ReadOnlySpan<char> buffer)
        {
            lock (_gate)
            {
                base.Write(buffer);
            }
        }

        public override void Flush()
        {
            lock (_gate)
            {
                base.Flush();
            }
        }

        public override string ToString()
        {
            lock (_gate)
            {
                return base.ToString();
            }
        }
    }
}
