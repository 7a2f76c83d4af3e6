#!/usr/bin/env python3
"""Runs golden cases through an `er` binary (`er entropy/reconstruction --json`) and compares the
values with the manifest at its tolerances; with --against, also compares with a second binary
(bitwise where both run the same kernels, else at the golden tolerance).

    python3 .ci/golden_check.py ER_BINARY [--against OTHER_ER_BINARY] [--bitwise]
"""
import argparse, json, os, subprocess, sys

GOLDEN = os.path.join(os.path.dirname(__file__), "..", "tests", "ER.Managed.Tests", "Golden")
CASES = [
    "entropy_sphere_expectation_exact_k64_d16_kappa10.0",
    "entropy_sphere_average_reference_k257_d33_kappa100.0",
    "entropy_sphere_expectation_exact_k1000_d1000_kappa10.0",
    "entropy_sphere_average_exact_k7_d1_kappa0.5",
    "entropy_discrete_expectation_k128_d1000_t30",
    "entropy_discrete_average_onehot",
    "reconstruction_sphere_exact_k200_d300_kappa100.0",
    "reconstruction_sphere_reference_k100_d128_kappa10.0",
    "reconstruction_discrete_k200_d300",
]


def value(binary, case):
    args = [binary, case["op"]] + [os.path.join(GOLDEN, f) for f in case["inputs"]]
    args += ["--support", case["support"], "--json"]
    if case.get("reduction"):
        args += ["--reduction", case["reduction"]]
    if case["support"] == "sphere":
        args += ["--kappa", repr(case["kappa"]), "--normalizer", case["normalizer"]]
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    return json.loads(out)["value"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--against")
    ap.add_argument("--bitwise", action="store_true")
    a = ap.parse_args()
    manifest = json.load(open(os.path.join(GOLDEN, "manifest.json")))
    tol = manifest["tolerance"]
    cases = {c["id"]: c for c in manifest["cases"]}
    failures = 0
    for name in CASES:
        c = cases[name]
        got = value(a.binary, c)
        want = c["value"]
        ok = abs(got - want) <= tol["value_rel"] * abs(want) + tol["value_abs"]
        line = f"{'ok  ' if ok else 'FAIL'} {name}: {got!r} (golden {want!r})"
        if a.against:
            other = value(a.against, c)
            same = got == other if a.bitwise else abs(got - other) <= tol["value_rel"] * abs(want) + tol["value_abs"]
            ok = ok and same
            line += f", other build {other!r}" + ("" if same else " DIFFERS")
        failures += 0 if ok else 1
        print(line)
    print(f"{len(CASES) - failures} of {len(CASES)} golden cases pass")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
