namespace ER.Managed.Tests;

internal static class AllocationProbe
{
    /// <summary>
    /// Bytes allocated on this thread by <paramref name="action"/>, the least of five runs: pooled
    /// scratch that a concurrently running test happened to take from the shared pool's per-core
    /// stacks is re-created once, which says nothing about steady-state allocation.
    /// </summary>
    internal static long SteadyStateBytes(Action action)
    {
        action();
        long least = long.MaxValue;
        for (int i = 0; i < 5; i++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            action();
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return least;
    }
}
