using System.Collections.Generic;
using System.IO;
using ER.Managed.Kernels.Gemm;

namespace ER.Managed.Tests.Kernels;

/// <summary>
/// The blocking rules' invariants over synthetic cache configurations (not fixed numbers: the
/// rules are meant to follow the caches), the cache-size parsers, and the overrides.
/// </summary>
public class GemmBlockingTests
{
    public static IEnumerable<object[]> Caches()
    {
        long[][] configurations =
        [
            [32 * 1024, 512 * 1024, 4 * 1024 * 1024],         // Zen 3 (per core)
            [48 * 1024, 1024 * 1024, 4 * 1024 * 1024],        // Zen 4/5
            [48 * 1024, 2048 * 1024, 2 * 1024 * 1024],        // Sapphire Rapids
            [64 * 1024, 1024 * 1024, 1024 * 1024],            // Graviton 3
            [128 * 1024, 3 * 1024 * 1024, 0],                 // Apple M-series performance core (shared L2 / 4, no L3)
            [16 * 1024, 256 * 1024, 0],                       // a small core
        ];
        foreach (long[] c in configurations)
        {
            foreach (MicroKernelId id in MicroKernels.All.ToArray())
            {
                yield return new object[] { c[0], c[1], c[2], (int)id };
            }
        }
    }

    [Theory]
    [MemberData(nameof(Caches))]
    public void Each_rule_rounds_to_the_kernel_and_fits_the_caches(long l1, long l2, long l3, int kernel)
    {
        var caches = new CacheSizes(l1, l2, l3, "test");
        MicroKernelInfo info = MicroKernels.Describe((MicroKernelId)kernel);
        GemmBlocking b = BlockingFor((MicroKernelId)kernel, caches);
        Assert.True(b.KC % 8 == 0 && b.KC is >= 64 and <= 4096, $"{info.Name}: KC {b.KC}");
        Assert.True(b.MC % info.Rows == 0 && b.MC >= info.Rows, $"{info.Name}: MC {b.MC} not a multiple of MR {info.Rows}");
        Assert.True(b.NC % info.Columns == 0 && b.NC >= 4 * info.Columns, $"{info.Name}: NC {b.NC} not a multiple of NR {info.Columns}");

        // The A block (MC x KC floats) takes at most half of L2 (or one MR panel where L2 is tiny);
        // for AVX2 all of L2; for AVX-512, whose B micro-panel is the one that lives in L2, half of
        // the larger of L2 and this core's L3 share.
        bool avx2 = (MicroKernelId)kernel == MicroKernelId.Avx2;
        long aBudget = info.Columns >= 64 ? Math.Max(l2, l3) / 2 : avx2 ? l2 : l2 / 2;
        Assert.True((4L * b.MC * b.KC <= aBudget) || b.MC == info.Rows, $"{info.Name}: A block {4L * b.MC * b.KC} B > {aBudget}");

        // ... and fills it to within one panel (MC is rounded down to MR, KC down to 8), unless MC is
        // at its ceiling of 1024 rows.
        Assert.True(4L * (b.MC + info.Rows) * (b.KC + 8) > aBudget || b.MC > 1024 - info.Rows, $"{info.Name}: A block {4L * b.MC * b.KC} B leaves more than a panel of {aBudget} unused");

        // The B block (KC x NC floats) fills this core's L3 share, or four L2s without an L3, to
        // within one panel, unless NC sits at its floor (4 NR) or ceiling (8192).
        long bBudget = l3 > 0 ? l3 : 4 * l2;
        long bBlock = 4L * b.KC * b.NC;
        Assert.True(bBlock <= bBudget || b.NC == 4 * info.Columns, $"{info.Name}: B block {bBlock} B > {bBudget}");
        Assert.True(4L * (b.KC + 8) * (b.NC + info.Columns) > bBudget || b.NC == 8192, $"{info.Name}: B block {bBlock} B leaves {bBudget} unused");

        // The B micro-panel (KC x NR floats) fits the level its rule names: half of L1D for the
        // narrow kernels (two thirds for AVX2), a quarter of L2 for AVX-512's 64-wide panel; unless KC
        // sits at its floor of 64.
        long panel = 4L * b.KC * info.Columns;
        long budget = info.Columns >= 64 ? l2 / 4 : avx2 ? l1 * 2 / 3 : l1 / 2;
        Assert.True(panel <= budget || b.KC == 64, $"{info.Name}: B panel {panel} B > {budget}");

        // Larger caches never give smaller blocks.
        GemmBlocking bigger = BlockingFor((MicroKernelId)kernel, new CacheSizes(l1 * 2, l2 * 2, l3 * 2, "test"));
        Assert.True(bigger.KC >= b.KC && bigger.MC >= b.MC - info.Rows, $"{info.Name}: doubling the caches shrank the blocking");
    }

