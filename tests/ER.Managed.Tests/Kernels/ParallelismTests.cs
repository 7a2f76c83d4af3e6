using System.Threading;
using ER.Managed.Kernels;

namespace ER.Managed.Tests.Kernels;

/// <summary>
/// The work-item loop under every kernel's threads: each index runs exactly once whatever the
/// degree, no more threads than the degree run items (one: the caller's alone, as
/// <c>ErOptions.MaxDegreeOfParallelism = 1</c> promises), the call returns only when every started
/// item has finished, and an item's exception reaches the caller as itself (not wrapped), later
/// items being skipped.
/// </summary>
public class ParallelismTests
{
    [Theory]
    [InlineData(0, 2)]
    [InlineData(1, 4)]
    [InlineData(7, 1)]
    [InlineData(7, 2)]
    [InlineData(100, 3)]
    [InlineData(1000, 16)]
    public void EveryIndexRunsExactlyOnce(int count, int degree)
    {
        int[] runs = new int[count];
        Parallelism.For(count, degree, i => Interlocked.Increment(ref runs[i]));
        Assert.All(runs, r => Assert.Equal(1, r));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(8, 1)]
    [InlineData(1, 4)]
    [InlineData(40, 2)]
    [InlineData(40, 3)]
    public void ItemsRunOnNoMoreThreadsThanTheDegree(int count, int degree)
    {
        // Items that take a while, so that every helper the call queued has time to join in.
        int caller = Environment.CurrentManagedThreadId;
        var threads = new System.Collections.Concurrent.ConcurrentDictionary<int, bool>();
        Parallelism.For(count, degree, i =>
        {
            threads.TryAdd(Environment.CurrentManagedThreadId, true);
            Thread.Sleep(2);
        });
        Assert.InRange(threads.Count, 1, Math.Min(count, degree));
        if (degree == 1 || count == 1)
        {
            Assert.Equal([caller], threads.Keys);
        }
    }

    [Fact]
    public void AllItemsHaveFinishedWhenTheCallReturns()
    {
        // Items of unequal length on two threads: the call must not return while one still runs.
        for (int round = 0; round < 50; round++)
        {
            int finished = 0;
            Parallelism.For(6, 2, i =>
            {
                if (i % 2 == 1)
                {
                    Thread.SpinWait(20_000);
                }

                Interlocked.Increment(ref finished);
            });
            Assert.Equal(6, Volatile.Read(ref finished));
        }
    }

    [Fact]
    public void AnItemsExceptionReachesTheCallerUnwrapped()
    {
        int started = 0;
        var error = Assert.Throws<InvalidOperationException>(() => Parallelism.For(64, 2, i =>
        {
            Interlocked.Increment(ref started);
            if (i == 3)
            {
                throw new InvalidOperationException("item 3");
            }

            // The later items are slow so that the throw (which under qemu can take a long
            // while) is recorded before the other worker could have run them all: 60 x 25 ms
            // leaves it 1.5 s, and the test still ends within one item of the failure.
            if (i > 3)
            {
                Thread.Sleep(25);
            }
        }));
        Assert.Equal("item 3", error.Message);

        // Items handed out after the failure are skipped, not run.
        Assert.InRange(Volatile.Read(ref started), 1, 63);
    }
}
