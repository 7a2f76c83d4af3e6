"""The original's formulas in float64 PyTorch, with autograd: the reference the tests compare with.
c = -log C_d(kappa) comes from mpmath at 40 digits (exact), or the original's log(I_nu + 1e-7) form."""
import math

import mpmath
import torch

mpmath.mp.dps = 40
EPS = 1e-7


def constant(d, kappa, normalizer="exact"):
    """c as a float64 tensor that is differentiable in kappa (a float64 tensor)."""
    return _Constant.apply(kappa, d, normalizer)


class _Constant(torch.autograd.Function):
    @staticmethod
    def forward(ctx, kappa, d, normalizer):
        k = float(kappa)
        nu = mpmath.mpf(d) / 2 - 1
        if k == 0:
            value, slope = math.log(2) + 0.5 * d * math.log(math.pi) - math.lgamma(0.5 * d), 0.0
        else:
            i_nu = mpmath.besseli(nu, k)
            i_next = mpmath.besseli(nu + 1, k)
            if normalizer == "exact":
                value = -(nu * mpmath.log(k) - (mpmath.mpf(d) / 2) * mpmath.log(2 * mpmath.pi) - mpmath.log(i_nu))
                slope = i_next / i_nu
            else:
                value = -(nu * mpmath.log(k) - (mpmath.mpf(d) / 2) * mpmath.log(2 * mpmath.pi) - mpmath.log(i_nu + EPS))
                derivative_i = i_next + nu / k * i_nu
                slope = -nu / k + derivative_i / (i_nu + EPS)
        ctx.slope = float(slope)
        return torch.tensor(float(value), dtype=torch.float64)

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.slope, None, None


def sphere_entropy(z, kappa, reduction="expectation", normalizer="exact"):
    k, d = z.shape
    c = constant(d, kappa, normalizer)
    s = kappa * (z @ z.T)
    if reduction == "leave_one_out":
        s = s.masked_fill(torch.eye(k, dtype=torch.bool), float("-inf"))
        return (c + math.log(k - 1) - torch.logsumexp(s, 1)).mean()
    l = c + math.log(k) - torch.logsumexp(s, 1)
    if reduction == "average":
        return l.mean()
    return (torch.softmax(-l, 0) * l).sum()


def discrete_entropy(w, reduction="expectation"):
    m = w.mean(0)
    if reduction == "average":
        return -torch.log(m + EPS).mean()
    return -(m * torch.log(m + EPS)).sum()


def sphere_reconstruction(a, b, kappa, normalizer="exact"):
    c = constant(a.shape[1], kappa, normalizer)
    return (-kappa * (a * b).sum(1) + c).mean()


def discrete_reconstruction(a, b):
    return (0.5 * (-(a * torch.log(b + EPS)).sum(1) - (b * torch.log(a + EPS)).sum(1))).mean()
