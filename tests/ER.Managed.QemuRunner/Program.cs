using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using ER.Managed.Diagnostics;
using System.Threading;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace ER.Managed.QemuRunner;

/// <summary>
/// <c>ER.Managed.QemuRunner [CLASS-PREFIX ...] [--skip CLASS-PREFIX ...]</c>: discovers and runs, in
/// this process, the tests whose class's full name starts with one of the prefixes (all when none is
/// given) and with none of those after <c>--skip</c>, through
/// xunit's own framework (<see cref="XunitTestFramework"/>); prints each failure and a closing
/// "N passed, N failed, N skipped" line, after the slowest test classes and cases with their times (what to
/// look at when the emulated run grows), and exits 1 on any failure or when nothing ran. It exists
/// for linux-arm64 under qemu, where `dotnet test` has no host to run, and it marks its run as
/// emulated (<see cref="ER.Managed.Tests.EmulatedRun"/>).
/// </summary>
internal static class Program
{
    private const int SlowestShown = 15;

    private static int Main(string[] args)
    {
        // Before discovery, which reads it: the widths this CPU lacks in hardware and the cases only
        // larger than others of their test are left to the native runs (see EmulatedRun).
        ER.Managed.Tests.EmulatedRun.Active = true;
        Assembly tests = typeof(ER.Managed.Tests.Kernels.GemmKernelTests).Assembly;
        var diagnostics = new Sink();
        using var framework = new XunitTestFramework(diagnostics);

        var discovery = new Sink();
        using (ITestFrameworkDiscoverer discoverer = framework.GetDiscoverer(Reflector.Wrap(tests)))
        {
            discoverer.Find(includeSourceInformation: false, discovery, new Options());
            discovery.Finished.Wait();
        }

        // ER.Managed.Tests.Processes starts `dotnet` (er.dll, README programs); this self-contained runner has no dotnet
        // host. The ARM64 `er` itself is checked by .ci/run (NativeAOT build under qemu).
        const string ProcessTests = "ER.Managed.Tests.Processes.";
        int skipAt = Array.IndexOf(args, "--skip");
        string[] included = skipAt < 0 ? args : args[..skipAt];
        string[] skipped = [ProcessTests, .. skipAt < 0 ? [] : args[(skipAt + 1)..]];
        List<ITestCase> selected = discovery.TestCases
            .Where(t => !skipped.Any(prefix => t.TestMethod.TestClass.Class.Name.StartsWith(prefix, StringComparison.Ordinal)))
            .Where(t => included.Length == 0 || included.Any(prefix => t.TestMethod.TestClass.Class.Name.StartsWith(prefix, StringComparison.Ordinal)))
            .ToList();
        Console.WriteLine($"running {selected.Count} of {discovery.TestCases.Count} test cases (none of {string.Join(", ", skipped.Select(p => p + "*"))}; {ProcessTests}* start processes) on {RuntimeInformation.ProcessArchitecture}, kernels {KernelDiagnostics.Current.KernelWidth}, GEMM {KernelDiagnostics.Current.GemmKernel}; emulated run: widths without hardware support and cases marked large left to the native runs");

        var execution = new Sink();
        using (ITestFrameworkExecutor executor = framework.GetExecutor(tests.GetName()))
        {
            executor.RunTests(selected, execution, new Options());
            execution.Finished.Wait();
        }

        Console.WriteLine("slowest test classes:");
        foreach ((string name, decimal seconds) in execution.ClassTimes.OrderByDescending(c => c.Value).Take(SlowestShown))
        {
            Console.WriteLine($"  {seconds,8:F1} s  {name}");
        }

        Console.WriteLine("slowest test cases:");
        foreach ((string name, decimal seconds) in execution.CaseTimes.OrderByDescending(c => c.Value).Take(SlowestShown))
        {
            Console.WriteLine($"  {seconds,8:F1} s  {name}");
        }

        Console.WriteLine($"{execution.Passed} passed, {execution.Failed} failed, {execution.Skipped} skipped");
        return execution.Failed == 0 && execution.Passed > 0 ? 0 : 1;
    }

    /// <summary>Collects discovered cases and results; signals <see cref="Finished"/> at the end of discovery or of the run.</summary>
    private sealed class Sink : LongLivedMarshalByRefObject, IMessageSink
    {
        private int _passed, _failed, _skipped;

        internal List<ITestCase> TestCases { get; } = [];

        internal ManualResetEventSlim Finished { get; } = new();

        internal int Passed => _passed;

        internal int Failed => _failed;

        internal int Skipped => _skipped;

        /// <summary>Seconds each test class ran (xunit's execution time: test bodies and the JIT they trigger).</summary>
        internal ConcurrentDictionary<string, decimal> ClassTimes { get; } = new();

        /// <summary>Seconds each passed test case ran, by its display name.</summary>
        internal ConcurrentDictionary<string, decimal> CaseTimes { get; } = new();

        public bool OnMessage(IMessageSinkMessage message)
        {
            switch (message)
            {
                case ITestCaseDiscoveryMessage found:
                    TestCases.Add(found.TestCase);
                    break;
                case IDiscoveryCompleteMessage:
                case ITestAssemblyFinished:
                    Finished.Set();
                    break;
                case ITestClassFinished classFinished:
                    ClassTimes[classFinished.TestClass.Class.Name] = classFinished.ExecutionTime;
                    break;
                case ITestPassed passed:
                    Interlocked.Increment(ref _passed);
                    CaseTimes[passed.Test.DisplayName] = passed.ExecutionTime;
                    break;
                case ITestSkipped:
                    Interlocked.Increment(ref _skipped);
                    break;
                case ITestFailed failed:
                    Interlocked.Increment(ref _failed);
                    Console.WriteLine($"FAIL {failed.Test.DisplayName}: {string.Join(" | ", failed.Messages)}");
                    break;
                case IErrorMessage error:
                    Interlocked.Increment(ref _failed);
                    Console.WriteLine($"ERROR {string.Join(" | ", error.Messages)}");
                    break;
            }

            return true;
        }
    }

    /// <summary>Discovery and execution options with xunit's defaults (every value unset).</summary>
    private sealed class Options : ITestFrameworkDiscoveryOptions, ITestFrameworkExecutionOptions
    {
        private readonly Dictionary<string, object?> _values = [];

        public TValue GetValue<TValue>(string name) => _values.TryGetValue(name, out object? value) && value is TValue typed ? typed : default!;

        public void SetValue<TValue>(string name, TValue value) => _values[name] = value;
    }
}
