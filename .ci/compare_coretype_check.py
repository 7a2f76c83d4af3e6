#!/usr/bin/env python3
"""The PyTorch comparison script picks OpenBLAS's core type from the CPU flags (docs/performance.md):
SkylakeX only where AVX-512 F, BW and VL are all listed, Haswell otherwise (SkylakeX dies with
SIGILL there), and Haswell when /proc/cpuinfo cannot be read. Checked on made-up cpuinfo files.
It also refuses a peer whose torch does not load OpenBLAS (Debian's reference BLAS otherwise):
checked on made-up library paths."""
import importlib.util, os, sys, tempfile

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("compare", os.path.join(here, "..", "benchmarks", "compare", "compare.py"))
compare = importlib.util.module_from_spec(spec)
spec.loader.exec_module(compare)

cases = [
    ("flags\t\t: fpu sse2 avx avx2 fma avx512f avx512bw avx512vl avx512dq\n", "SkylakeX"),  # Zen 4/5, Skylake-SP
    ("flags\t\t: fpu sse2 avx avx2 fma bmi2\n", "Haswell"),                                 # Zen 3, Haswell
    ("flags\t\t: fpu sse2 avx avx2 fma avx512f\n", "Haswell"),                              # AVX-512F alone (Xeon Phi)
    ("processor\t: 0\n", "Haswell"),                                                         # no flags line
]
failures = 0
with tempfile.TemporaryDirectory() as folder:
    for text, want in cases:
        path = os.path.join(folder, "cpuinfo")
        with open(path, "w") as f:
            f.write(text)
        got = compare.openblas_core_type(path)
        print(f"{'ok  ' if got == want else 'FAIL'} {want:8} {text.strip()[:60]}")
        failures += got != want
    got = compare.openblas_core_type(os.path.join(folder, "missing"))
    print(f"{'ok  ' if got == 'Haswell' else 'FAIL'} Haswell  (no /proc/cpuinfo)")
    failures += got != "Haswell"
blas_cases = [
    ("/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3", True),    # libopenblas0-pthread
    ("/usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3", True),     # libopenblas0-openmp
    ("/opt/OpenBLAS/lib/libopenblas_haswellp-r0.3.21.so", True),          # a build of its own
    ("/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0", False),          # the reference BLAS
    (None, False),                                                          # no sgemm_ found
]
for library, want in blas_cases:
    got = compare.uses_openblas(library)
    print(f"{'ok  ' if got == want else 'FAIL'} {'OpenBLAS' if want else 'refused '} {library}")
    failures += got != want
sys.exit(1 if failures else 0)
