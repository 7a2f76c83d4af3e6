using BenchmarkDotNet.Running;

// dotnet run -c Release --project benchmarks/ER.Managed.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(ER.Managed.Benchmarks.Kernels.ReductionKernelBenchmarks).Assembly).Run(args);
