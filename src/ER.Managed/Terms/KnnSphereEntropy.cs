using System;
using System.Collections.Generic;
using ER.Managed.Kernels;
using ER.Managed.Kernels.Drivers;
using ER.Managed.Numerics;

namespace ER.Managed.Terms;

/// <summary>
/// The Kozachenko-Leonenko k-nearest-neighbour entropy estimator on the sphere S^(d-1)
/// (cf. Li, Mnatsakanov and Andrew 2011): <c>H = psi(n) - psi(m) + (1/n) sum_i log Cap_d(theta_i)</c>,
/// theta_i the angle from row i to its m-th nearest other row and Cap_d the area of the cap of that
/// angular radius (<see cref="SphereCap"/>).
/// </summary>
/// <remarks>
/// Neighbours are searched on the packed GEMM's similarity strips (<see cref="SimilarityStrips"/>:
/// O(n d) memory beside a strip of 64 rows per thread). The float32 similarities only nominate
/// candidates: every row within float rounding of the (m + 8)-th largest similarity is kept, and
/// their chords <c>||z_i/|z_i| - z_j/|z_j|||</c> are computed in double, so a near-duplicate's tiny
/// angle keeps its digits (acos of a float32 dot product near 1 would not) and the m-th neighbour is
/// the true one whatever the rounding of the similarities. Ties are broken by row index, and each
/// row's result depends on its strip alone: the value does not depend on the thread count.
/// </remarks>
internal static class KnnSphereEntropy
{
    /// <summary>Candidates beyond m kept from the float32 similarities, before the rounding margin.</summary>
    private const int ExtraCandidates = 8;

    /// <summary>The estimate for unit rows z (n x d, d &gt;= 2, n &gt; m).</summary>
    /// <exception cref="ArgumentException">A row has m or more rows identical to it (its m-th neighbour at distance 0: the estimator diverges).</exception>
    internal static unsafe double Value(ReadOnlySpan<float> z, int n, int d, int m, int degree)
    {
        // The rows are accepted with |norm^2 - 1| up to 1e-3, which moves a raw dot product by about
        // 5e-4, far more than the rounding margin below: the candidates are nominated from the rows
        // normalized in float32 (norm within a few ulps of 1), and the chords use the double norms.
        var inverseNorms = new double[n];
        var unit = new float[z.Length];
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<float> row = z.Slice(i * d, d);
            double sum = 0.0;
            foreach (float v in row)
            {
                sum += (double)v * v;
            }

            inverseNorms[i] = 1.0 / Math.Sqrt(sum);
            Span<float> target = unit.AsSpan(i * d, d);
            for (int t = 0; t < d; t++)
            {
                target[t] = (float)(row[t] * inverseNorms[i]);
            }
        }

        var logCaps = new double[n];
        var duplicateRows = new int[n];
        int keep = Math.Min(n - 1, m + ExtraCandidates);

        // A similarity of unit vectors summed in float32 over d terms is off by at most about
        // sqrt(d) 2^-24 in practice (d 2^-24 in the worst case); rows within this margin of the
        // (m + 8)-th are all candidates.
        float margin = (float)Math.Max(1e-6, 16.0 * Math.Sqrt(d) * Math.Pow(2, -24));
        var missing = new int[n];
        fixed (float* zp = z)
        {
            var rows = new PinnedFloats(zp, z.Length);
            SimilarityStrips.ForEach(unit, n, d, degree, KernelIsa.Best, (r0, count, strip) =>
            {
                var top = new float[keep];
                var candidates = new List<(double ChordSquared, int Index)>();
                for (int r = 0; r < count; r++)
                {
                    int i = r0 + r;
                    ReadOnlySpan<float> similarities = strip.AsSpan(r * n, n);
                    float threshold = KthLargestExcluding(similarities, i, top) - margin;
                    candidates.Clear();
                    // Nearly every similarity is below the threshold: the scan passes over them a register at a time.
                    for (int j = ScanDriver.NextAbove(similarities, 0, threshold, orEqual: true, KernelIsa.Best); j < n; j = ScanDriver.NextAbove(similarities, j + 1, threshold, orEqual: true, KernelIsa.Best))
                    {
                        if (j != i)
                        {
                            candidates.Add((ChordSquared(rows.Span, d, i, j, inverseNorms), j));
                        }
                    }

                    if (candidates.Count < m)
                    {
                        // Only a NaN similarity compares false with every threshold (reachable with validation off).
                        missing[i] = 1;
                        continue;
                    }

                    candidates.Sort();
                    double chordSquared = Math.Min(4.0, candidates[m - 1].ChordSquared);
                    if (chordSquared == 0.0)
                    {
                        duplicateRows[i] = 1;
                        continue;
                    }

                    logCaps[i] = SphereCap.LogArea(d, chordSquared);
                }
            });
        }

        int nonFinite = Array.IndexOf(missing, 1);
        if (nonFinite >= 0)
        {
            throw new ArgumentException(
                $"Row {nonFinite}'s similarities are not finite (a NaN or infinite entry in z, or a zero row): the kNN estimator needs finite nonzero rows.",
                nameof(z));
        }

        int duplicate = Array.IndexOf(duplicateRows, 1);
        if (duplicate >= 0)
        {
            throw new ArgumentException(
                $"Row {duplicate} has {m} or more rows identical to it: its {m}-th nearest neighbour is at distance 0 and the kNN estimate diverges to -infinity. Remove duplicate rows or ask for more neighbours.",
                nameof(z));
        }

        double total = 0.0;
        foreach (double logCap in logCaps)
        {
            total += logCap;
        }

        return SpecialFunctions.Digamma(n) - SpecialFunctions.Digamma(m) + (total / n);
    }

    /// <summary>The <c>top.Length</c>-th largest of <paramref name="values"/> leaving out index <paramref name="self"/>.</summary>
    private static float KthLargestExcluding(ReadOnlySpan<float> values, int self, float[] top)
    {
        // top holds the largest seen so far, descending. Once it is full, insertion is rare and the
        // scan passes over whole registers with no lane above its smallest entry (the scalar scan of
        // every similarity was 4x the cost of computing them).
        int filled = 0, j = 0;
        for (; j < values.Length && filled < top.Length; j++)
        {
            if (j != self)
            {
                Insert(top, filled++, values[j]);
            }
        }

        int last = top.Length - 1;
        for (j = ScanDriver.NextAbove(values, j, top[last], orEqual: false, KernelIsa.Best); j < values.Length; j = ScanDriver.NextAbove(values, j + 1, top[last], orEqual: false, KernelIsa.Best))
        {
            if (j != self)
            {
                Insert(top, last, values[j]);
            }
        }

        return top[filled - 1];
    }

    /// <summary>Puts <paramref name="value"/> into the descending <paramref name="top"/> at or before slot <paramref name="at"/> (whose old value it replaces).</summary>
    private static void Insert(float[] top, int at, float value)
    {
        while (at > 0 && top[at - 1] < value)
        {
            top[at] = top[at - 1];
            at--;
        }

        top[at] = value;
    }

    /// <summary>||z_i/|z_i| - z_j/|z_j|||^2 in double.</summary>
    private static double ChordSquared(ReadOnlySpan<float> z, int d, int i, int j, double[] inverseNorms)
    {
        ReadOnlySpan<float> a = z.Slice(i * d, d), b = z.Slice(j * d, d);
        double ia = inverseNorms[i], ib = inverseNorms[j];
        double sum = 0.0;
        for (int t = 0; t < d; t++)
        {
            double difference = (a[t] * ia) - (b[t] * ib);
            sum += difference * difference;
        }

        return sum;
    }
}
