using System.Globalization;

namespace ER.Managed.Kernels.Gemm;

/// <summary>
/// Blocking sizes of the packed GEMM (BLIS/Goto scheme) for one micro-kernel on one machine.
/// </summary>
/// <remarks>
/// <para>
/// Loop nest (<see cref="GemmKernel"/>): for each NC-wide column block of C, for each KC-deep slice
/// of the inner dimension, pack B's KC x NC block into NR-wide micro-panels; for each MC-tall row
/// block, pack A's MC x KC block into MR-tall micro-panels; then for each B micro-panel and each A
/// micro-panel the micro-kernel updates an MR x NR tile of C. So one B micro-panel (KC x NR) is
/// reused across all MC / MR A micro-panels, the A block (MC x KC) across all NC / NR B
/// micro-panels, and the B block (KC x NC) across all row blocks.
/// </para>
/// <para>
/// Each kernel derives its blocking from the cache sizes with a rule written beside it (the BLIS
/// analytical model, Low et al. 2016, adjusted where measurement disagreed): the B micro-panel in
/// part of L1D or L2, the A block in half of L2 (all of it for the AVX2 kernel, whose measured KC
/// would otherwise cut a 256-row tile in two blocks; for a kernel whose B micro-panel already fills
/// L2's share, as the AVX-512 kernel's does, half of this core's L3 share), the B block in this
/// core's share of L3. KC is a multiple of 8, MC of MR, NC of NR; the helpers below apply the
/// rounding and the clamps. <c>ER_GEMM_BLOCKING=kc,mc,nc</c> overrides every kernel's blocking for experiments
/// (rounded the same way).
/// </para>
/// </remarks>
/// <param name="KC">Depth of a packed slice.</param>
/// <param name="MC">Rows of A packed at a time (a multiple of MR).</param>
/// <param name="NC">Columns of B packed at a time (a multiple of NR).</param>
internal readonly record struct GemmBlocking(int KC, int MC, int NC)
{
    private const int MinKC = 64, MaxKC = 4096, MaxMC = 1024, MaxNC = 8192;

    /// <summary>
    /// The BLIS rule with the B micro-panel in a fraction of <paramref name="bPanelCache"/> bytes:
    /// <c>KC = (bPanelCache / bPanelShare) / (4 NR)</c>; the A block in a fraction (half unless the
    /// kernel says otherwise) of <paramref name="aBlockCache"/> bytes (L2 unless the kernel says
    /// otherwise): <c>MC = (aBlockCache / aBlockShare) / (4 KC)</c>; the B block in this core's L3 share:
    /// <c>NC = L3 / (4 KC)</c>, at least 4 NR (a CPU without L3 counts 4 L2 instead). A block of
    /// columns costs one more packing of A, so NC errs on the large side: half the share measured
    /// 20% slower in the entropy backward (d = 1000, Zen 5), where A is a 256 x 256 tile.
    /// </summary>
    internal static GemmBlocking FromRule(CacheSizes caches, int mr, int nr, long bPanelCache, int bPanelShare, long aBlockCache = 0, int aBlockShare = 2)
    {
        if (Override(Environment.GetEnvironmentVariable("ER_GEMM_BLOCKING"), mr, nr) is GemmBlocking fromEnvironment)
        {
            return fromEnvironment;
        }

        long kc = bPanelCache / bPanelShare / (4L * nr);
        long mc = (aBlockCache > 0 ? aBlockCache : caches.L2) / aBlockShare / (4L * Math.Clamp(kc, MinKC, MaxKC));
        long l3 = caches.L3 > 0 ? caches.L3 : caches.L2 * 4;
        long nc = l3 / (4L * Math.Clamp(kc, MinKC, MaxKC));
        return Round(kc, mc, nc, mr, nr);
    }

    /// <summary>Parses <c>kc,mc,nc</c> and rounds it as the rules do; null when absent or malformed.</summary>
    internal static GemmBlocking? Override(string? text, int mr, int nr)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        string[] parts = text.Split(',');
        return parts.Length == 3
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int kc)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int mc)
            && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out int nc)
            ? Round(kc, mc, nc, mr, nr)
            : null;
    }

    /// <summary>KC to a multiple of 8 in [64, 4096]; MC to a multiple of MR in [MR, 1024]; NC to a multiple of NR in [4 NR, 8192].</summary>
    internal static GemmBlocking Round(long kc, long mc, long nc, int mr, int nr)
    {
        int k = (int)(Math.Clamp(kc, MinKC, MaxKC) / 8 * 8);
        int m = (int)Math.Max(mr, Math.Min(mc, MaxMC) / mr * mr);
        int n = (int)Math.Max(4 * nr, Math.Min(nc, MaxNC) / nr * nr);
        return new GemmBlocking(k, m, n);
    }
}
