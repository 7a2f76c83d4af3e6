using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using X86 = System.Runtime.Intrinsics.X86;

namespace ER.Managed.Kernels.Gemm;

/// <summary>
/// The data cache sizes one core sees, in bytes, read once at run time: the GEMM's blocking is
/// derived from them (<see cref="GemmBlocking"/>), because our users' CPUs differ (Zen 5 has 48 KiB
/// L1D and 1 MiB L2 a core, Zen 3 32 KiB and 512 KiB, Apple M-series 128 KiB and a shared 4-16 MiB L2).
/// </summary>
/// <param name="L1Data">Level-1 data cache of one core.</param>
/// <param name="L2">Level-2 cache, divided by the cores that share it.</param>
/// <param name="L3">Level-3 cache divided by the cores that share it (0 where there is none).</param>
/// <param name="Source">Where the numbers came from: "cpuid", "sysfs", "sysctl", "fallback" or "environment".</param>
internal readonly record struct CacheSizes(long L1Data, long L2, long L3, string Source)
{
    /// <summary>
    /// Used where nothing can be read: the smallest caches of the x86 and ARM64 cores we target
    /// (32 KiB L1D, 512 KiB L2, 2 MiB of L3 a core), so blocking errs on the small side.
    /// </summary>
    internal static readonly CacheSizes Fallback = new(32 * 1024, 512 * 1024, 2 * 1024 * 1024, "fallback");

    /// <summary>This machine's caches, detected once (see <see cref="Detect"/>).</summary>
    internal static CacheSizes Current { get; } = Detect();

    /// <summary>
    /// Reads the caches: <c>ER_CACHE_SIZES=l1d,l2,l3</c> (bytes) overrides for experiments; then CPUID
    /// on x86 (leaf 0x8000001D on AMD, 4 elsewhere, with the number of threads sharing each level),
    /// Linux sysfs (<c>/sys/devices/system/cpu/cpu0/cache</c>), macOS <c>sysctl</c>; else <see cref="Fallback"/>.
    /// Implausible values (L1D outside 8 KiB-1 MiB, L2 below L1D) are ignored.
    /// </summary>
    internal static CacheSizes Detect()
    {
        if (Parse(Environment.GetEnvironmentVariable("ER_CACHE_SIZES")) is CacheSizes fromEnvironment)
        {
            return fromEnvironment;
        }

        foreach (Func<CacheSizes?> reader in new Func<CacheSizes?>[] { FromCpuid, FromSysfs, FromSysctl })
        {
            try
            {
                if (reader() is CacheSizes found && IsPlausible(found))
                {
                    return found;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or OverflowException or DllNotFoundException or EntryPointNotFoundException)
            {
                // Not available here: try the next source.
            }
        }

        return Fallback;
    }

    /// <summary>"l1d,l2,l3" in bytes (l3 may be 0), or null.</summary>
    internal static CacheSizes? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        string[] parts = text.Split(',');
        if (parts.Length != 3
            || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out long l1)
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long l2)
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out long l3))
        {
            return null;
        }

        var sizes = new CacheSizes(l1, l2, l3, "environment");
        return IsPlausible(sizes) ? sizes : null;
    }

    internal static bool IsPlausible(CacheSizes c) =>
        c.L1Data is >= 8 * 1024 and <= 1024 * 1024 && c.L2 >= c.L1Data && c.L2 <= 256L * 1024 * 1024 && c.L3 is >= 0 and <= 4L * 1024 * 1024 * 1024;

    private static CacheSizes? FromCpuid() =>
        X86.X86Base.IsSupported ? FromCpuid(X86.X86Base.CpuId, Environment.ProcessorCount) : null;

    /// <summary>
    /// The caches as CPUID describes them, with <paramref name="cpuid"/> answering (leaf, subleaf)
    /// queries as the instruction does (this machine's in <see cref="Detect"/>, recorded registers in
    /// the tests) and <paramref name="processorCount"/> the logical CPUs this process may use.
    /// </summary>
    internal static CacheSizes? FromCpuid(Func<int, int, (int Eax, int Ebx, int Ecx, int Edx)> cpuid, int processorCount)
    {
        (int _, int ebx, int ecx, int edx) = cpuid(0, 0);
        bool amd = ebx == 0x68747541 && edx == 0x69746e65 && ecx == 0x444d4163; // "AuthenticAMD"
        (int maxExtended, _, _, _) = cpuid(unchecked((int)0x80000000), 0);
        int leaf = amd && (uint)maxExtended >= 0x8000001D ? unchecked((int)0x8000001D) : 4;
        long l1 = 0, l2 = 0, l3 = 0;
        for (int index = 0; index < 16; index++)
        {
            (int eax, int b, int c, _) = cpuid(leaf, index);
            (int level, int type, int sharing, long size) = DecodeCacheLeaf(eax, b, c);
            if (type == 0)
            {
                break;
            }

            // Threads sharing the cache, turned into cores: two threads a core where SMT is on is
            // not knowable here, so the per-thread share is used (the smaller, safe side).
            long share = size / Math.Max(1, Math.Min(sharing, processorCount * 2));
            switch (level, type)
            {
                case (1, 1): l1 = size; break;
                case (2, 3): l2 = sharing > 2 ? share : size; break;
                case (3, 3): l3 = share; break;
            }
        }

        if (l1 == 0 && amd && (uint)maxExtended >= 0x80000006)
        {
            // Hypervisors often hide leaf 0x8000001D (no TOPOEXT); AMD's legacy leaves still give the
            // sizes: 0x80000005 ECX[31:24] L1D in KiB, 0x80000006 ECX[31:16] L2 in KiB, EDX[31:18]
            // L3 in 512 KiB units, but for the whole package, with no sharing count. Zen 2-5 give each
            // core 4 MiB of its CCX's L3 (16-32 MiB for 4-8 cores), so that is the share assumed.
            (_, _, int l1Info, _) = cpuid(unchecked((int)0x80000005), 0);
            (_, _, int l2Info, int l3Info) = cpuid(unchecked((int)0x80000006), 0);
            (l1, l2, l3) = DecodeAmdLegacyLeaves(l1Info, l2Info, l3Info);
        }

        return l1 > 0 && l2 > 0 ? new CacheSizes(l1, l2, l3, "cpuid") : null;
    }

    /// <summary>
    /// One deterministic-cache-parameters descriptor (leaf 4, or AMD's 0x8000001D): EAX[4:0] the type
    /// (0 none, 1 data, 2 instruction, 3 unified), EAX[7:5] the level, EAX[25:14] + 1 the threads
    /// sharing it; size = ways x partitions x line x sets from EBX[31:22], EBX[21:12], EBX[11:0] and
    /// ECX, each stored minus one.
    /// </summary>
    internal static (int Level, int Type, int Sharing, long Size) DecodeCacheLeaf(int eax, int ebx, int ecx)
    {
        long ways = ((ebx >> 22) & 0x3FF) + 1, partitions = ((ebx >> 12) & 0x3FF) + 1, line = (ebx & 0xFFF) + 1, sets = (long)(uint)ecx + 1;
        return ((eax >> 5) & 0x7, eax & 0x1F, ((eax >> 14) & 0xFFF) + 1, ways * partitions * line * sets);
    }

    /// <summary>
    /// AMD's legacy leaves: 0x80000005 ECX[31:24] the L1D in KiB, 0x80000006 ECX[31:16] the L2 in
    /// KiB and EDX[31:18] the package's L3 in 512 KiB units, taken as at most 4 MiB a core.
    /// </summary>
    internal static (long L1Data, long L2, long L3) DecodeAmdLegacyLeaves(int l1Info, int l2Info, int l3Info) =>
        ((long)((uint)l1Info >> 24) * 1024,
         (long)((uint)l2Info >> 16) * 1024,
         Math.Min((long)((uint)l3Info >> 18) * 512 * 1024, 4L * 1024 * 1024));

    private static CacheSizes? FromSysfs() => OperatingSystem.IsLinux() ? FromSysfs("/sys/devices/system/cpu/cpu0/cache") : null;

    /// <summary>
    /// Linux's description of CPU 0's caches under <paramref name="root"/> (folders <c>index*</c> with
    /// <c>level</c>, <c>type</c>, <c>size</c> and <c>shared_cpu_list</c>): the L1D, and the L2 and L3
    /// divided among the CPUs that share them; null without the folder or without an L1D and an L2.
    /// </summary>
    internal static CacheSizes? FromSysfs(string root)
    {
        if (!Directory.Exists(root))
        {
            return null;
        }

        long l1 = 0, l2 = 0, l3 = 0;
        foreach (string index in Directory.GetDirectories(root, "index*"))
        {
            string level = File.ReadAllText(Path.Combine(index, "level")).Trim();
            string type = File.ReadAllText(Path.Combine(index, "type")).Trim();
            long size = ParseSize(File.ReadAllText(Path.Combine(index, "size")).Trim());
            int sharing = CountCpus(File.ReadAllText(Path.Combine(index, "shared_cpu_list")).Trim());
            switch (level, type)
            {
                case ("1", "Data"): l1 = size; break;
                case ("2", "Unified"): l2 = size / Math.Max(1, sharing); break;
                case ("3", "Unified"): l3 = size / Math.Max(1, sharing); break;
            }
        }

        return l1 > 0 && l2 > 0 ? new CacheSizes(l1, l2, l3, "sysfs") : null;
    }

    /// <summary>"48K", "1024K", "32M", "1G" or plain bytes; a <see cref="FormatException"/> for anything else, an empty file included.</summary>
    internal static long ParseSize(string text)
    {
        if (text.Length == 0)
        {
            // An empty size file would otherwise fail as an index out of range, which Detect does not expect.
            throw new FormatException("A cache size file is empty.");
        }

        long multiplier = text[^1] switch { 'K' or 'k' => 1024, 'M' or 'm' => 1024 * 1024, 'G' or 'g' => 1024L * 1024 * 1024, _ => 1 };
        string digits = multiplier == 1 ? text : text[..^1];
        return long.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture) * multiplier;
    }

    /// <summary>The number of CPUs in a list such as "0-3,8-11" or "0,2".</summary>
    internal static int CountCpus(string list)
    {
        int count = 0;
        foreach (string part in list.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] range = part.Split('-');
            count += range.Length == 2
                ? int.Parse(range[1], NumberStyles.None, CultureInfo.InvariantCulture) - int.Parse(range[0], NumberStyles.None, CultureInfo.InvariantCulture) + 1
                : 1;
        }

        return count;
    }

    private static CacheSizes? FromSysctl()
    {
        if (!OperatingSystem.IsMacOS())
        {
            return null;
        }

        long l1 = Sysctl("hw.perflevel0.l1dcachesize") is long p1 and > 0 ? p1 : Sysctl("hw.l1dcachesize") ?? 0;
        long l2 = Sysctl("hw.perflevel0.l2cachesize") is long p2 and > 0 ? p2 : Sysctl("hw.l2cachesize") ?? 0;
        long cpusPerL2 = Sysctl("hw.perflevel0.cpusperl2") is long s and > 0 ? s : 1;
        return l1 > 0 && l2 > 0 ? new CacheSizes(l1, l2 / cpusPerL2, 0, "sysctl") : null;
    }

    private static unsafe long? Sysctl(string name)
    {
        long value = 0;
        nuint length = sizeof(long);
        return MacSysctl.SysctlByName(name, &value, &length, null, 0) == 0 ? value : null;
    }
}

/// <summary>macOS <c>sysctlbyname</c>, the one OS call the cache detection makes there (libc, no native code of ours).</summary>
internal static partial class MacSysctl
{
    [LibraryImport("libc", EntryPoint = "sysctlbyname", StringMarshalling = StringMarshalling.Utf8)]
    internal static unsafe partial int SysctlByName(string name, void* value, nuint* length, void* newValue, nuint newLength);
}