    [Fact]
    public void The_avx512_rule_puts_the_a_block_beside_an_l2_resident_b_panel()
    {
        // Zen 5: the B micro-panel takes a quarter of the 1 MiB L2 (KC = 1024), the A block half of
        // the 4 MiB L3 share, enough for a 256-row block row of the Gram at once.
        GemmBlocking zen5 = MicroKernel512.Blocking(new CacheSizes(48 * 1024, 1024 * 1024, 4 * 1024 * 1024, "test"));
        Assert.Equal(1024, zen5.KC);
        Assert.True(zen5.MC >= 256, $"MC {zen5.MC}");

        // Without an L3 the A block falls back to half of L2.
        GemmBlocking noL3 = MicroKernel512.Blocking(new CacheSizes(48 * 1024, 1024 * 1024, 0, "test"));
        Assert.True(4L * noL3.MC * noL3.KC <= 512 * 1024, $"MC {noL3.MC}");
    }

    [Fact]
    public void The_avx2_rule_keeps_the_b_panel_in_two_thirds_of_L1D_and_a_whole_tile_in_the_a_block()
    {
        // KC = 1024 once made the 6x16 kernel's B micro-panel 64 KiB, twice Zen 3's L1D; two thirds
        // of it is 21 KiB (KC = 336), and the A block a 384-row block of the 512 KiB L2.
        GemmBlocking zen3 = MicroKernel256.Blocking(new CacheSizes(32 * 1024, 512 * 1024, 4 * 1024 * 1024, "test"));
        Assert.Equal(336, zen3.KC);
        Assert.True(4 * zen3.KC * MicroKernel256.NR <= 32 * 1024 * 2 / 3);
        Assert.True(zen3.MC >= 256, $"MC {zen3.MC}");

        // Zen 5 (48 KiB L1D, 1 MiB L2): KC = 512, MC >= 256 (a similarity tile's rows in one block).
        GemmBlocking zen5 = MicroKernel256.Blocking(new CacheSizes(48 * 1024, 1024 * 1024, 4 * 1024 * 1024, "test"));
        Assert.Equal(512, zen5.KC);
        Assert.True(zen5.MC >= 256, $"MC {zen5.MC}");
    }

    [Theory]
    [InlineData("1024,144,1024", 6, 64, 1024, 144, 1024)]
    [InlineData("300,100,100", 6, 16, 296, 96, 96)]
    [InlineData("10,1,1", 12, 8, 64, 12, 32)]
    public void Blocking_override_is_rounded_like_the_rules(string text, int mr, int nr, int kc, int mc, int nc)
    {
        Assert.Equal(new GemmBlocking(kc, mc, nc), GemmBlocking.Override(text, mr, nr));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("1,2")]
    [InlineData("a,b,c")]
    [InlineData("-1,2,3")]
    public void Malformed_blocking_override_is_ignored(string? text) => Assert.Null(GemmBlocking.Override(text, 6, 16));

    [Theory]
    // Zen 3's L1D through AMD's leaf 0x8000001D: data, level 1, 2 threads; 8 ways x 1 x 64 B x 64 sets.
    [InlineData(0x4121, 0x01C0003F, 63, 1, 1, 2, 32L * 1024)]
    // An L2 through leaf 4: unified, level 2, 2 threads; 10 ways x 1 x 64 B x 2048 sets (1.25 MiB).
    [InlineData(0x4043, 0x0240003F, 2047, 2, 3, 2, 1280L * 1024)]
    // An L3 with two partitions: unified, level 3, 16 threads; 16 ways x 2 x 64 B x 8192 sets.
    [InlineData(0x3C063, 0x03C0103F, 8191, 3, 3, 16, 16L * 1024 * 1024)]
    // No more caches: type 0.
    [InlineData(0, 0, 0, 0, 0, 1, 1L)]
    public void Cpuid_cache_descriptors_decode(int eax, int ebx, int ecx, int level, int type, int sharing, long size) =>
        Assert.Equal((level, type, sharing, size), CacheSizes.DecodeCacheLeaf(eax, ebx, ecx));

