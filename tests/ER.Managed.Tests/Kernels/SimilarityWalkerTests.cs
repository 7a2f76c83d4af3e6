using System.Threading;
using System.Linq;
using ER.Managed.Kernels;
using static ER.Managed.Tests.Kernels.KernelTestSupport;

namespace ER.Managed.Tests.Kernels;

/// <summary>
/// The walker packs <c>Z^T</c> a chunk of columns at a time, on whichever thread's product needs the
/// chunk first, while other threads wait for a chunk being packed: products from several threads on
/// a fresh walker, each walking the chunks in another order, must equal one thread's products.
/// </summary>
public class SimilarityWalkerTests
{
    [Theory]
    [InlineData(1000, 96)]
    [InlineData(520, 300)]
    public unsafe void Products_on_several_threads_packing_on_demand_equal_one_threads(int k, int d)
    {
        int chunks = (k + SimilarityWalker.ChunkColumns - 1) / SimilarityWalker.ChunkColumns;
        const int Threads = 4;
        int rowsPerThread = (k + Threads - 1) / Threads;
        foreach (KernelWidth width in KernelTestSupport.TestedWidths())
        {
            var expected = new float[k * k];
            var got = new float[k * k];
            for (int round = 0; round < 8; round++)
            {
                // Another Z each round, and the one-thread products after the threads' ones: the
                // pooled packing buffer a fresh walker rents holds another matrix's packing, so a
                // thread that used a chunk before it was packed would read wrong values.
                float[] z = Uniform(k * d, k + d + round);
                Array.Fill(got, float.NaN);
                fixed (float* zp = z)
                {
                    var zh = new PinnedFloats(zp, z.Length);
                    using (var walker = new SimilarityWalker(zh, k, d, width))
                    {
                        // Every thread asks for the same chunk first, at the same moment (a barrier;
                        // threads of their own, so that all of them run): one packs it, the rest wait.
                        using var start = new Barrier(Threads);
                        Exception? error = null;
                        Thread[] threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
                        {
                            try
                            {
                                int first = t * rowsPerThread, rows = Math.Min(rowsPerThread, k - first);
                                using SimilarityWalker.RowBlock block = walker.Rows(first, rows, pack: t % 2 == 0);
                                start.SignalAndWait();
                                for (int step = 0; step < chunks; step++)
                                {
                                    int j0 = (round + step) % chunks * SimilarityWalker.ChunkColumns;
                                    int n = Math.Min(SimilarityWalker.ChunkColumns, k - j0);
                                    walker.Product(block, j0, n, got.AsSpan((first * k) + j0), k, accumulate: false);
                                }
                            }
                            catch (Exception e)
                            {
                                error = e;
                            }
                        })).ToArray();
                        foreach (Thread thread in threads)
                        {
                            thread.Start();
                        }

                        foreach (Thread thread in threads)
                        {
                            thread.Join();
                        }

                        Assert.Null(error);
                    }

                    using (var walker = new SimilarityWalker(zh, k, d, width))
                    {
                        using SimilarityWalker.RowBlock all = walker.Rows(0, k, pack: true);
                        walker.Product(all, 0, k, expected, k, accumulate: false);
                    }
                }

                Assert.True(expected.AsSpan().SequenceEqual(got), $"{width}, round {round}");
            }
        }
    }
}
