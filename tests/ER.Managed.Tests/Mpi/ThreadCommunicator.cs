using System.Linq;
using System.Threading;
using ER.Managed.Mpi.Mpi;

namespace ER.Managed.Tests.Mpi;

/// <summary>
/// Ranks that are threads of this process, for driving er-mpi's command in tests without MPI: each
/// collective posts this rank's part, waits for all, takes every rank's, and waits again before the
/// slots are reused. A rank that never arrives makes the others fail after <see cref="Patience"/>.
/// </summary>
internal sealed class ThreadCommunicator : ICommunicator
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly Group _group;

    private ThreadCommunicator(Group group, int rank)
    {
        _group = group;
        Rank = rank;
    }

    public int Rank { get; }

    public int Size => _group.Slots.Length;

    /// <summary>Runs <paramref name="body"/> on <paramref name="size"/> threads, one per rank, and returns each rank's result.</summary>
    internal static T[] RunRanks<T>(int size, Func<ICommunicator, T> body)
    {
        var group = new Group(size);
        var results = new T[size];
        var errors = new Exception?[size];
        Thread[] threads = Enumerable.Range(0, size).Select(rank => new Thread(() =>
        {
            try
            {
                results[rank] = body(new ThreadCommunicator(group, rank));
            }
            catch (Exception e)
            {
                errors[rank] = e;
            }
        })).ToArray();
        foreach (Thread t in threads)
        {
            t.Start();
        }

        foreach (Thread t in threads)
        {
            t.Join();
        }

        Exception? first = errors.FirstOrDefault(e => e is not null);
        return first is null ? results : throw new InvalidOperationException($"rank {Array.IndexOf(errors, first)} failed", first);
    }

    public int[] AllGather(ReadOnlySpan<int> mine) => Exchange(mine.ToArray()).SelectMany(x => x).ToArray();

    public double[] AllGather(ReadOnlySpan<double> mine) => Exchange(mine.ToArray()).SelectMany(x => x).ToArray();

    public void Broadcast(Span<float> data, int root)
    {
        float[][] parts = Exchange(Rank == root ? data.ToArray() : []);
        parts[root].CopyTo(data);
    }

    public void GatherRows(ReadOnlySpan<float> mine, int width, ReadOnlySpan<int> rowCounts, Span<float> all, int root = -1) =>
        GatherRows<float>(mine, width, rowCounts, all, root);

    public void GatherRows(ReadOnlySpan<double> mine, int width, ReadOnlySpan<int> rowCounts, Span<double> all, int root = -1) =>
        GatherRows<double>(mine, width, rowCounts, all, root);

    public void Abort(int code) => throw new InvalidOperationException($"rank {Rank} aborted the job with code {code}");

    private void GatherRows<T>(ReadOnlySpan<T> mine, int width, ReadOnlySpan<int> rowCounts, Span<T> all, int root)
    {
        if (mine.Length != rowCounts[Rank] * width)
        {
            throw new InvalidOperationException($"rank {Rank} sends {mine.Length} elements, but its row count says {rowCounts[Rank]} x {width}");
        }

        T[][] parts = Exchange(mine.ToArray());
        if (root < 0 || root == Rank)
        {
            parts.SelectMany(x => x).ToArray().CopyTo(all);
        }
    }

    /// <summary>Posts this rank's part and returns every rank's once all have posted and all have read them (so the slots may be reused).</summary>
    private T[][] Exchange<T>(T[] mine)
    {
        _group.Slots[Rank] = mine;
        Wait();
        T[][] parts = _group.Slots.Select(o => (T[])o!).ToArray();
        Wait();
        return parts;
    }

    private void Wait()
    {
        if (!_group.Barrier.SignalAndWait(Patience))
        {
            throw new TimeoutException($"rank {Rank}: the other ranks did not reach the collective within {Patience.TotalSeconds} s (a rank left without them)");
        }
    }

    private sealed class Group(int size)
    {
        internal object?[] Slots { get; } = new object?[size];

        internal Barrier Barrier { get; } = new(size);
    }
}
