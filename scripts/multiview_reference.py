#!/usr/bin/python3
"""Float64 autograd reference for the multi-view ER loss (tests/ER.Managed.Tests/Gradients/MultiViewReferenceTests.cs).

Writes tests/ER.Managed.Tests/Data/multiview_reference.json: for each case the raw float32 views, the settings, and
the loss, its parts and its gradients (every raw view, kappa) computed in float64 by PyTorch's autograd from
the formulas alone (SPEC.md and the ErLoss documentation), with c = -log C_d(kappa) from mpmath at 40 digits.
Nothing here uses the library. Run with Debian's python3-torch (and mpmath): /usr/bin/python3 scripts/multiview_reference.py

loss = a mean_{(p,q) in pairs} R(Z_p, Z_q) - b mean_{v in E} H(Z_v), pairs = {p < q, p < G}, E = all views or the first G,
with the helper applied to each raw view (L2 normalization, or softmax(x / t) for the discrete support).
"""
import json
import math
import os

import mpmath
import numpy as np
import torch

torch.set_default_dtype(torch.float64)
mpmath.mp.dps = 40
EPS = 1e-7


def log_sphere_area(d):
    return math.log(2) + 0.5 * d * math.log(math.pi) - math.lgamma(0.5 * d)


def constant_and_ratio(d, kappa):
    """c = -log C_d(kappa) and dc/dkappa = A_d(kappa), exact (mpmath); the uniform limits at kappa = 0."""
    if kappa == 0:
        return log_sphere_area(d), 0.0
    nu = mpmath.mpf(d) / 2 - 1
    k = mpmath.mpf(kappa)
    log_c = nu * mpmath.log(k) - (mpmath.mpf(d) / 2) * mpmath.log(2 * mpmath.pi) - mpmath.log(mpmath.besseli(nu, k))
    ratio = mpmath.besseli(nu + 1, k) / mpmath.besseli(nu, k)
    return float(-log_c), float(ratio)


class Constant(torch.autograd.Function):
    """c(kappa) with its exact derivative A_d(kappa)."""

    @staticmethod
    def forward(ctx, kappa, d):
        c, ratio = constant_and_ratio(d, float(kappa))
        ctx.ratio = ratio
        return torch.tensor(c)

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.ratio, None


def sphere_entropy(z, kappa, c, estimator):
    k = z.shape[0]
    s = kappa * (z @ z.T)
    if estimator == "joe-loo":
        s = s.masked_fill(torch.eye(k, dtype=torch.bool), float("-inf"))
        lse = torch.logsumexp(s, dim=1)
        return (c + math.log(k - 1) - lse).mean()
    lse = torch.logsumexp(s, dim=1)
    l = c + math.log(k) - lse
    if estimator == "joe":
        return l.mean()
    w = torch.softmax(-l, dim=0)
    return (w * l).sum()


def discrete_entropy(p, estimator):
    m = p.mean(dim=0)
    if estimator == "joe":
        return -(torch.log(m + EPS)).mean()
    return -(m * torch.log(m + EPS)).sum()


def sphere_reconstruction(a, b, kappa, c):
    return (-kappa * (a * b).sum(dim=1) + c).mean()


def discrete_reconstruction(a, b):
    return (0.5 * (-(a * torch.log(b + EPS)).sum(dim=1) - (b * torch.log(a + EPS)).sum(dim=1))).mean()


def loss(case, views, kappa):
    sphere = case["support"] == "sphere"
    V, G = case["views"], case["global"]
    if sphere:
        z = [x / x.norm(dim=1, keepdim=True) for x in views]
        c = Constant.apply(kappa, views[0].shape[1])
    else:
        z = [torch.softmax(x / case["temperature"], dim=1) for x in views]
    pairs = [(p, q) for p in range(V) for q in range(p + 1, V) if p < G]
    rec = sum(sphere_reconstruction(z[p], z[q], kappa, c) if sphere else discrete_reconstruction(z[p], z[q]) for p, q in pairs) / len(pairs)
    entropy_views = range(G) if case["entropy_of"] == "global" else range(V)
    ent = sum(sphere_entropy(z[v], kappa, c, case["estimator"]) if sphere else discrete_entropy(z[v], case["estimator"]) for v in entropy_views) / len(entropy_views)
    return case["reconstruction_weight"] * rec - case["entropy_weight"] * ent, rec, ent


