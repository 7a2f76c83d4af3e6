namespace ER.Managed.Mpi.Mpi;

/// <summary>
/// The collective operations <c>er-mpi</c> uses, over all ranks of one job: MPI's world
/// (<see cref="MpiComm"/>), or ranks that are threads of one process (the tests).
/// </summary>
internal interface ICommunicator
{
    /// <summary>This rank, from 0.</summary>
    int Rank { get; }

    /// <summary>The number of ranks.</summary>
    int Size { get; }

    /// <summary>Every rank's <paramref name="mine"/> (the same length on all), concatenated in rank order.</summary>
    int[] AllGather(ReadOnlySpan<int> mine);

    /// <summary>Every rank's <paramref name="mine"/> (the same length on all), concatenated in rank order.</summary>
    double[] AllGather(ReadOnlySpan<double> mine);

    /// <summary>Rank <paramref name="root"/>'s <paramref name="data"/> into every rank's.</summary>
    void Broadcast(Span<float> data, int root);

    /// <summary>
    /// Every rank's rows (of <paramref name="width"/> elements; rank r sends <c>rowCounts[r]</c> of them),
    /// in rank order, into <paramref name="all"/> on every rank (<paramref name="root"/> &lt; 0) or on
    /// rank <paramref name="root"/> only (elsewhere <paramref name="all"/> is not touched).
    /// </summary>
    void GatherRows(ReadOnlySpan<float> mine, int width, ReadOnlySpan<int> rowCounts, Span<float> all, int root = -1);

    /// <inheritdoc cref="GatherRows(ReadOnlySpan{float}, int, ReadOnlySpan{int}, Span{float}, int)"/>
    void GatherRows(ReadOnlySpan<double> mine, int width, ReadOnlySpan<int> rowCounts, Span<double> all, int root = -1);

    /// <summary>Ends every rank at once with <paramref name="code"/>: for a failure on one rank that the others cannot learn of.</summary>
    void Abort(int code);
}
