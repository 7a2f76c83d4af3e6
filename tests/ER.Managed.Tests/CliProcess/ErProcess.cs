using System;
using System.Diagnostics;
using System.IO;
using System.Threading.Tasks;

namespace ER.Managed.Tests.CliProcess;

/// <summary>
/// Runs the real <c>er</c> (the er.dll built beside the tests, under <c>dotnet</c>) as a separate
/// process: what a shell sees (signals, pipes, file-system effects). The ARM64 in-process runner
/// leaves this namespace out (it has no <c>dotnet</c> host); CI checks the ARM64 <c>er</c> itself.
/// </summary>
internal static class ErProcess
{
    internal static Process Start(string workingDirectory, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "er.dll"));
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start.");
    }

    internal static (int ExitCode, byte[] Stdout, string Stderr) Run(string workingDirectory, byte[]? standardInput, params string[] args)
    {
        using Process process = Start(workingDirectory, args);
        using var stdout = new MemoryStream();
        Task copy = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (standardInput is not null)
        {
            process.StandardInput.BaseStream.Write(standardInput);
        }

        process.StandardInput.Close();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("er did not finish in 120 s.");
        }

        copy.Wait();
        return (process.ExitCode, stdout.ToArray(), stderr.Result);
    }

    /// <summary>Sends a POSIX signal by number through kill(1).</summary>
    internal static void Signal(Process process, string signal)
    {
        using Process kill = Process.Start("kill", ["-" + signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }
}
