using System.Buffers;

namespace ER.Managed.Terms;

/// <summary>
/// What the sphere entropy's forward leaves for the reduction and the backward: each row's
/// <c>LSE_i</c> and <c>sum_j P_ij s_ij</c>, the shift, the exact diagonal, the rows that took their
/// own shift (<see cref="OwnShiftRows"/>) and, when kept, the tiles of E. Its arrays come from the
/// shared pool and go back on <see cref="Dispose"/>.
/// </summary>
internal sealed class SphereForwardState : IDisposable
{
    private readonly double[] _lse;
    private readonly double[] _expected;
    private readonly double[] _norms;
    private int[]? _ownShiftRows;

    internal SphereForwardState(int k, bool leaveOneOut, int cacheLength)
    {
        Rows = k;
        LeaveOneOut = leaveOneOut;
        _lse = ArrayPool<double>.Shared.Rent(k);
        _expected = ArrayPool<double>.Shared.Rent(k);
        _norms = ArrayPool<double>.Shared.Rent(k);
        Cache = cacheLength > 0 ? ArrayPool<float>.Shared.Rent(cacheLength) : null;
    }

    internal int Rows { get; }

    /// <summary>Whether the self-pairs are left out (Joe's leave-one-out estimator); the other estimators add them in double.</summary>
    internal bool LeaveOneOut { get; }

    /// <summary>LSE_i = log sum_j exp(kappa z_i.z_j) (j != i when leaving one out).</summary>
    internal Span<double> Lse => _lse.AsSpan(0, Rows);

    internal double[] LseArray => _lse;

    /// <summary>sum_j P_ij z_i.z_j.</summary>
    internal Span<double> ExpectedSimilarity => _expected.AsSpan(0, Rows);

    internal double[] ExpectedArray => _expected;

    /// <summary>||z_i||^2 in double: the self-pairs' similarities (see <see cref="SelfTerms"/>).</summary>
    internal Span<double> Norms => _norms.AsSpan(0, Rows);

    internal double[] NormArray => _norms;

    /// <summary>M, the shift of every exponential but those of the rows with their own.</summary>
    internal float Shift { get; set; }

    /// <summary>The tiles of E on and above the diagonal, each in its own slot (see <see cref="FusedSphereEntropy.Slot"/>), when kept for the backward; else null.</summary>
    internal float[]? Cache { get; }

    /// <summary>How many rows took their own shift.</summary>
    internal int OwnShiftCount { get; private set; }

    /// <summary>Those rows, ascending (<see cref="OwnShiftCount"/> entries used).</summary>
    internal int[] OwnShiftRowArray => _ownShiftRows ?? [];

    internal void AddOwnShiftRow(int i)
    {
        _ownShiftRows ??= ArrayPool<int>.Shared.Rent(Rows);
        _ownShiftRows[OwnShiftCount++] = i;
    }

    public void Dispose()
    {
        ArrayPool<double>.Shared.Return(_lse);
        ArrayPool<double>.Shared.Return(_expected);
        ArrayPool<double>.Shared.Return(_norms);
        PooledArrays.ReturnIfRented(Cache);
        PooledArrays.ReturnIfRented(_ownShiftRows);
    }
}