def octahedron_views(rng, V):
    """Six rows near the octahedron's vertices (90 degrees apart), scaled: at kappa = 2000 every
    off-diagonal term exp(kappa (s - 1)) of a row is below exp(-1000), far under float32's range."""
    base = np.array([[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1]], dtype=np.float64)
    out = []
    for _ in range(V):
        x = base + 0.05 * rng.standard_normal(base.shape)
        x *= rng.uniform(0.5, 3.0, size=(6, 1))
        out.append(x.astype(np.float32))
    return out


def main():
    rng = np.random.default_rng(20261202)
    cases = []
    for est in ["plugin", "joe", "joe-loo"]:
        for (V, G, kappa, ent_of, a, b, geometry) in [
            (2, 2, 10.0, "all", 1.0, 1.0, "normal"),
            (3, 1, 10.0, "global", 0.7, 1.3, "normal"),
            (6, 2, 10.0, "all", 1.0, 0.5, "normal"),
            (6, 2, 10.0, "global", 1.0, 1.0, "normal"),
            (2, 2, 0.0, "all", 1.0, 1.0, "normal"),
            (3, 2, 0.0, "all", 0.5, 2.0, "normal"),
            (2, 2, 2000.0, "all", 1.0, 1.0, "octahedron"),
            (3, 1, 2000.0, "global", 1.0, 1.0, "octahedron"),
        ]:
            cases.append(dict(support="sphere", estimator=est, views=V, **{"global": G}, kappa=kappa, entropy_of=ent_of,
                              reconstruction_weight=a, entropy_weight=b, temperature=1.0, geometry=geometry))
    for est in ["plugin", "joe"]:
        for (V, G, ent_of, a, b) in [(2, 2, "all", 1.0, 1.0), (3, 1, "global", 0.7, 1.3), (6, 2, "all", 1.0, 0.5), (6, 2, "global", 1.0, 1.0)]:
            cases.append(dict(support="discrete", estimator=est, views=V, **{"global": G}, kappa=10.0, entropy_of=ent_of,
                              reconstruction_weight=a, entropy_weight=b, temperature=0.7, geometry="normal"))

    out = []
    for i, case in enumerate(cases):
        V = case["views"]
        if case["geometry"] == "octahedron":
            raw = octahedron_views(rng, V)
        else:
            k, d = 7, 5
            raw = [rng.standard_normal((k, d)).astype(np.float32) for _ in range(V)]
        views = [torch.tensor(x.astype(np.float64), requires_grad=True) for x in raw]
        kappa = torch.tensor(case["kappa"], requires_grad=True)
        value, rec, ent = loss(case, views, kappa)
        grads = torch.autograd.grad(value, views + [kappa], allow_unused=True)
        rows, cols = raw[0].shape
        case = dict(case)
        case.update(name=f"{i:02d}-{case['support']}-{case['estimator']}-V{V}-G{case['global']}-kappa{case['kappa']:g}-{case['entropy_of']}",
                    rows=rows, columns=cols,
                    inputs=[float(v) for x in raw for v in x.reshape(-1)],
                    loss=float(value), reconstruction=float(rec), entropy=float(ent),
                    grad_kappa=float(grads[-1]) if case["support"] == "sphere" else 0.0,
                    gradients=[float(v) for g in grads[:-1] for v in g.reshape(-1)])
        out.append(case)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "ER.Managed.Tests", "Data", "multiview_reference.json")
    with open(path, "w") as f:
        json.dump({"generator": "scripts/multiview_reference.py (PyTorch float64 autograd, mpmath 40 digits)", "cases": out}, f, indent=1)
    print(f"wrote {len(out)} cases to {path}")


if __name__ == "__main__":
    main()
