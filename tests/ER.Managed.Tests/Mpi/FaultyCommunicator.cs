using System.Linq;
using ER.Managed.Mpi.Mpi;

namespace ER.Managed.Tests.Mpi;

/// <summary>
/// Rank 0 of a job of <see cref="Size"/> ranks, played alone on one thread: every other rank is taken
/// to send what this one sends, until the first gather of rows, which throws <c>fault</c> (as a
/// failed allocation or a failing MPI call would). <see cref="Abort"/> records its code instead of
/// ending the process, so a test can see that the job would have been ended.
/// </summary>
internal sealed class FaultyCommunicator(int size, Exception fault) : ICommunicator
{
    /// <summary>What a failed allocation throws, without running out of memory.</summary>
    internal static Exception OutOfMemory() =>
#pragma warning disable CA2201 // reserved by the runtime: here it stands for the runtime's own
        new OutOfMemoryException("Insufficient memory to continue the execution of the program.");
#pragma warning restore CA2201

    public int Rank => 0;

    public int Size { get; } = size;

    /// <summary>The code <see cref="Abort"/> was called with; null if it was not.</summary>
    public int? AbortCode { get; private set; }

    public int[] AllGather(ReadOnlySpan<int> mine) => Enumerable.Repeat(mine.ToArray(), Size).SelectMany(x => x).ToArray();

    public double[] AllGather(ReadOnlySpan<double> mine) => Enumerable.Repeat(mine.ToArray(), Size).SelectMany(x => x).ToArray();

    public void Broadcast(Span<float> data, int root)
    {
        // Rank 0 is the root of every broadcast here: its data stays as it is.
    }

    public void GatherRows(ReadOnlySpan<float> mine, int width, ReadOnlySpan<int> rowCounts, Span<float> all, int root = -1) => throw fault;

    public void GatherRows(ReadOnlySpan<double> mine, int width, ReadOnlySpan<int> rowCounts, Span<double> all, int root = -1) => throw fault;

    public void Abort(int code) => AbortCode = code;
}
