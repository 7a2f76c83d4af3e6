#!/usr/bin/env python3
"""Writes tests/ER.Managed.Tests/Data/vmf_edges.csv: log I_nu(kappa), log C_d(kappa), A_d(kappa)
and the vMF entropy from mpmath at 420 significant digits (enough for H = -log C - kappa A, whose
two terms cancel some 309 digits at kappa = 1.8e308), over kappa from the smallest subnormal to the
largest double, for the dimensions that issue 12 names. Each kappa is the exact double printed,
so the test feeds the same number. Needs only mpmath; run from the repository root."""
import mpmath as mp

mp.mp.dps = 420
DIMS = [1, 2, 3, 64, 128, 1000]

def kappas(d):
    nu = d / 2 - 1
    ks = {5e-324, 1e-323, 2.2250738585072014e-308, 1e-300, 1e-200, 1e-100, 1e-50,
          1e-36, 1e-30, 5e-29, 1e-20, 1e-15, 1e-12,
          17.9, 24.9, 25.0, 25.1, 40.0, 700.0, 710.0, 1e12, 1e15, 1e20, 1e50, 1e100,
          1e200, 1e300, 2.86e307, 1e308, 1.7e308, 1.7976931348623157e308}
    for e in range(-10, 21):
        for m in (1.0, 3.0):
            ks.add(float(f"{m}e{e}"))
    for e in range(-320, 309, 10):
        ks.add(float(f"1e{e}"))
    if nu > 0:
        for f in (0.5, 0.99, 1.0, 1.01, 2.0):
            ks.add(nu * f)
    return sorted(k for k in ks if k > 0)

def row(d, k):
    x = mp.mpf(k)
    nu = mp.mpf(d) / 2 - 1
    i_nu = mp.besseli(nu, x)
    log_i = mp.log(i_nu)
    ratio = mp.besseli(nu + 1, x) / i_nu
    log_c = nu * mp.log(x) - mp.mpf(d) / 2 * mp.log(2 * mp.pi) - log_i
    entropy = -log_c - x * ratio
    return [repr(float(v)) for v in (log_i, log_c, ratio, entropy)]

with open("tests/ER.Managed.Tests/Data/vmf_edges.csv", "w") as out:
    out.write("d,kappa,log_bessel_i,log_normalizer,bessel_ratio,vmf_entropy\n")
    for d in DIMS:
        for k in kappas(d):
            out.write(",".join([str(d), repr(k)] + row(d, k)) + "\n")
