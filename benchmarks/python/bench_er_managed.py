#!/usr/bin/python3
"""er_managed from Python: the cost of a call at small k (the ctypes and autograd overhead) and a large
batch's entropy with its gradient through the torch autograd function, beside PyTorch alone.

    ER_MANAGED_LIBRARY=native/libermanaged.so PYTHONPATH=python benchmarks/python/bench_er_managed.py overhead
    ... bench_er_managed.py large [--k 65536 --d 128]          (one case a process: ru_maxrss is its peak)
    ... bench_er_managed.py torch-large [--k 16384 --d 128]   (PyTorch alone, the same objective)
Prints one JSON line.
"""
import argparse
import json
import math
import resource
import time

import numpy as np
import torch
import torch.nn.functional as F


def median_ms(f, reps):
    f()
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    times.sort()
    return 1e3 * times[len(times) // 2]


def rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def torch_entropy(z, kappa=10.0):
    """The plug-in estimator as the original writes it (the constant c only shifts the value)."""
    k = z.shape[0]
    logp = -torch.logsumexp(kappa * z @ z.T, dim=-1) + 123.0 + math.log(k)
    return (torch.softmax(-logp, -1) * logp).sum()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("case", choices=["overhead", "large", "torch-large"])
    ap.add_argument("--k", type=int, default=65536)
    ap.add_argument("--d", type=int, default=128)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2, help="torch intra-op threads (the library uses every core)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    if a.case == "overhead":
        import er_managed
        import er_managed.torch as et
        out = {}
        for k, d in [(8, 16), (64, 16), (256, 64)]:
            z = F.normalize(torch.randn(k, d), dim=1)
            zn = z.numpy()
            out[f"numpy_entropy_{k}x{d}_us"] = round(1e3 * median_ms(lambda: er_managed.entropy(zn), 2000 if k < 256 else 500), 1)
            leaf = z.clone().requires_grad_(True)

            def ours():
                leaf.grad = None
                et.entropy(leaf).backward()

            def theirs():
                leaf.grad = None
                torch_entropy(leaf).backward()

            out[f"torch_fn_fwd_bwd_{k}x{d}_us"] = round(1e3 * median_ms(ours, 1000 if k < 256 else 300), 1)
            out[f"pytorch_alone_fwd_bwd_{k}x{d}_us"] = round(1e3 * median_ms(theirs, 1000 if k < 256 else 300), 1)
        out["threads"] = torch.get_num_threads()
        print(json.dumps(out))
        return
    z = F.normalize(torch.randn(a.k, a.d), dim=1)
    leaf = z.clone().requires_grad_(True)
    if a.case == "large":
        import er_managed.torch as et
        def step():
            leaf.grad = None
            et.entropy(leaf).backward()
    else:
        def step():
            leaf.grad = None
            torch_entropy(leaf).backward()
    ms = median_ms(step, a.reps)
    print(json.dumps(dict(case=a.case, k=a.k, d=a.d, forward_backward_ms=round(ms, 1), peak_rss_mib=round(rss_mib(), 1), torch_threads=torch.get_num_threads())))


if __name__ == "__main__":
    main()
