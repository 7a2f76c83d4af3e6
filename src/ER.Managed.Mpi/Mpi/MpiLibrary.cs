using System.Collections.Generic;
using System.Runtime.InteropServices;

namespace ER.Managed.Mpi.Mpi;

/// <summary>
/// The MPI library of the launcher that started this process, loaded at run time, and which of the
/// two C ABIs it has.
/// </summary>
/// <remarks>
/// <para>
/// MPI fixes the C API, not the ABI, and the two families differ in what a handle is: the MPICH
/// family (MPICH, Intel MPI, MVAPICH, Cray MPICH) makes <c>MPI_Comm</c>, <c>MPI_Datatype</c> and
/// <c>MPI_Op</c> 32-bit integers with fixed values from its <c>mpi.h</c>; Open MPI makes them pointers,
/// the predefined ones being the addresses of exported objects such as <c>ompi_mpi_comm_world</c>.
/// Each entry point is therefore called through a function pointer typed for the ABI found (see
/// <see cref="MpiComm"/>), never with a handle of the wrong width.
/// </para>
/// <para>
/// Which library: <c>ER_MPI_LIBRARY</c> when set (a path or a soname); otherwise the launcher's
/// family, told by the environment it gives its ranks (Open MPI's <c>OMPI_COMM_WORLD_SIZE</c>, else
/// MPICH's), first: <c>libmpi.so.40</c> for Open MPI 3 to 5; <c>libmpich.so.12</c> or
/// <c>libmpi.so.12</c> (the MPICH ABI's soname) for the rest; then the other family, then <c>libmpi.so</c>.
/// </para>
/// </remarks>
internal sealed class MpiLibrary
{
    private static readonly string[] MpichNames = ["libmpich.so.12", "libmpi.so.12"];
    private static readonly string[] OpenMpiNames = ["libmpi.so.40"];

    private MpiLibrary(nint handle, string name, bool openMpi)
    {
        Handle = handle;
        Name = name;
        IsOpenMpi = openMpi;
    }

    /// <summary>The loaded library (dlopen handle).</summary>
    internal nint Handle { get; }

    /// <summary>What was loaded: the soname or path tried.</summary>
    internal string Name { get; }

    /// <summary>Open MPI's ABI (pointer handles) rather than MPICH's (integer handles).</summary>
    internal bool IsOpenMpi { get; }

    /// <summary>The address of an exported function or object.</summary>
    /// <exception cref="MpiException">The library does not export it.</exception>
    internal nint Export(string name) =>
        NativeLibrary.TryGetExport(Handle, name, out nint address) ? address : throw new MpiException($"{Name} has no {name}; it is not an MPI library this program can use.");

    /// <summary>Loads the MPI library (see remarks).</summary>
    /// <exception cref="MpiException">None could be loaded.</exception>
    internal static MpiLibrary Load() =>
        Load(Environment.GetEnvironmentVariable("ER_MPI_LIBRARY"), Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE") is not null);

    /// <summary>Loads <paramref name="chosen"/> when given, else the library of the launcher's family first (see remarks).</summary>
    internal static MpiLibrary Load(string? chosen, bool openMpiLauncher)
    {
        var names = new List<string>();
        if (!string.IsNullOrEmpty(chosen))
        {
            names.Add(chosen);
        }
        else
        {
            names.AddRange(openMpiLauncher ? OpenMpiNames : MpichNames);
            names.AddRange(openMpiLauncher ? MpichNames : OpenMpiNames);
            names.Add("libmpi.so");
        }

        foreach (string name in names)
        {
            if (NativeLibrary.TryLoad(name, out nint handle))
            {
                bool openMpi = NativeLibrary.TryGetExport(handle, "ompi_mpi_comm_world", out _);
                return new MpiLibrary(handle, name, openMpi);
            }
        }

        throw new MpiException(
            string.IsNullOrEmpty(chosen)
                ? $"no MPI library found (tried {string.Join(", ", names)}); install MPICH (apt-get install mpich) or Open MPI (apt-get install openmpi-bin), or set ER_MPI_LIBRARY to the library's path."
                : $"ER_MPI_LIBRARY={chosen} could not be loaded{(File.Exists(chosen) ? " (it exists: is it a shared library for this machine's architecture?)" : " (no such file, and no library of that name)")}.");
    }
}
