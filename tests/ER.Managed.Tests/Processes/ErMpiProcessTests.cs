using System.Diagnostics;
using System.IO;

namespace ER.Managed.Tests.Processes;

/// <summary>
/// The real er-mpi where no MPI library can be loaded (ER_MPI_LIBRARY naming a missing file): its
/// help still works, and a run says what to install in one line and exits 1. (With MPI, CI runs it
/// under mpiexec: .ci/mpi_check.py.)
/// </summary>
public class ErMpiProcessTests
{
    private static (int Code, string Stdout, string Stderr) Run(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "er-mpi.dll"));
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["ER_MPI_LIBRARY"] = "/nonexistent/libmpi.so.12";
        using Process process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr);
    }

    [Fact]
    public void Help_needs_no_MPI()
    {
        (int code, string stdout, string stderr) = Run("entropy", "--help");
        Assert.True(code == 0, stderr);
        Assert.Contains("--rows-per-rank-input", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_run_without_MPI_says_what_is_missing_in_one_line_and_exits_1()
    {
        (int code, string stdout, string stderr) = Run("entropy", "Z.npy");
        Assert.Equal(1, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Equal("er-mpi: ER_MPI_LIBRARY=/nonexistent/libmpi.so.12 could not be loaded (no such file, and no library of that name).", stderr.Trim());
    }
}
