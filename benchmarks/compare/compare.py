#!/usr/bin/env python3
"""Runs `er bench` and the PyTorch peer back to back on the same cases and prints a Markdown table.

Usage (from the repository root, after `dotnet build -c Release`):
    /usr/bin/python3 benchmarks/compare/compare.py [--rounds 3] [--peer ../shared/peers/torch_er_bench.py] [--avx2]

OpenBLAS's core type is chosen from the CPU's flags (an inherited OPENBLAS_CORETYPE is replaced;
--openblas-coretype overrides): SkylakeX where /proc/cpuinfo lists avx512f, avx512bw and avx512vl
(its kernel dies with SIGILL elsewhere), Haswell otherwise; --avx2 uses Haswell for the peer and
switches AVX-512 off for ours, to compare the AVX2 paths on an AVX-512 machine.

Each case runs `rounds` times alternating peer and ours; the table shows the median of each
side's times and their ratio (ours / PyTorch). The peer needs python3-torch with OpenBLAS
(libopenblas0-pthread, see ../shared/peers/README.md): the script stops where torch loads another
BLAS (Debian's reference BLAS, the default without it, took minutes for what OpenBLAS does in
0.4 s). The peer is never used by the tests or CI.
"""
import argparse, json, os, statistics, subprocess, sys

CASES = [
    ("gram", 4096, 2048, []),
    ("entropy_sphere", 1000, 1000, []),
    ("entropy_sphere", 4096, 256, []),
    ("entropy_sphere", 16384, 128, ["--reps", "3"]),
    ("entropy_discrete", 512, 65536, []),
    ("rec_discrete", 512, 65536, []),
    ("rec_sphere", 4096, 256, []),
]


def openblas_core_type(cpuinfo="/proc/cpuinfo"):
    """SkylakeX where the CPU has AVX-512 (F, BW, VL), Haswell otherwise (SkylakeX is SIGILL there)."""
    try:
        with open(cpuinfo) as lines:
            flags = next(line for line in lines if line.startswith("flags")).split()
    except (OSError, StopIteration):
        return "Haswell"
    return "SkylakeX" if {"avx512f", "avx512bw", "avx512vl"} <= set(flags) else "Haswell"


def peer_blas(env):
    """The file of the BLAS library whose sgemm_ the peer's torch calls (None where none is found).

    Debian's python3-torch takes whichever libblas.so.3 is installed: without libopenblas0-pthread
    that is the reference BLAS, on one thread, whose 4096 x 2048 Gram did not finish 12 products in
    5 minutes (OpenBLAS: 0.4 s each, Zen 3), which would make every ratio here meaningless. The
    symbol is looked up from torch's own extension, so the answer is the library torch resolves it
    to: OpenBLAS may be mapped as well (for LAPACK) while the reference BLAS serves sgemm_.
    """
    probe = """
import ctypes, os, torch
class DlInfo(ctypes.Structure):
    _fields_ = [("fname", ctypes.c_char_p), ("fbase", ctypes.c_void_p), ("sname", ctypes.c_char_p), ("saddr", ctypes.c_void_p)]
try:
    sgemm = ctypes.cast(ctypes.CDLL(torch._C.__file__).sgemm_, ctypes.c_void_p)
except AttributeError:
    raise SystemExit(0)
info = DlInfo()
if ctypes.CDLL(None).dladdr(sgemm, ctypes.byref(info)):
    print(os.path.realpath(info.fname.decode()))
"""
    out = subprocess.run(["/usr/bin/python3", "-c", probe], check=True, capture_output=True, text=True, env=env).stdout.strip()
    return out or None


def uses_openblas(library):
    """Whether the BLAS file is one of OpenBLAS's builds (Debian installs them as libblas.so.3 in an openblas-* folder)."""
    return library is not None and "openblas" in library.lower()


def run(cmd, env):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout.strip().splitlines()[-1]
    return json.loads(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--peer", default=os.path.join("..", "shared", "peers", "torch_er_bench.py"))
    ap.add_argument("--er", default=os.path.join("src", "ER.Managed.Cli", "bin", "Release", "net10.0", "er"))
    ap.add_argument("--only", default=None, help="run only this case name")
    ap.add_argument("--avx2", action="store_true",
                    help="compare the AVX2 paths on an AVX-512 machine: ours with AVX-512 switched off, OpenBLAS's Haswell kernel")
    ap.add_argument("--openblas-coretype", default=None, help="OpenBLAS kernel for the peer (default: from the CPU flags)")
    a = ap.parse_args()
    # The core type comes from the CPU flags (or the option), not from an inherited OPENBLAS_CORETYPE:
    # some machines preset Haswell (and OPENBLAS_L2_SIZE) for old OpenBLAS builds, which would
    # measure the peer below its best; both are replaced together.
    env = {key: value for key, value in os.environ.items() if key not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    env["OPENBLAS_CORETYPE"] = a.openblas_coretype or openblas_core_type()
    ours_env = dict(env)
    if a.avx2:
        env["OPENBLAS_CORETYPE"] = "Haswell"
        ours_env.update(DOTNET_EnableAVX512F="0", DOTNET_EnableAVX512="0")
    print(f"OPENBLAS_CORETYPE={env['OPENBLAS_CORETYPE']}", file=sys.stderr)
    blas = peer_blas(env)
    if not uses_openblas(blas):
        sys.exit(f"compare.py: the peer's torch calls sgemm_ in {blas or 'no library found'}, not OpenBLAS; "
                 "install libopenblas0-pthread (see ../shared/peers/README.md) so that the peer runs at its best")
    print(f"peer BLAS: {blas}", file=sys.stderr)
    rows = []
    for case, k, d, extra in CASES:
        if a.only and case != a.only:
            continue
        peer, ours = [], []
        for _ in range(a.rounds):
            peer.append(run(["/usr/bin/python3", a.peer, case, str(k), str(d)] + extra, env))
            ours.append(run([a.er, "bench", case, str(k), str(d), "--json"] + extra, ours_env))
        def med(xs, key):
            vals = [x[key] for x in xs if x[key] is not None]
            return statistics.median(vals) if vals else None
        row = dict(case=case, k=k, d=d)
        for key in ("forward_ms", "forward_backward_ms", "peak_rss_mib"):
            row["torch_" + key] = med(peer, key)
            row["ours_" + key] = med(ours, key)
        rows.append(row)
        print(json.dumps(row), file=sys.stderr)
    print("| case | k x d | PyTorch fwd ms | ours fwd ms | ratio | PyTorch fwd+bwd ms | ours fwd+bwd ms | ratio | PyTorch RSS MiB | ours RSS MiB |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        def ratio(key):
            t, o = r["torch_" + key], r["ours_" + key]
            return "" if t is None or o is None else f"{o / t:.2f}"
        def fmt(v):
            return "" if v is None else f"{v:.1f}" if v >= 10 else f"{v:.2f}"
        print(f"| {r['case']} | {r['k']} x {r['d']} | {fmt(r['torch_forward_ms'])} | {fmt(r['ours_forward_ms'])} | {ratio('forward_ms')} "
              f"| {fmt(r['torch_forward_backward_ms'])} | {fmt(r['ours_forward_backward_ms'])} | {ratio('forward_backward_ms')} "
              f"| {fmt(r['torch_peak_rss_mib'])} | {fmt(r['ours_peak_rss_mib'])} |")


if __name__ == "__main__":
    main()
