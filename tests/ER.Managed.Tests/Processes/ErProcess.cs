using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Threading.Tasks;

namespace ER.Managed.Tests.Processes;

/// <summary>
/// Runs the real <c>er</c> (the er.dll built beside the tests, under <c>dotnet</c>) as a separate
/// process: what a shell sees (signals, pipes, file-system effects). The ARM64 in-process runner
/// leaves this namespace out (it has no <c>dotnet</c> host); CI checks the ARM64 <c>er</c> itself.
/// </summary>
internal static class ErProcess
{
    internal static Process Start(string workingDirectory, params string[] args) =>
        Process.Start(Info(workingDirectory, [Path.Combine(AppContext.BaseDirectory, "er.dll"), .. args])) ?? throw new InvalidOperationException("dotnet did not start.");

    internal static (int ExitCode, byte[] Stdout, string Stderr) Run(string workingDirectory, byte[]? standardInput, params string[] args) =>
        Wait(Start(workingDirectory, args), standardInput);

    /// <summary>As <see cref="Run"/>, with extra environment variables (a GC heap limit, say).</summary>
    internal static (int ExitCode, byte[] Stdout, string Stderr) RunWith(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        ProcessStartInfo info = Info(workingDirectory, [Path.Combine(AppContext.BaseDirectory, "er.dll"), .. args]);
        foreach ((string name, string value) in environment)
        {
            info.Environment[name] = value;
        }

        return Wait(Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start."), null);
    }

    /// <summary>Runs <c>dotnet</c> with the given arguments (build, run a built program).</summary>
    internal static (int ExitCode, byte[] Stdout, string Stderr) Dotnet(string workingDirectory, params string[] args)
    {
        ProcessStartInfo info = Info(workingDirectory, args);

        // Without a build server left behind.
        info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        return Wait(Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start."), null);
    }

    private static ProcessStartInfo Info(string workingDirectory, string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return info;
    }

    private static (int ExitCode, byte[] Stdout, string Stderr) Wait(Process started, byte[]? standardInput)
    {
        using Process process = started;
        using var stdout = new MemoryStream();
        Task copy = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (standardInput is not null)
        {
            process.StandardInput.BaseStream.Write(standardInput);
        }

        process.StandardInput.Close();
        if (!process.WaitForExit(300_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("the process did not finish in 300 s.");
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
