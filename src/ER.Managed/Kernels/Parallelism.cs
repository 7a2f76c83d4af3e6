using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace ER.Managed.Kernels;

/// <summary>
/// Runs independent work items on up to a given number of threads. Callers give each item
/// its own outputs (or its own partial sums, combined afterwards in a fixed order), so results
/// never depend on the degree of parallelism or on scheduling.
/// </summary>
internal static class Parallelism
{
    /// <summary>
    /// Calls <paramref name="body"/> once for each index in [0, count), on up to <paramref name="degree"/>
    /// threads (the caller's among them). Indices are handed out one at a time in increasing order
    /// as threads become free, so callers that put their largest items first get balanced work
    /// (Parallel.For's range partitioning gave one thread the first half of the Gram's block rows,
    /// 100 of 136 units of work, and two threads ran only 1.4 times as fast as one).
    /// </summary>
    /// <remarks>
    /// The caller starts on the items at once and waits only for items that were started, never
    /// for a helper thread that has not woken yet: a helper that arrives late finds nothing left and
    /// returns. Parallel.For waits for every replica it queued, and a pool thread woken from its
    /// sleep took 70-120 us on a 2-core virtual machine (Zen 5), so a short region (packing a
    /// 1024 x 512 operand, 110 us on one thread) took 420-490 us on two. The first exception of
    /// any item is rethrown to the caller once every started item has finished; items not started
    /// by then are skipped.
    /// </remarks>
    internal static void For(int count, int degree, Action<int> body)
    {
        if (degree <= 1 || count <= 1)
        {
            for (int i = 0; i < count; i++)
            {
                body(i);
            }

            return;
        }

        var region = new Region(count, body);
        int helpers = Math.Min(degree, count) - 1;
        for (int h = 0; h < helpers; h++)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static r => r.Work(), region, preferLocal: false);
        }

        region.Work();
        region.WaitForStartedItems();
    }

    /// <summary>One call of <see cref="For"/>: the next index to hand out and the items not yet finished.</summary>
    private sealed class Region(int count, Action<int> body)
    {
        /// <summary>How long the caller spins for the last items before it blocks (a blocked thread took 70-120 us to wake).</summary>
        private static readonly long SpinTicks = Stopwatch.Frequency / 10_000;

        private readonly int _count = count;
        private readonly object _gate = new();
        private int _next = -1;
        private int _unfinished = count;
        private ExceptionDispatchInfo? _error;

        internal void Work()
        {
            int i;
            while ((i = Interlocked.Increment(ref _next)) < _count)
            {
                try
                {
                    if (Volatile.Read(ref _error) is null)
                    {
                        body(i);
                    }
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref _error, ExceptionDispatchInfo.Capture(e), null);
                }
                finally
                {
                    if (Interlocked.Decrement(ref _unfinished) == 0)
                    {
                        lock (_gate)
                        {
                            Monitor.PulseAll(_gate);
                        }
                    }
                }
            }
        }

        internal void WaitForStartedItems()
        {
            long spinUntil = Stopwatch.GetTimestamp() + SpinTicks;
            while (Volatile.Read(ref _unfinished) != 0 && Stopwatch.GetTimestamp() < spinUntil)
            {
                Thread.SpinWait(20);
            }

            lock (_gate)
            {
                while (_unfinished != 0)
                {
                    Monitor.Wait(_gate);
                }
            }

            _error?.Throw();
        }
    }
}

/// <summary>
/// A view of pinned float memory that a closure can capture (spans cannot be captured): create
/// it inside a <c>fixed</c> block that outlives every use, i.e. around a synchronous
/// <see cref="Parallelism.For"/>.
/// </summary>
internal readonly unsafe struct PinnedFloats
{
    private readonly float* _pointer;
    private readonly int _length;

    internal PinnedFloats(float* pointer, int length)
    {
        _pointer = pointer;
        _length = length;
    }

    internal Span<float> Span => new(_pointer, _length);

    internal int Length => _length;
}
