using System.Runtime.InteropServices;

namespace ER.Managed.Mpi.Mpi;

/// <summary>
/// <c>MPI_COMM_WORLD</c> through the dozen MPI calls <c>er-mpi</c> needs: a thin binding over the C
/// API loaded at run time (<see cref="MpiLibrary"/>), not MPI.NET, whose NuGet package (1.4.0) binds
/// Windows' <c>msmpi.dll</c> and fails on Linux with <c>DllNotFoundException</c> under MPICH 4.0.2
/// (tried on Debian 12). Rows travel as an MPI datatype of one row (<c>MPI_Type_contiguous</c>), so
/// counts and displacements are in rows and stay far below 2^31 at any k this program can hold.
/// Every call's return code is checked (the default error handler aborts first anyway).
/// </summary>
internal sealed unsafe class MpiComm : ICommunicator, IDisposable
{
    // MPICH ABI constants (mpi.h of MPICH 4; the same values in Intel MPI and MVAPICH).
    private const int MpichCommWorld = 0x44000000;
    private const int MpichFloat = 0x4c00040a;
    private const int MpichDouble = 0x4c00080b;
    private const int MpichInt = 0x4c000405;

    private readonly MpiLibrary _library;
    private readonly nint _world;
    private readonly nint _float;
    private readonly nint _double;
    private readonly nint _int;
    private bool _finalized;

    private MpiComm(MpiLibrary library)
    {
        _library = library;
        if (library.IsOpenMpi)
        {
            _world = library.Export("ompi_mpi_comm_world");
            _float = library.Export("ompi_mpi_float");
            _double = library.Export("ompi_mpi_double");
            _int = library.Export("ompi_mpi_int");
        }
        else
        {
            (_world, _float, _double, _int) = (MpichCommWorld, MpichFloat, MpichDouble, MpichInt);
        }
    }

    /// <summary>This process's rank in MPI_COMM_WORLD.</summary>
    public int Rank { get; private set; }

    /// <summary>The number of ranks.</summary>
    public int Size { get; private set; }

    /// <summary>The library in use, for messages.</summary>
    internal string LibraryName => _library.Name + (_library.IsOpenMpi ? " (Open MPI ABI)" : " (MPICH ABI)");

    /// <summary>Loads MPI and calls MPI_Init.</summary>
    /// <exception cref="MpiException">No MPI library, or MPI_Init failed.</exception>
    internal static MpiComm Initialize()
    {
        var comm = new MpiComm(MpiLibrary.Load());
        var init = (delegate* unmanaged<int*, byte***, int>)comm._library.Export("MPI_Init");
        Check(init(null, null), "MPI_Init");
        int rank, size;
        if (comm._library.IsOpenMpi)
        {
            Check(((delegate* unmanaged<nint, int*, int>)comm._library.Export("MPI_Comm_rank"))(comm._world, &rank), "MPI_Comm_rank");
            Check(((delegate* unmanaged<nint, int*, int>)comm._library.Export("MPI_Comm_size"))(comm._world, &size), "MPI_Comm_size");
        }
        else
        {
            Check(((delegate* unmanaged<int, int*, int>)comm._library.Export("MPI_Comm_rank"))((int)comm._world, &rank), "MPI_Comm_rank");
            Check(((delegate* unmanaged<int, int*, int>)comm._library.Export("MPI_Comm_size"))((int)comm._world, &size), "MPI_Comm_size");
        }

        comm.Rank = rank;
        comm.Size = size;
        return comm;
    }

    /// <summary>MPI_Finalize (once).</summary>
    public void Dispose()
    {
        if (!_finalized)
        {
            _finalized = true;
            Check(((delegate* unmanaged<int>)_library.Export("MPI_Finalize"))(), "MPI_Finalize");
        }
    }

    /// <summary>MPI_Abort: ends every rank, for a failure on one rank that the others cannot learn of.</summary>
    public void Abort(int code)
    {
        nint abort = _library.Export("MPI_Abort");
        _ = _library.IsOpenMpi ? ((delegate* unmanaged<nint, int, int>)abort)(_world, code) : ((delegate* unmanaged<int, int, int>)abort)((int)_world, code);
    }

    /// <summary>Every rank's <paramref name="mine"/> (the same length on all), concatenated in rank order.</summary>
    public int[] AllGather(ReadOnlySpan<int> mine) => AllGather(mine, _int);

    /// <summary>Every rank's <paramref name="mine"/> (the same length on all), concatenated in rank order.</summary>
    public double[] AllGather(ReadOnlySpan<double> mine) => AllGather(mine, _double);

    private T[] AllGather<T>(ReadOnlySpan<T> mine, nint type)
        where T : unmanaged
    {
        var all = new T[mine.Length * Size];
        fixed (T* send = mine)
        fixed (T* receive = all)
        {
            nint call = _library.Export("MPI_Allgather");
            Check(
                _library.IsOpenMpi
                    ? ((delegate* unmanaged<void*, int, nint, void*, int, nint, nint, int>)call)(send, mine.Length, type, receive, mine.Length, type, _world)
                    : ((delegate* unmanaged<void*, int, int, void*, int, int, int, int>)call)(send, mine.Length, (int)type, receive, mine.Length, (int)type, (int)_world),
                "MPI_Allgather");
        }

        return all;
    }

