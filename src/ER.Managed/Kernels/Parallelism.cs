using System;
using System.Threading;
using System.Threading.Tasks;

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

        int next = -1;
        int workers = Math.Min(degree, count);
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                body(i);
            }
        });
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