    [Theory]
    // Zen 3's legacy leaves: L1D 32 KiB, L2 512 KiB, L3 32 x 512 KiB for the package, taken as 4 MiB a core.
    [InlineData(0x20080140, 0x02006140, 0x00806140, 32L * 1024, 512L * 1024, 4L * 1024 * 1024)]
    // A 2 MiB L3 (4 units) stays whole; an L1D field with its top bit set is 128 KiB, not negative.
    [InlineData(unchecked((int)0x80080140), 0x04006140, 0x00100000, 128L * 1024, 1024L * 1024, 2L * 1024 * 1024)]
    public void Amd_legacy_cache_leaves_decode(int l1Info, int l2Info, int l3Info, long l1, long l2, long l3) =>
        Assert.Equal((l1, l2, l3), CacheSizes.DecodeAmdLegacyLeaves(l1Info, l2Info, l3Info));

    [Fact]
    public void Cpuid_caches_follow_the_vendor_the_leaf_and_the_sharing()
    {
        const int Kib = 1024, Mib = 1024 * 1024;
        (int Level, int Type, int Sharing, int Ways, int Sets)[] zen3 =
        [
            (1, 1, 2, 8, 64), (1, 2, 2, 8, 64), (2, 3, 2, 8, 1024), (3, 3, 16, 16, 32768),
        ];

        // Zen 3 with TOPOEXT (leaf 0x8000001D, here at the first extended level that has it): the L1D and
        // L2 of one core, shared only by its two SMT threads, are taken whole; the CCX's 32 MiB L3 shared
        // by 16 threads is divided by them.
        Assert.Equal(new CacheSizes(32 * Kib, 512 * Kib, 2 * Mib, "cpuid"), CacheSizes.FromCpuid(Cpu(Amd, 0x8000001D, 0x8000001D, zen3), 16));

        // A VM with two vCPUs: the L3 is divided by at most twice the CPUs the process may use.
        Assert.Equal(new CacheSizes(32 * Kib, 512 * Kib, 8 * Mib, "cpuid"), CacheSizes.FromCpuid(Cpu(Amd, 0x80000021, 0x8000001D, zen3), 2));

        // The same descriptors on a CPU that is not AMD's are read through leaf 4.
        Assert.Equal(new CacheSizes(32 * Kib, 512 * Kib, 2 * Mib, "cpuid"), CacheSizes.FromCpuid(Cpu(Intel, 0x80000008, 4, zen3), 16));

        // Intel's hybrid parts: an E-core cluster's 2 MiB L2 shared by four cores is divided among them;
        // a P-core's L2, shared by its two threads only, is not.
        (int, int, int, int, int)[] eCore = [(1, 1, 1, 8, 64), (2, 3, 4, 16, 2048), (3, 3, 32, 12, 40960)];
        Assert.Equal(512 * Kib, CacheSizes.FromCpuid(Cpu(Intel, 0x80000008, 4, eCore), 24)!.Value.L2);
        (int, int, int, int, int)[] pCore = [(1, 1, 2, 12, 64), (2, 3, 2, 10, 2048), (3, 3, 32, 12, 40960)];
        Assert.Equal(1280 * Kib, CacheSizes.FromCpuid(Cpu(Intel, 0x80000008, 4, pCore), 24)!.Value.L2);

        // An AMD CPU whose extended leaves end at 0x80000006, the last legacy one, is not asked for
        // 0x8000001D, and leaf 4 says nothing on AMD: the legacy leaves give Zen 3's sizes, with 4 MiB
        // of L3 a core. A hypervisor that hides TOPOEXT (the leaf answers zeros) leads there too.
        Assert.Equal(new CacheSizes(32 * Kib, 512 * Kib, 4 * Mib, "cpuid"), CacheSizes.FromCpuid(Cpu(Amd, 0x80000006, 0x8000001D, zen3, legacy: true), 16));
        Assert.Equal(new CacheSizes(32 * Kib, 512 * Kib, 4 * Mib, "cpuid"), CacheSizes.FromCpuid(Cpu(Amd, 0x80000021, 0x8000001D, [], legacy: true), 16));

        // Only AMD's legacy leaves are read, and only where the CPU has them; without an L1D or an L2
        // CPUID says nothing and the next source is asked.
        Assert.Null(CacheSizes.FromCpuid(Cpu(Intel, 0x80000008, 4, [], legacy: true), 16));
        Assert.Null(CacheSizes.FromCpuid(Cpu(Amd, 0x80000005, 0x8000001D, [], legacy: true), 16));
        Assert.Null(CacheSizes.FromCpuid(Cpu(Intel, 0x80000008, 4, [(2, 3, 2, 8, 1024)]), 16));
        Assert.Null(CacheSizes.FromCpuid(Cpu(Amd, 0x8000001D, 0x8000001D, [(1, 1, 2, 8, 64)]), 16));
    }

