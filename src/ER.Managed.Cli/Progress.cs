using System.Diagnostics;
using System.Threading;
using ER.Managed.Cli.Files;

namespace ER.Managed.Cli;

/// <summary>
/// A one-line progress display on stderr for a command that runs long: what it is doing and for how
/// long, redrawn in place a few times a second, erased when the command ends. It appears only when
/// stderr is a terminal (never in a pipe, a file or a test's buffer), never with <c>--json</c>, and
/// only once the command has run for <see cref="DefaultDelay"/>, so quick commands print nothing.
/// The terms themselves report no fraction done, so the line shows the step and the elapsed time.
/// </summary>
internal sealed class Progress : IDisposable
{
    /// <summary>How long a command runs before its progress shows.</summary>
    internal static readonly TimeSpan DefaultDelay = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    private readonly TextWriter? _terminal;
    private readonly Timer? _timer;
    private readonly long _start = Stopwatch.GetTimestamp();
    private readonly Lock _gate = new();
    private string _step;
    private int _shownWidth;
    private bool _ended;

    private Progress(TextWriter? terminal, string step, TimeSpan delay)
    {
        _terminal = terminal;
        _step = step;
        if (terminal is null)
        {
            return;
        }

        if (delay <= TimeSpan.Zero)
        {
            Draw();
        }

        _timer = new Timer(_ => Draw(), null, delay <= TimeSpan.Zero ? Interval : delay, Interval);
    }

    /// <summary>Starts the display of a command (nothing is shown where stderr is not a terminal or <paramref name="json"/> is set).</summary>
    /// <param name="step">What the command does first, in the CLI's words ("reading Z.npy").</param>
    /// <param name="json">Whether the command prints JSON (then no progress at all).</param>
    internal static Progress Start(string step, bool json) =>
        new(json || CliStreams.ProgressAfter is null ? null : CliStreams.Notes, step, CliStreams.ProgressAfter ?? DefaultDelay);

    /// <summary>Whether anything will be drawn.</summary>
    internal bool Enabled => _terminal is not null;

    /// <summary>Names the next step; the line shows it at its next redraw.</summary>
    internal void Step(string step)
    {
        lock (_gate)
        {
            _step = step;
        }
    }

    /// <summary>Names the next step as "<paramref name="what"/> of K x D rows".</summary>
    internal void Step(string what, int rows, int columns) =>
        Step(string.Create(CultureInfo.InvariantCulture, $"{what} of {rows} x {columns} rows"));

    private void Draw()
    {
        lock (_gate)
        {
            if (_ended || _terminal is null)
            {
                return;
            }

            double seconds = Stopwatch.GetElapsedTime(_start).TotalSeconds;
            string line = string.Create(CultureInfo.InvariantCulture, $"er: {_step} ({seconds:F1} s)");
            _terminal.Write("\r" + line.PadRight(_shownWidth));
            _terminal.Flush();
            _shownWidth = line.Length;
        }
    }

    /// <summary>Erases the line (if it was shown), so the command's own output starts on a clean line.</summary>
    public void Dispose()
    {
        _timer?.Dispose();
        lock (_gate)
        {
            if (_ended)
            {
                return;
            }

            _ended = true;
            if (_terminal is not null && _shownWidth > 0)
            {
                _terminal.Write("\r" + new string(' ', _shownWidth) + "\r");
                _terminal.Flush();
            }
        }
    }
}
