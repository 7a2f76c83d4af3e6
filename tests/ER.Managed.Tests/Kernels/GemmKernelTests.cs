using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using ER.Managed.Kernels;
using ER.Managed.Kernels.Gemm;
using static ER.Managed.Tests.Kernels.KernelTestSupport;

namespace ER.Managed.Tests.Kernels;

/// <summary>
/// The blocked GEMM against a double-precision reference on awkward shapes: sizes of 1, primes,
/// and one less and one more than MR (6, 12), NR (8, 16, 64) and each kernel's own MC and KC (from
/// this machine's caches), every width, every micro-kernel that can run here (the AdvSimd one
/// under ARM64 only: CI runs these tests under qemu), every storage of the operands.
/// </summary>
public class GemmKernelTests
{
    public static IEnumerable<object[]> Shapes()
    {
        int[][] shapes =
        [
            [1, 1, 1], [5, 7, 3], [6, 16, 1], [7, 17, 2], [5, 63, 13], [6, 64, 31], [7, 65, 37],
            [13, 15, 1023], [11, 9, 1024], [12, 5, 1025], [143, 3, 5], [145, 66, 7], [150, 130, 40],

            // Either side of the columns where the 512-bit width hands narrow products to the AVX2 kernel.
            [9, 32, 20], [9, 33, 20],
        ];
        foreach (int[] s in shapes)
        {
            foreach (KernelWidth w in KernelTestSupport.TestedWidths())
            {
                yield return new object[] { s[0], s[1], s[2], (int)w };
            }
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Multiply_matches_double_reference_for_every_operand_storage(int m, int n, int k, int widthBits)
    {
        var width = (KernelWidth)widthBits;
        CheckAgainstReference(m, n, k, (a, lda, transA, b, ldb, transB, c, ldc) =>
            GemmKernel.Multiply(a, lda, transA, b, ldb, transB, c, ldc, m, n, k, accumulate: true, width));
    }

    /// <summary>Shapes around each kernel's MR, NR, MC, KC and NC on this machine, for every kernel that can run here.</summary>
    public static IEnumerable<object[]> KernelShapes()
    {
        foreach (MicroKernelId id in MicroKernels.All.ToArray())
        {
            MicroKernelInfo info = MicroKernels.Describe(id);
            if (!info.CanRun)
            {
                continue;
            }

            (int kc, int mc, int nc) = info.Blocking;
            int mr = info.Rows, nr = info.Columns;
            int[][] shapes =
            [
                [1, 1, 1], [mr - 1, nr + 1, 3], [mr, nr, 1], [mr + 1, nr - 1, 2], [(2 * mr) + 1, (3 * nr) + 5, 17],
                [3, 5, kc - 1], [2, nr + 3, kc], [mr + 2, 3, kc + 1], [mc - 1, 5, 3], [mc + 1, nr + 1, 9],

                // Past NC: a second column block of C and of a B read in place.
                [3, nc + 7, 5],
            ];
            foreach (int[] shape in shapes)
            {
                yield return new object[] { shape[0], shape[1], shape[2], (int)id };
            }
        }
    }

    [Theory]
    [MemberData(nameof(KernelShapes))]
    public void Each_micro_kernel_matches_double_reference_around_its_blocking(int m, int n, int k, int kernel)
    {
        var id = (MicroKernelId)kernel;
        CheckAgainstReference(m, n, k, (a, lda, transA, b, ldb, transB, c, ldc) =>
            GemmKernel.Multiply(a, lda, transA, b, ldb, transB, c, ldc, m, n, k, accumulate: true, id));
    }

    [Theory]
    [MemberData(nameof(KernelShapes))]
    public void Each_micro_kernel_overwrites_C_when_not_accumulating(int m, int n, int k, int kernel)
    {
        // Depths past KC take several blocks: only the first may overwrite, the later ones must add.
        var id = (MicroKernelId)kernel;
        CheckAgainstReference(
            m,
            n,
            k,
            (a, lda, transA, b, ldb, transB, c, ldc) => GemmKernel.Multiply(a, lda, transA, b, ldb, transB, c, ldc, m, n, k, accumulate: false, id),
            overwrite: true);
    }

    [Theory]
    [MemberData(nameof(KernelTestSupport.Widths), MemberType = typeof(KernelTestSupport))]
    public void Empty_products_clear_C_or_leave_it_as_asked(int widthBits)
    {
        // k = 0: C = 0 when overwriting (the m x n block only, not the padding of its stride), C
        // unchanged when accumulating; m = 0 or n = 0: nothing to write either way.
        var width = (KernelWidth)widthBits;
        const int m = 3, n = 5, ldc = 7;
        foreach (bool accumulate in new[] { false, true })
        {
            float[] c = Enumerable.Repeat(42f, m * ldc).ToArray();
            GemmKernel.Multiply([], n, false, [], n, false, c, ldc, m, n, 0, accumulate, width);
            for (int i = 0; i < m * ldc; i++)
            {
                Assert.Equal(!accumulate && i % ldc < n ? 0f : 42f, c[i]);
            }

            c = Enumerable.Repeat(42f, m * ldc).ToArray();
            float[] a = Enumerable.Repeat(1f, m * 4).ToArray(), b = Enumerable.Repeat(1f, 4 * n).ToArray();
            GemmKernel.Multiply(a, 4, false, b, n, false, c, ldc, 0, n, 4, accumulate, width);
            GemmKernel.Multiply(a, 4, false, b, n, false, c, ldc, m, 0, 4, accumulate, width);
            Assert.All(c, v => Assert.Equal(42f, v));
        }
    }

    /// <summary>Every kernel id goes through one dispatch, whose default refuses an id it does not know.</summary>
    [Fact]
    public void Repeated_micro_kernel_runs_accumulate_and_refuse_short_panels()
    {
        // What the diagnostics' kernel timing runs: tile += A B, repeats times, on packed panels of small
        // integers, so every sum is exact and the expected tile is exact too.
        foreach (MicroKernelId id in MicroKernels.All)
        {
            MicroKernelInfo info = MicroKernels.Describe(id);
            if (!info.CanRun)
            {
                continue;
            }

            const int Depth = 5, Repeats = 3;
            int mr = info.Rows, nr = info.Columns;
            float[] a = [.. Enumerable.Range(0, mr * Depth).Select(i => (float)((i % 7) - 3))];
            float[] b = [.. Enumerable.Range(0, nr * Depth).Select(i => (float)((i % 5) - 2))];
            float[] tile = new float[mr * nr];
            MicroKernels.RunRepeatedly(id, a, b, Depth, tile, Repeats);
            for (int r = 0; r < mr; r++)
            {
                for (int c = 0; c < nr; c++)
                {
                    float want = 0f;
                    for (int p = 0; p < Depth; p++)
                    {
                        want += a[(p * mr) + r] * b[(p * nr) + c];
                    }

                    Assert.Equal(Repeats * want, tile[(r * nr) + c]);
                }
            }

            Assert.Throws<ArgumentException>(() => MicroKernels.RunRepeatedly(id, a[..^1], b, Depth, tile, 1));
            Assert.Throws<ArgumentException>(() => MicroKernels.RunRepeatedly(id, a, b[..^1], Depth, tile, 1));
            Assert.Throws<ArgumentException>(() => MicroKernels.RunRepeatedly(id, a, b, Depth, tile[..^1], 1));
        }
    }

    [Fact]
    public void An_unknown_kernel_id_is_refused_by_the_one_dispatch()
    {
        var unknown = (MicroKernelId)99;
        Assert.Throws<ArgumentOutOfRangeException>(() => MicroKernels.Describe(unknown));
        float[] a = [1f, 2f], c = new float[1];
        Assert.Throws<ArgumentOutOfRangeException>(() => GemmKernel.Multiply(a, 2, false, a, 2, true, c, 1, 1, 1, 2, false, unknown));
        foreach (MicroKernelId id in MicroKernels.All)
        {
            Assert.Equal(id, MicroKernels.Describe(id).Id);
        }
    }

    [Fact]
    public void The_128_bit_width_takes_the_architecture_kernel()
    {
        // ARM64 gets the AdvSimd kernel (FMA by lane, 32 registers); x86 the Vector128 one. Under
        // qemu in CI this is what makes the AdvSimd kernel's tests above run at all.
        bool arm64 = System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.Arm64;
        MicroKernelId expected = arm64 ? MicroKernelId.AdvSimd : MicroKernelId.Vector128;
        Assert.Equal(expected, MicroKernels.For(KernelWidth.V128));
        Assert.True(MicroKernels.Describe(expected).CanRun);
        Assert.Equal(arm64, MicroKernels.Describe(MicroKernelId.AdvSimd).CanRun);
    }

    [Fact]
    public void Narrow_products_on_the_512_bit_width_take_the_256_bit_kernel()
    {
        // At 32 columns or fewer the 6 x 64 tile would compute mostly zero padding; the AVX2 kernel
        // serves them where 256-bit registers are accelerated. The other widths keep their own.
        MicroKernelId narrow = MicroKernel256.IsSupported ? MicroKernelId.Avx2 : MicroKernelId.Avx512;
        Assert.Equal(narrow, MicroKernels.For(KernelWidth.V512, 1));
        Assert.Equal(narrow, MicroKernels.For(KernelWidth.V512, MicroKernels.NarrowProductColumns));
        Assert.Equal(MicroKernelId.Avx512, MicroKernels.For(KernelWidth.V512, MicroKernels.NarrowProductColumns + 1));
        foreach (KernelWidth width in (ReadOnlySpan<KernelWidth>)[KernelWidth.V256, KernelWidth.V128, KernelWidth.Scalar])
        {
            foreach (int columns in (ReadOnlySpan<int>)[1, 16, 32, 33, 4096])
            {
                Assert.Equal(MicroKernels.For(width), MicroKernels.For(width, columns));
            }
        }
    }

    [Theory]
    [InlineData(16)]
    [InlineData(32)]
    [InlineData(33)]
    [InlineData(200)]
    public void A_product_by_width_gives_the_bits_of_the_kernel_chosen_for_its_columns(int n)
    {
        // Depth 3000 spans several KC blocks of either kernel, whose partial sums round differently.
        const int M = 13, K = 3000;
        float[] a = Uniform(M * K, 3), b = Uniform(K * n, 4);
        float[] byWidth = new float[M * n], byKernel = new float[M * n];
        GemmKernel.Multiply(a, K, false, b, n, false, byWidth, n, M, n, K, accumulate: false, KernelWidth.V512);
        GemmKernel.Multiply(a, K, false, b, n, false, byKernel, n, M, n, K, accumulate: false, MicroKernels.For(KernelWidth.V512, n)!.Value);
        Assert.Equal(byKernel, byWidth);
    }

    private delegate void Product(float[] a, int lda, bool transA, float[] b, int ldb, bool transB, float[] c, int ldc);

    private static void CheckAgainstReference(int m, int n, int k, Product product, bool overwrite = false)
    {
        float[] a = Uniform(m * k, (m * 31) + k), b = Uniform(k * n, (n * 17) + k);
        foreach (bool transA in new[] { false, true })
        {
            foreach (bool transB in new[] { false, true })
            {
                // Padded leading dimensions check that strides are honoured.
                int lda = (transA ? m : k) + 3, ldb = (transB ? k : n) + 2, ldc = n + 5;
                float[] aStored = Store(a, m, k, transA, lda), bStored = Store(b, k, n, transB, ldb);
                // An overwriting product starts from NaN: any of it left in, or added, would show.
                float[] c = overwrite ? [.. Enumerable.Repeat(float.NaN, m * ldc)] : Uniform(m * ldc, 99);
                float[] c0 = (float[])c.Clone();
                product(aStored, lda, transA, bStored, ldb, transB, c, ldc);
                for (int i = 0; i < m; i++)
                {
                    for (int j = 0; j < n; j++)
                    {
                        double want = overwrite ? 0.0 : c0[(i * ldc) + j], magnitude = Math.Abs(want);
                        for (int p = 0; p < k; p++)
                        {
                            double t = (double)a[(i * k) + p] * b[(p * n) + j];
                            want += t;
                            magnitude += Math.Abs(t);
                        }

                        // Recursive summation bound over k + 1 terms (slices add one rounding each).
                        Assert.True(Math.Abs(c[(i * ldc) + j] - want) <= ((k + 2) * U * magnitude) + 1e-30, $"C[{i},{j}] transA={transA} transB={transB}");
                    }

                    // Columns past n (the padding of ldc) are untouched.
                    for (int j = n; j < ldc; j++)
                    {
                        Assert.Equal(c0[(i * ldc) + j], c[(i * ldc) + j]);
                    }
                }
            }
        }
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(7, 65, 13)]
    [InlineData(145, 128, 1025)]
    [InlineData(300, 320, 129)]
    public void Prepacked_transposed_b_gives_the_same_bits_as_packing_on_the_fly(int m, int n, int k)
    {
        foreach (MicroKernelId kernel in MicroKernels.All.ToArray())
        {
            if (!MicroKernels.Describe(kernel).CanRun)
            {
                continue;
            }

            float[] a = Uniform(m * k, 1), x = Uniform(n * k, 2);
            var expected = new float[m * n];
            GemmKernel.Multiply(a, k, false, x, k, true, expected, n, m, n, k, accumulate: false, kernel);
            using PackedOperand packed = GemmKernel.PackTransposedB(x, n, k, kernel);
            var got = new float[m * n];
            GemmKernel.MultiplyPacked(a, k, false, packed, 0, n, got, n, m, accumulate: false);
            Assert.Equal(expected, got);

            // A packed once as well (the fused entropy's block rows): the same bits again.
            using PackedOperand packedA = GemmKernel.PackA(a, k, m, k, kernel);
            var both = new float[m * n];
            GemmKernel.MultiplyPacked(packedA, 0, m, packed, 0, n, both, n, accumulate: false);
            Assert.Equal(expected, both);

            // A row range of the packed A starting on a micro-panel, with a column range (the Gram's
            // diagonal blocks): the same bits as those rows of the whole product.
            MicroKernelInfo shape = MicroKernels.Describe(kernel);
            int i0 = m / 2 / shape.Rows * shape.Rows, rows = m - i0, jr = n > 2 * shape.Columns ? shape.Columns : 0;
            var band = new float[rows * (n - jr)];
            GemmKernel.MultiplyPacked(packedA, i0, rows, packed, jr, n - jr, band, n - jr, accumulate: false);
            for (int i = 0; i < rows; i++)
            {
                Assert.Equal(expected.AsSpan(((i0 + i) * n) + jr, n - jr).ToArray(), band.AsSpan(i * (n - jr), n - jr).ToArray());
            }

            // No rows is an empty product, not an error; operands packed for another depth are refused.
            GemmKernel.MultiplyPacked(packedA, 0, 0, packed, 0, n, both, n, accumulate: false);
            Assert.Equal(expected, both);
            using PackedOperand deeper = GemmKernel.PackTransposedB(Uniform(n * (k + 1), 3), n, k + 1, kernel);
            Assert.Throws<ArgumentException>(() => GemmKernel.MultiplyPacked(packedA, 0, m, deeper, 0, n, both, n, accumulate: false));
            Assert.Throws<ArgumentOutOfRangeException>(() => GemmKernel.MultiplyPacked(packedA, 1, m - 1, packed, 0, n, both, n, accumulate: false));
            var beyond = Assert.Throws<ArgumentOutOfRangeException>(() => GemmKernel.MultiplyPacked(packedA, 0, m + 1, packed, 0, n, both, n, accumulate: false));
            Assert.Contains($"Rows [0, {m + 1})", beyond.Message, StringComparison.Ordinal);

            // A column range starting on a panel boundary.
            int j0 = 2 * MicroKernels.Describe(kernel).Columns;
            if (n > j0)
            {
                var part = new float[m * (n - j0)];
                GemmKernel.MultiplyPacked(a, k, false, packed, j0, n - j0, part, n - j0, m, accumulate: false);
                for (int i = 0; i < m; i++)
                {
                    Assert.Equal(expected.AsSpan((i * n) + j0, n - j0).ToArray(), part.AsSpan(i * (n - j0), n - j0).ToArray());
                }
            }
        }
    }

    [Fact]
    public void Every_product_returns_its_scratch_so_a_warm_one_allocates_nothing()
    {
        // The products take their packing buffers and edge scratch from the shared array pool: a
        // buffer not returned is rented anew by the next product, which then allocates. Each product
        // rents its buffers whatever its size; a depth past KC runs several slices, and 70 x 130
        // leaves edge panels at every MR and NR. The scalar width's path copies both operands into
        // row-major scratch.
        const int m = 70, n = 130, k = 1100;
        float[] a = Uniform(m * k, 1), aT = Uniform(k * m, 2), x = Uniform(n * k, 3), rowMajorB = Uniform(k * n, 4);
        var c = new float[m * n];
        Assert.Equal(0, AllocationProbe.SteadyStateBytes(() =>
            GemmKernel.Multiply(aT, m, true, rowMajorB, n, false, c, n, m, n, k, accumulate: false, KernelWidth.Scalar)));
        foreach (MicroKernelId kernel in MicroKernels.All.ToArray())
        {
            if (!MicroKernels.Describe(kernel).CanRun)
            {
                continue;
            }

            string name = MicroKernels.Describe(kernel).Name;
            using PackedOperand packedB = GemmKernel.PackTransposedB(x, n, k, kernel);
            using PackedOperand packedA = GemmKernel.PackA(a, k, m, k, kernel);
            using PackedOperand slices = GemmKernel.PackRowMajorB(rowMajorB, k, n, 256, kernel);
            (string Product, Action Run)[] products =
            [
                ("A B^T", () => GemmKernel.Multiply(a, k, false, x, k, true, c, n, m, n, k, accumulate: false, kernel)),
                ("A^T B", () => GemmKernel.Multiply(aT, m, true, rowMajorB, n, false, c, n, m, n, k, accumulate: false, kernel)),
                ("A times packed B", () => GemmKernel.MultiplyPacked(a, k, false, packedB, 0, n, c, n, m, accumulate: false)),
                ("packed A times packed B", () => GemmKernel.MultiplyPacked(packedA, 0, m, packedB, 0, n, c, n, accumulate: false)),
                ("A times a packed slice", () => GemmKernel.MultiplyPackedSlice(aT, m, true, slices, 1, c, n, m, accumulate: false)),
            ];
            foreach ((string product, Action run) in products)
            {
                Assert.True(AllocationProbe.SteadyStateBytes(run) == 0, $"{name}: {product} allocated");
            }
        }
    }

    [Theory]
    [InlineData(1, 1, 1, 1)]
    [InlineData(7, 13, 300, 128)]
    [InlineData(65, 128, 512, 256)]
    [InlineData(130, 70, 257, 256)]
    public void Row_major_b_packed_in_slices_gives_the_same_bits_as_reading_it_in_place(int m, int columns, int depth, int sliceDepth)
    {
        // The entropy backward's op(W) Z_J with Z packed once: each slice against the same product
        // with that slice of Z read in place, A stored both ways, accumulating onto the same C.
        foreach (MicroKernelId kernel in MicroKernels.All.ToArray())
        {
            if (!MicroKernels.Describe(kernel).CanRun)
            {
                continue;
            }

            float[] z = Uniform(depth * columns, 4);
            using PackedOperand packed = GemmKernel.PackRowMajorB(z, depth, columns, sliceDepth, kernel);
            for (int slice = 0; slice * sliceDepth < depth; slice++)
            {
                int kc = Math.Min(sliceDepth, depth - slice * sliceDepth);
                float[] a = Uniform(m * kc, 5 + slice);
                foreach (bool transA in new[] { false, true })
                {
                    int lda = (transA ? m : kc) + 3;
                    float[] aStored = Store(a, m, kc, transA, lda);
                    float[] expected = Uniform(m * columns, 6), got = (float[])expected.Clone();
                    GemmKernel.Multiply(aStored, lda, transA, z.AsSpan(slice * sliceDepth * columns, kc * columns), columns, false, expected, columns, m, columns, kc, accumulate: true, kernel);
                    GemmKernel.MultiplyPackedSlice(aStored, lda, transA, packed, slice, got, columns, m, accumulate: true);
                    Assert.True(expected.AsSpan().SequenceEqual(got), $"{MicroKernels.Describe(kernel).Name}, slice {slice}, transA={transA}");
                }
            }
        }
    }

    [Theory]
    [InlineData(1024, 512)]
    [InlineData(1000, 1100)]
    [InlineData(4100, 96)]
    public void Packing_transposed_b_by_column_ranges_in_any_order_writes_the_same_panels(int n, int k)
    {
        // Products pack Z^T a range of columns at a time, on whichever thread needs a range first:
        // ranges packed in a shuffled order, several at once, into a buffer full of NaN must give
        // the whole packing, bit for bit (every float written, edge panels padded with zeros).
        float[] x = Uniform(n * k, 3);
        foreach (MicroKernelId kernel in MicroKernels.All.ToArray())
        {
            if (!MicroKernels.Describe(kernel).CanRun)
            {
                continue;
            }

            int nr = MicroKernels.Describe(kernel).Columns;
            int used = (n + nr - 1) / nr * nr * k;
            using PackedOperand whole = GemmKernel.PackTransposedB(x, n, k, kernel);
            foreach (int rangePanels in new[] { 1, 3, 4 })
            {
                int range = rangePanels * nr;
                using PackedOperand pieces = GemmKernel.AllocateTransposedB(n, k, kernel);
                pieces.Buffer.AsSpan(0, used).Fill(float.NaN);
                int[] starts = Enumerable.Range(0, (n + range - 1) / range).Select(i => i * range).ToArray();
                new Random(rangePanels).Shuffle(starts);
                Parallel.ForEach(starts, new ParallelOptions { MaxDegreeOfParallelism = 3 }, j0 => GemmKernel.PackTransposedBColumns(x, pieces, j0, Math.Min(range, n - j0)));
                Assert.True(whole.Buffer.AsSpan(0, used).SequenceEqual(pieces.Buffer.AsSpan(0, used)), $"{MicroKernels.Describe(kernel).Name}, ranges of {range} columns");
            }
        }
    }

    private static float[] Store(float[] x, int rows, int columns, bool transposed, int ld)
    {
        // x is rows x columns; store it as is (rows x ld) or transposed (columns x ld).
        var stored = new float[(transposed ? columns : rows) * ld];
        Array.Fill(stored, float.NaN);
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                stored[transposed ? (c * ld) + r : (r * ld) + c] = x[(r * columns) + c];
            }
        }

        return stored;
    }
}