    private const int Amd = 0, Intel = 1;

    /// <summary>
    /// A CPU that answers CPUID from a table: the vendor string (leaf 0), the highest extended leaf,
    /// the descriptors under <paramref name="descriptorLeaf"/> (64-byte lines, one partition each), and
    /// optionally Zen 3's legacy leaves 0x80000005/6; every other query answers zeros. Leaves above the
    /// highest one are answered from the table all the same, so that reading one shows in the result.
    /// </summary>
    private static Func<int, int, (int, int, int, int)> Cpu(int vendor, uint maxExtended, uint descriptorLeaf, (int Level, int Type, int Sharing, int Ways, int Sets)[] caches, bool legacy = false)
    {
        var table = new Dictionary<(int, int), (int, int, int, int)>
        {
            // "AuthenticAMD" and "GenuineIntel", four letters each in EBX, EDX and ECX.
            [(0, 0)] = vendor == Amd ? (0x10, 0x68747541, 0x444d4163, 0x69746e65) : (0x20, 0x756e6547, 0x6c65746e, 0x49656e69),
            [(unchecked((int)0x80000000), 0)] = (unchecked((int)maxExtended), 0, 0, 0),
        };
        for (int i = 0; i < caches.Length; i++)
        {
            (int level, int type, int sharing, int ways, int sets) = caches[i];
            table[(unchecked((int)descriptorLeaf), i)] = (type | (level << 5) | ((sharing - 1) << 14), ((ways - 1) << 22) | 63, sets - 1, 0);
        }

        if (legacy)
        {
            table[(unchecked((int)0x80000005), 0)] = (0, 0, 0x20080140, 0);
            table[(unchecked((int)0x80000006), 0)] = (0, 0, 0x02006140, 0x00806140);
        }

        return (leaf, subleaf) => table.GetValueOrDefault((leaf, subleaf));
    }

