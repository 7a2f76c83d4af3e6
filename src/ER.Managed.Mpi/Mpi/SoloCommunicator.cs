namespace ER.Managed.Mpi.Mpi;

/// <summary>One rank and no MPI: what <c>er-mpi --help</c> runs on where no MPI library can be loaded.</summary>
internal sealed class SoloCommunicator : ICommunicator
{
    public int Rank => 0;

    public int Size => 1;

    public int[] AllGather(ReadOnlySpan<int> mine) => mine.ToArray();

    public double[] AllGather(ReadOnlySpan<double> mine) => mine.ToArray();

    public void Broadcast(Span<float> data, int root)
    {
    }

    public void GatherRows(ReadOnlySpan<float> mine, int width, ReadOnlySpan<int> rowCounts, Span<float> all, int root = -1) => mine.CopyTo(all);

    public void GatherRows(ReadOnlySpan<double> mine, int width, ReadOnlySpan<int> rowCounts, Span<double> all, int root = -1) => mine.CopyTo(all);

    public void Abort(int code) => Environment.Exit(code);
}