    /// <summary>Rank <paramref name="root"/>'s floats to every rank, in pieces of at most 2^28 floats.</summary>
    public void Broadcast(Span<float> data, int root)
    {
        const int Piece = 1 << 28;
        nint call = _library.Export("MPI_Bcast");
        fixed (float* start = data)
        {
            for (long offset = 0; offset < data.Length; offset += Piece)
            {
                int count = (int)Math.Min(Piece, data.Length - offset);
                Check(
                    _library.IsOpenMpi
                        ? ((delegate* unmanaged<void*, int, nint, int, nint, int>)call)(start + offset, count, _float, root, _world)
                        : ((delegate* unmanaged<void*, int, int, int, int, int>)call)(start + offset, count, (int)_float, root, (int)_world),
                    "MPI_Bcast");
            }
        }
    }

    /// <summary>
    /// Every rank's rows (rows of <paramref name="width"/> elements; rank r sends <c>rowCounts[r]</c>)
    /// into <paramref name="all"/> on every rank (<paramref name="root"/> &lt; 0), or on rank
    /// <paramref name="root"/> only (MPI_Gatherv; <paramref name="all"/> is ignored elsewhere).
    /// </summary>
    public void GatherRows(ReadOnlySpan<float> mine, int width, ReadOnlySpan<int> rowCounts, Span<float> all, int root = -1) =>
        GatherRows<float>(mine, width, rowCounts, all, _float, root);

    /// <inheritdoc cref="GatherRows(ReadOnlySpan{float}, int, ReadOnlySpan{int}, Span{float}, int)"/>
    public void GatherRows(ReadOnlySpan<double> mine, int width, ReadOnlySpan<int> rowCounts, Span<double> all, int root = -1) =>
        GatherRows<double>(mine, width, rowCounts, all, _double, root);

    private void GatherRows<T>(ReadOnlySpan<T> mine, int width, ReadOnlySpan<int> rowCounts, Span<T> all, nint element, int root)
        where T : unmanaged
    {
        var displacements = new int[Size];
        for (int r = 1; r < Size; r++)
        {
            displacements[r] = displacements[r - 1] + rowCounts[r - 1];
        }

        nint row = RowType(width, element);
        try
        {
            // MPI reads no buffer at a zero count, but the pointers must still be valid: pin a dummy for empty spans.
            T dummy = default;
            fixed (T* sendPinned = mine)
            fixed (T* receivePinned = all)
            fixed (int* counts = rowCounts)
            fixed (int* displs = displacements)
            {
                T* send = mine.IsEmpty ? &dummy : sendPinned;
                T* receive = all.IsEmpty ? &dummy : receivePinned;
                int sendRows = mine.Length / width;
                if (root < 0)
                {
                    nint call = _library.Export("MPI_Allgatherv");
                    Check(
                        _library.IsOpenMpi
                            ? ((delegate* unmanaged<void*, int, nint, void*, int*, int*, nint, nint, int>)call)(send, sendRows, row, receive, counts, displs, row, _world)
                            : ((delegate* unmanaged<void*, int, int, void*, int*, int*, int, int, int>)call)(send, sendRows, (int)row, receive, counts, displs, (int)row, (int)_world),
                        "MPI_Allgatherv");
                }
                else
                {
                    nint call = _library.Export("MPI_Gatherv");
                    Check(
                        _library.IsOpenMpi
                            ? ((delegate* unmanaged<void*, int, nint, void*, int*, int*, nint, int, nint, int>)call)(send, sendRows, row, receive, counts, displs, row, root, _world)
                            : ((delegate* unmanaged<void*, int, int, void*, int*, int*, int, int, int, int>)call)(send, sendRows, (int)row, receive, counts, displs, (int)row, root, (int)_world),
                        "MPI_Gatherv");
                }
            }
        }
        finally
        {
            FreeType(row);
        }
    }

    /// <summary>A committed datatype of <paramref name="width"/> contiguous elements.</summary>
    private nint RowType(int width, nint element)
    {
        nint contiguous = _library.Export("MPI_Type_contiguous"), commit = _library.Export("MPI_Type_commit");
        if (_library.IsOpenMpi)
        {
            nint type;
            Check(((delegate* unmanaged<int, nint, nint*, int>)contiguous)(width, element, &type), "MPI_Type_contiguous");
            Check(((delegate* unmanaged<nint*, int>)commit)(&type), "MPI_Type_commit");
            return type;
        }
        else
        {
            int type;
            Check(((delegate* unmanaged<int, int, int*, int>)contiguous)(width, (int)element, &type), "MPI_Type_contiguous");
            Check(((delegate* unmanaged<int*, int>)commit)(&type), "MPI_Type_commit");
            return type;
        }
    }

    private void FreeType(nint type)
    {
        nint free = _library.Export("MPI_Type_free");
        if (_library.IsOpenMpi)
        {
            Check(((delegate* unmanaged<nint*, int>)free)(&type), "MPI_Type_free");
        }
        else
        {
            int handle = (int)type;
            Check(((delegate* unmanaged<int*, int>)free)(&handle), "MPI_Type_free");
        }
    }

    private static void Check(int code, string call)
    {
        if (code != 0)
        {
            throw new MpiException($"{call} failed with MPI error code {code}.");
        }
    }
}
