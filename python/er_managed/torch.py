"""The ER terms on CPU torch tensors, with autograd: the same functions and signatures as the
numpy ones, returning 0-d tensors, so that

    loss = reconstruction(z1, z2) - entropy(z1)
    loss.backward()

back-propagates into the model that made z1 and z2 (normalize sphere inputs with
``torch.nn.functional.normalize`` first, inside the graph). Inputs may have any dtype and
contiguity: they are copied to contiguous float32 where needed, and gradients come back in the
input's dtype. ``kappa`` may be a float or a tensor; a tensor that requires grad gets dL/dkappa.
"""
import numpy as np
import torch as _torch

from . import entropy_with_grad as _entropy_with_grad, reconstruction_with_grad as _reconstruction_with_grad
from . import entropy as _entropy, reconstruction as _reconstruction

__all__ = ["entropy", "reconstruction"]


def _numpy(t):
    if not isinstance(t, _torch.Tensor):
        raise TypeError(f"er_managed.torch takes torch tensors, not {type(t).__name__}; er_managed has the same functions on arrays")
    if t.device.type != "cpu":
        raise ValueError(f"er_managed.torch works on CPU tensors, not on {t.device}")
    if t.is_complex():
        raise ValueError(f"complex tensors ({t.dtype}) are not taken: the terms take real values")
    if t.dtype == _torch.float64:
        # As a float64 array, so that a value beyond float32's range is named rather than made inf.
        return t.detach().contiguous().numpy()
    return t.detach().to(_torch.float32).contiguous().numpy()


def _kappa(kappa):
    if isinstance(kappa, _torch.Tensor):
        if kappa.numel() != 1:
            raise ValueError("kappa must be a scalar")
        if kappa.is_complex():
            raise ValueError(f"kappa must be real, not {kappa.dtype}")
        return kappa, float(kappa.detach())
    return None, kappa


def _value_dtype(t):
    # The value in the input's floating dtype, as torch's own losses give it; integer and bool inputs
    # (one-hot rows) get torch's default dtype: theirs truncated the entropy (log 4 became 1).
    return t.dtype if t.is_floating_point() else _torch.get_default_dtype()


def _kappa_gradient(ctx, grad_output, index):
    # dL/dkappa in kappa's own shape: a kappa of shape (1,) or (1, 1) took the 0-d gradient badly.
    if not ctx.needs_input_grad[index] or ctx.grad_kappa is None:
        return None
    return (grad_output * ctx.grad_kappa).reshape(ctx.kappa_shape)


class _Entropy(_torch.autograd.Function):
    @staticmethod
    def forward(ctx, embeddings, kappa_tensor, kappa, support, reduction, settings):
        z = _numpy(embeddings)
        if not any(ctx.needs_input_grad):
            return _torch.tensor(_entropy(z, kappa, support, reduction, **settings), dtype=_value_dtype(embeddings))
        value, grad, grad_kappa = _entropy_with_grad(z, kappa, support, reduction, **settings)
        ctx.save_for_backward(_torch.from_numpy(grad))
        ctx.grad_kappa = grad_kappa
        ctx.kappa_shape = None if kappa_tensor is None else kappa_tensor.shape
        ctx.dtype = embeddings.dtype
        return _torch.tensor(value, dtype=_value_dtype(embeddings))

    @staticmethod
    def backward(ctx, grad_output):
        (grad,) = ctx.saved_tensors
        grad_z = (grad_output.to(_torch.float32) * grad).to(ctx.dtype) if ctx.needs_input_grad[0] else None
        return grad_z, _kappa_gradient(ctx, grad_output, 1), None, None, None, None


class _Reconstruction(_torch.autograd.Function):
    @staticmethod
    def forward(ctx, projection1, projection2, kappa_tensor, kappa, support, settings):
        a, b = _numpy(projection1), _numpy(projection2)
        if not any(ctx.needs_input_grad):
            return _torch.tensor(_reconstruction(a, b, kappa, support, **settings), dtype=_value_dtype(projection1))
        value, grad_a, grad_b, grad_kappa = _reconstruction_with_grad(a, b, kappa, support, **settings)
        ctx.save_for_backward(_torch.from_numpy(grad_a), _torch.from_numpy(grad_b))
        ctx.grad_kappa = grad_kappa
        ctx.kappa_shape = None if kappa_tensor is None else kappa_tensor.shape
        ctx.dtypes = (projection1.dtype, projection2.dtype)
        return _torch.tensor(value, dtype=_value_dtype(projection1))

    @staticmethod
    def backward(ctx, grad_output):
        grad_a, grad_b = ctx.saved_tensors
        g = grad_output.to(_torch.float32)
        out_a = (g * grad_a).to(ctx.dtypes[0]) if ctx.needs_input_grad[0] else None
        out_b = (g * grad_b).to(ctx.dtypes[1]) if ctx.needs_input_grad[1] else None
        return out_a, out_b, _kappa_gradient(ctx, grad_output, 2), None, None, None


def entropy(embeddings, kappa=10.0, support="sphere", reduction="expectation", *, normalizer="exact", threads=0, validate=True):
    """The entropy H of a batch (k x d tensor) as a 0-d tensor, differentiable in the embeddings (and kappa, if a tensor)."""
    kappa_tensor, value = _kappa(kappa)
    settings = dict(normalizer=normalizer, threads=threads, validate=validate)
    return _Entropy.apply(embeddings, kappa_tensor, value, support, reduction, settings)


def reconstruction(projection1, projection2, kappa=10.0, support="sphere", *, normalizer="exact", threads=0, validate=True):
    """The reconstruction R between two views as a 0-d tensor, differentiable in both views (and kappa, if a tensor)."""
    kappa_tensor, value = _kappa(kappa)
    settings = dict(normalizer=normalizer, threads=threads, validate=validate)
    return _Reconstruction.apply(projection1, projection2, kappa_tensor, value, support, settings)