    [Fact]
    public void Sysfs_caches_are_read_per_cpu_from_their_folders()
    {
        // A Zen 3 core as Linux describes it: L1D and L1I of 32K, an L2 of 512K of its own, an L3
        // of 32M shared by 8 CPUs (4M each); the instruction cache and a level-4 entry are not used.
        string root = Directory.CreateTempSubdirectory("er-sysfs-").FullName;
        try
        {
            WriteSysfsCache(root, 0, "1", "Data", "32K", "0");
            WriteSysfsCache(root, 1, "1", "Instruction", "64K", "0");
            WriteSysfsCache(root, 2, "2", "Unified", "512K", "0");
            WriteSysfsCache(root, 3, "3", "Unified", "32M", "0-7");
            WriteSysfsCache(root, 4, "4", "Unified", "128M", "0-15");
            Assert.Equal(new CacheSizes(32 * 1024, 512 * 1024, 4 * 1024 * 1024, "sysfs"), CacheSizes.FromSysfs(root));

            // An L2 shared by four CPUs, listed as two ranges, is divided among them.
            WriteSysfsCache(root, 2, "2", "Unified", "2M", "0-1,16-17");
            Assert.Equal(512 * 1024, CacheSizes.FromSysfs(root)!.Value.L2);

            // Without an L1D, an L2 or the folder, sysfs says nothing and the next source is asked.
            Directory.Delete(Path.Combine(root, "index0"), recursive: true);
            Assert.Null(CacheSizes.FromSysfs(root));
            WriteSysfsCache(root, 0, "1", "Data", "32K", "0");
            Directory.Delete(Path.Combine(root, "index2"), recursive: true);
            Assert.Null(CacheSizes.FromSysfs(root));
            Assert.Null(CacheSizes.FromSysfs(Path.Combine(root, "absent")));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static void WriteSysfsCache(string root, int index, string level, string type, string size, string sharedCpus)
    {
        string folder = Directory.CreateDirectory(Path.Combine(root, $"index{index}")).FullName;
        File.WriteAllText(Path.Combine(folder, "level"), level + "\n");
        File.WriteAllText(Path.Combine(folder, "type"), type + "\n");
        File.WriteAllText(Path.Combine(folder, "size"), size + "\n");
        File.WriteAllText(Path.Combine(folder, "shared_cpu_list"), sharedCpus + "\n");
    }

    [Theory]
    [InlineData("48K", 48 * 1024)]
    [InlineData("1024K", 1024 * 1024)]
    [InlineData("32M", 32 * 1024 * 1024)]
    [InlineData("65536", 65536)]
    [InlineData("2G", 2L * 1024 * 1024 * 1024)]
    [InlineData("48k", 48 * 1024)]
    [InlineData("32m", 32 * 1024 * 1024)]
    [InlineData("1g", 1024 * 1024 * 1024)]
    public void Sysfs_sizes_parse(string text, long bytes) => Assert.Equal(bytes, CacheSizes.ParseSize(text));

    // Detection catches FormatException and moves to the next source; any other exception would
    // escape from the type initializer that holds the blocking and leave the GEMM unusable.
    [Theory]
    [InlineData("")]
    [InlineData("K")]
    [InlineData("-48K")]
    [InlineData("48 K")]
    [InlineData("48KiB")]
    public void Malformed_sysfs_sizes_are_format_errors(string text) => Assert.Throws<FormatException>(() => CacheSizes.ParseSize(text));

    [Theory]
    [InlineData("0", 1)]
    [InlineData("0-3", 4)]
    [InlineData("0-3,8-11", 8)]
    [InlineData("0,2,4", 3)]
    public void Cpu_lists_count(string list, int count) => Assert.Equal(count, CacheSizes.CountCpus(list));

    [Theory]
    [InlineData("32768,524288,4194304", true)]
    [InlineData("32768,524288,0", true)]
    [InlineData("1024,524288,0", false)]
    [InlineData("65536,32768,0", false)]
    [InlineData("x,y,z", false)]
    // Each bound is inclusive: L1D from 8 KiB to 1 MiB, an L2 no smaller than it and at most 256 MiB,
    // an L3 of at most 4 GiB; one byte past any of them is refused.
    [InlineData("8192,8192,0", true)]
    [InlineData("1048576,268435456,4294967296", true)]
    [InlineData("8191,8192,0", false)]
    [InlineData("1048577,268435456,0", false)]
    [InlineData("32768,268435457,0", false)]
    [InlineData("32768,524288,4294967297", false)]
    public void Cache_override_accepts_only_plausible_sizes(string text, bool accepted) =>
        Assert.Equal(accepted, CacheSizes.Parse(text) is not null);

    [Theory]
    [InlineData(48 * 1024, 16, 128, true)] // AVX2 panel at d = 128 on Zen 5: 8 KiB
    [InlineData(32 * 1024, 16, 256, true)] // AVX2 panel at d = 256 on a 32 KiB L1D: 16 KiB, two fill it
    [InlineData(32 * 1024, 16, 336, false)] // the AVX2 Gram's KC on Zen 3
    [InlineData(48 * 1024, 64, 128, false)] // AVX-512 panel at d = 128: 32 KiB
    [InlineData(48 * 1024, 64, 512, false)] // AVX-512 Gram 1024 x 512: 128 KiB
    public void The_next_B_panel_is_prefetched_only_when_two_panels_fit_in_L1D(int l1, int nr, int kc, bool prefetched) =>
        Assert.Equal(prefetched, GemmKernel.PrefetchesPanel(nr * kc, new CacheSizes(l1, 1024 * 1024, 0, "test")));

    [Fact]
    public void The_fallback_is_a_plausible_hierarchy()
    {
        // Used where nothing can be read, so it must pass the checks a detected size must pass, and
        // each level must hold the one below it (it describes a core with an L3).
        CacheSizes fallback = CacheSizes.Fallback;
        Assert.True(CacheSizes.IsPlausible(fallback), fallback.ToString());
        Assert.True(fallback.L1Data < fallback.L2 && fallback.L2 < fallback.L3, fallback.ToString());
    }

    [Fact]
    public void This_machine_has_plausible_caches_and_blocking()
    {
        CacheSizes current = CacheSizes.Current;
        Assert.True(CacheSizes.IsPlausible(current), current.ToString());
        foreach (MicroKernelId id in MicroKernels.All.ToArray())
        {
            MicroKernelInfo info = MicroKernels.Describe(id);
            Assert.Equal(BlockingFor(id, current), info.Blocking);
        }
    }

    private static GemmBlocking BlockingFor(MicroKernelId id, CacheSizes caches) => id switch
    {
        MicroKernelId.Avx512 => MicroKernel512.Blocking(caches),
        MicroKernelId.Avx2 => MicroKernel256.Blocking(caches),
        MicroKernelId.Vector128 => MicroKernel128.Blocking(caches),
        _ => MicroKernelAdvSimd.Blocking(caches),
    };
}
