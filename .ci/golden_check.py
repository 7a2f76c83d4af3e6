#!/usr/bin/env python3
"""Runs golden cases through an `er` binary (`er entropy/reconstruction --json`) and compares the
values with the manifest at its tolerances; with --against, also compares with a second binary
(bitwise where both run the same kernels, else at the golden tolerance).

    python3 .ci/golden_check.py ER_BINARY [--against OTHER_ER_BINARY] [--bitwise] [--gradients] [--lognorm]

--gradients also writes the gradients (`--grad`, `--grad-a/-b`, float64) of GRAD_CASES and compares
them with the golden arrays (max error <= grad_rel_to_max * max |golden|); --lognorm runs every
tenth row of the lognorm table through `er lognorm --json` at the lognorm tolerance. Needs only the
Python standard library (the .npy files are read here).
"""
import argparse, json, os, struct, subprocess, sys, tempfile

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


GRAD_CASES = [
    "entropy_sphere_expectation_exact_k257_d33_kappa10.0",
    "entropy_sphere_average_exact_k64_d16_kappa100.0",
    "entropy_sphere_expectation_exact_k7_d1_kappa0.5",
    "entropy_discrete_expectation_k128_d1000_t30",
    "entropy_discrete_average_onehot",
    "reconstruction_sphere_exact_k200_d300_kappa10.0",
    "reconstruction_discrete_k64_d16",
]


def read_npy(path):
    """A float32/float64, C-order .npy file as a flat list (the standard library only)."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:6] == b"\x93NUMPY", path
    header_len = struct.unpack("<H", data[8:10])[0] if data[6] == 1 else struct.unpack("<I", data[8:12])[0]
    start = (10 if data[6] == 1 else 12) + header_len
    header = data[(10 if data[6] == 1 else 12):start].decode("latin1")
    code = "d" if "<f8" in header else "f"
    count = (len(data) - start) // struct.calcsize(code)
    return list(struct.unpack(f"<{count}{code}", data[start:start + count * struct.calcsize(code)]))


def gradients(binary, case, folder):
    args = [binary, case["op"]] + [os.path.join(GOLDEN, f) for f in case["inputs"]]
    args += ["--support", case["support"], "--json", "--grad-dtype", "f8"]
    if case.get("reduction"):
        args += ["--reduction", case["reduction"]]
    if case["support"] == "sphere":
        args += ["--kappa", repr(case["kappa"]), "--normalizer", case["normalizer"]]
    outs = [os.path.join(folder, f"g{i}.npy") for i in range(len(case["grads"]))]
    if case["op"] == "entropy":
        args += ["--grad", outs[0]]
    else:
        args += ["--grad-a", outs[0], "--grad-b", outs[1]]
    subprocess.run(args, check=True, capture_output=True, text=True)
    return [read_npy(o) for o in outs]


def check_gradients(binary, cases, tol):
    failures = 0
    with tempfile.TemporaryDirectory() as folder:
        for name in GRAD_CASES:
            c = cases[name]
            for got, golden in zip(gradients(binary, c, folder), c["grads"]):
                want = read_npy(os.path.join(GOLDEN, golden))
                scale = max(abs(w) for w in want)
                error = max(abs(g - w) for g, w in zip(got, want))
                ok = len(got) == len(want) and error <= tol["grad_rel_to_max"] * scale + 1e-12
                failures += 0 if ok else 1
                print(f"{'ok  ' if ok else 'FAIL'} {golden}: max error {error:.3e} of max |grad| {scale:.3e}")
    return failures


def check_lognorm(binary, rows, tol):
    failures = 0
    for row in rows[::10]:
        out = subprocess.run([binary, "lognorm", "--dim", str(row["d"]), "--kappa", repr(row["kappa"]), "--json"],
                             check=True, capture_output=True, text=True).stdout
        got = json.loads(out)
        nu = row["d"] / 2 - 1
        for key in ("log_bessel_i", "log_normalizer", "bessel_ratio", "vmf_entropy"):
            want = float(row[key])
            cond = tol["lognorm_cond_eps"] * 2.0 ** -52 * (row["kappa"] * float(row["bessel_ratio"]) + abs(nu))
            ok = abs(got[key] - want) <= tol["lognorm_rel"] * max(1.0, abs(want)) + cond
            if not ok:
                failures += 1
                print(f"FAIL lognorm d={row['d']} kappa={row['kappa']!r} {key}: {got[key]!r} vs {want!r}")
    print(f"lognorm: {len(rows[::10])} rows checked, {failures} failures")
    return failures


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
    ap.add_argument("--gradients", action="store_true")
    ap.add_argument("--lognorm", action="store_true")
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
    if a.gradients:
        failures += check_gradients(a.binary, cases, tol)
    if a.lognorm:
        failures += check_lognorm(a.binary, manifest["lognorm"], tol)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
