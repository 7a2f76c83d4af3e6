"""ER.Managed from Python: the entropy and reconstruction (ER) terms of multi-view self-supervised
learning on numpy arrays, through the native library libermanaged (no .NET needed).

The functions keep the original implementation's signatures and return Python floats, in nats:

    entropy(embeddings, kappa=10.0, support="sphere", reduction="expectation")
    reconstruction(projection1, projection2, kappa=10.0, support="sphere")

Sphere inputs are unit rows (normalize them first), discrete inputs probability rows (a softmax).
``reduction`` is "expectation" (the plug-in estimator), "average" (Joe's) or, for the sphere,
"leave_one_out" (Joe's without the self-pair, the one to train with). The ``..._with_grad`` forms also
return the gradients. Keyword-only settings: ``normalizer`` ("exact", the default, or "reference",
the original's log(I + 1e-7)), ``threads`` (0: all cores) and ``validate`` (check the inputs).
Errors are ValueError with the library's message. ``er_managed.torch`` has the same functions on
torch tensors, with autograd.
"""
import ctypes
import numbers
from collections import namedtuple

import numpy as np

from . import _native

__all__ = ["entropy", "reconstruction", "entropy_with_grad", "reconstruction_with_grad", "knn_entropy",
           "select_kappa", "loo_log_likelihood", "vmf", "version", "library_path", "KappaSelection"]

_SPHERE = {"expectation": 0, "plugin": 0, "average": 1, "joe": 1, "leave_one_out": 2, "joe-loo": 2}
_DISCRETE = {"expectation": 0, "average": 1}
_NORMALIZERS = {"exact": 0, "reference": 1}
_BOUNDARIES = {0: "none", 1: "uniform", 2: "concentrated"}
_ONE = {"z": "embeddings", "w": "embeddings"}
_TWO = {"a": "projection1", "b": "projection2"}

KappaSelection = namedtuple("KappaSelection", "kappa log_likelihood iterations boundary")
KappaSelection.__doc__ = "A selected kernel concentration, the leave-one-out log-likelihood there, the iterations, and 'none', 'uniform' (kappa 0) or 'concentrated'."


def version():
    """The native library's version."""
    return _native.lib.er_version().decode()


def library_path():
    """Where the native library was loaded from (ER_MANAGED_LIBRARY, or beside the package)."""
    return _native.library_path()


def _int32(value, name, minimum, what):
    # An integer that fits the C int32 it is passed as: int() truncated 2.5 to 2, and ctypes wrapped
    # 2**32 + 3 to 3 (a silently different dimension) and 10**12 to a negative count.
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not minimum <= value <= 2**31 - 1:
        raise ValueError(f"{name} must be {what}, an integer up to 2**31 - 1, not {value!r}")
    return int(value)


def _real(value, name):
    # float() alone took the string "10", True and np.True_ as kappas.
    if isinstance(value, (str, bytes, bool, np.bool_)) or np.iscomplexobj(value):
        raise ValueError(f"{name} must be a real number, not {value!r}")
    try:
        return float(value)
    except TypeError:
        # None, a list or a longer array: float() said only "must be a real number, not 'NoneType'".
        raise ValueError(f"{name} must be a real number, not {value!r}") from None


def _options(normalizer, threads, validate):
    # A str test first: a list or dict is unhashable, and `in` raised TypeError instead of naming it.
    if not isinstance(normalizer, str) or normalizer not in _NORMALIZERS:
        raise ValueError(f"normalizer must be 'exact' or 'reference', not {normalizer!r}")
    threads = _int32(0 if threads is None else threads, "threads", 0, "0 (all cores) or a positive count")
    # Truthiness took validate="no" or "false" as True.
    if not isinstance(validate, (bool, np.bool_)):
        raise ValueError(f"validate must be True or False, not {validate!r}")
    return ctypes.byref(_native.Options(ctypes.sizeof(_native.Options), threads, _NORMALIZERS[normalizer], 1 if validate else 0))


def _numeric(x, name, kinds="biufc"):
    # np.asarray drops a masked array's mask (the masked values would be used), and casting parses
    # strings ("1") and turns None into NaN: refuse all three by name.
    if isinstance(x, np.ma.MaskedArray):
        raise ValueError(f"{name} is a masked array; fill or drop its masked values first")
    a = np.asarray(x)
    if a.dtype.kind not in kinds:
        raise ValueError(f"{name} must hold numbers, not {a.dtype} values")
    return a


def _matrix(x, name):
    a = _numeric(x, name)
    # Casting to float32 would drop an imaginary part, and turn a float64 beyond float32's range into
    # inf, both with no more than a numpy warning: say so instead.
    if np.iscomplexobj(a):
        raise ValueError(f"{name} is complex ({a.dtype}); the terms take real values")
    if a.dtype.kind == "f" and a.dtype.itemsize > 4:
        with np.errstate(over="ignore"):
            single = a.astype(np.float32)
        overflow = np.isinf(single) & np.isfinite(a)
        if overflow.any():
            where = tuple(int(i) for i in np.argwhere(overflow)[0])
            raise ValueError(f"{name}: element {list(where)} ({float(a[where])!r}) is outside float32's range, the precision the terms take")
        a = single
    a = np.ascontiguousarray(a, dtype=np.float32)
    if a.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (samples x dimensions), not of shape {a.shape}")
    return a


def _pointer(a):
    return a.ctypes.data_as(ctypes.POINTER(ctypes.c_float))


def _support(support):
    if not isinstance(support, str) or support not in ("sphere", "discrete"):
        raise ValueError(f"support must be 'sphere' or 'discrete', not {support!r}")
    return support == "sphere"


def _reduction(reduction, sphere):
    table = _SPHERE if sphere else _DISCRETE
    if not isinstance(reduction, str) or reduction not in table:
        raise ValueError(f"reduction must be one of {sorted(table)} for the {'sphere' if sphere else 'discrete'} support, not {reduction!r}")
    return table[reduction]


def entropy(embeddings, kappa=10.0, support="sphere", reduction="expectation", *, normalizer="exact", threads=0, validate=True):
    """The entropy H of a batch (k x d), in nats."""
    z = _matrix(embeddings, "embeddings")
    sphere = _support(support)
    code = _reduction(reduction, sphere)
    value = ctypes.c_double()
    options = _options(normalizer, threads, validate)
    if sphere:
        _native.check(names=_ONE, status=_native.lib.er_entropy_sphere(_pointer(z), z.shape[0], z.shape[1], _real(kappa, "kappa"), code, options, ctypes.byref(value)))
    else:
        _native.check(names=_ONE, status=_native.lib.er_entropy_discrete(_pointer(z), z.shape[0], z.shape[1], code, options, ctypes.byref(value)))
    return value.value


def entropy_with_grad(embeddings, kappa=10.0, support="sphere", reduction="expectation", *, normalizer="exact", threads=0, validate=True):
    """(H, dH/dembeddings as a float32 array of their shape, dH/dkappa or None for the discrete support)."""
    z = _matrix(embeddings, "embeddings")
    sphere = _support(support)
    code = _reduction(reduction, sphere)
    value, grad_kappa = ctypes.c_double(), ctypes.c_double()
    grad = np.empty_like(z)
    options = _options(normalizer, threads, validate)
    if sphere:
        _native.check(names=_ONE, status=_native.lib.er_entropy_sphere_grad(_pointer(z), z.shape[0], z.shape[1], _real(kappa, "kappa"), code, options,
                                                         ctypes.byref(value), ctypes.byref(grad_kappa), _pointer(grad)))
        return value.value, grad, grad_kappa.value
    _native.check(names=_ONE, status=_native.lib.er_entropy_discrete_grad(_pointer(z), z.shape[0], z.shape[1], code, options, ctypes.byref(value), _pointer(grad)))
    return value.value, grad, None


def _pair(projection1, projection2):
    a, b = _matrix(projection1, "projection1"), _matrix(projection2, "projection2")
    if a.shape != b.shape:
        raise ValueError(f"projection1 and projection2 must have the same shape, not {a.shape} and {b.shape}")
    return a, b


def reconstruction(projection1, projection2, kappa=10.0, support="sphere", *, normalizer="exact", threads=0, validate=True):
    """The reconstruction term R between two views (row i pairs with row i), in nats."""
    a, b = _pair(projection1, projection2)
    sphere = _support(support)
    value = ctypes.c_double()
    options = _options(normalizer, threads, validate)
    if sphere:
        _native.check(names=_TWO, status=_native.lib.er_reconstruction_sphere(_pointer(a), _pointer(b), a.shape[0], a.shape[1], _real(kappa, "kappa"), options, ctypes.byref(value)))
    else:
        _native.check(names=_TWO, status=_native.lib.er_reconstruction_discrete(_pointer(a), _pointer(b), a.shape[0], a.shape[1], options, ctypes.byref(value)))
    return value.value


def reconstruction_with_grad(projection1, projection2, kappa=10.0, support="sphere", *, normalizer="exact", threads=0, validate=True):
    """(R, dR/dprojection1, dR/dprojection2, dR/dkappa or None for the discrete support)."""
    a, b = _pair(projection1, projection2)
    sphere = _support(support)
    value, grad_kappa = ctypes.c_double(), ctypes.c_double()
    grad_a, grad_b = np.empty_like(a), np.empty_like(b)
    options = _options(normalizer, threads, validate)
    if sphere:
        _native.check(names=_TWO, status=_native.lib.er_reconstruction_sphere_grad(_pointer(a), _pointer(b), a.shape[0], a.shape[1], _real(kappa, "kappa"), options,
                                                                ctypes.byref(value), ctypes.byref(grad_kappa), _pointer(grad_a), _pointer(grad_b)))
        return value.value, grad_a, grad_b, grad_kappa.value
    _native.check(names=_TWO, status=_native.lib.er_reconstruction_discrete_grad(_pointer(a), _pointer(b), a.shape[0], a.shape[1], options,
                                                              ctypes.byref(value), _pointer(grad_a), _pointer(grad_b)))
    return value.value, grad_a, grad_b, None


def knn_entropy(embeddings, neighbors=4, *, threads=0, validate=True):
    """The k-nearest-neighbour entropy of unit rows on the sphere (no kappa), in nats."""
    z = _matrix(embeddings, "embeddings")
    value = ctypes.c_double()
    _native.check(names=_ONE, status=_native.lib.er_entropy_knn(_pointer(z), z.shape[0], z.shape[1], _int32(neighbors, "neighbors", 1, "at least 1"), _options("exact", threads, validate), ctypes.byref(value)))
    return value.value


def select_kappa(embeddings, method="loo", *, threads=0, validate=True):
    """The vMF kernel's kappa from unit rows: method "loo" (leave-one-out likelihood) or "rule_of_thumb"."""
    if not isinstance(method, str) or method not in ("loo", "rule_of_thumb"):
        raise ValueError(f"method must be 'loo' or 'rule_of_thumb', not {method!r}")
    z = _matrix(embeddings, "embeddings")
    kappa, log_likelihood = ctypes.c_double(), ctypes.c_double()
    iterations, boundary = ctypes.c_int32(), ctypes.c_int32()
    _native.check(names=_ONE, status=_native.lib.er_kappa_select(_pointer(z), z.shape[0], z.shape[1], 0 if method == "loo" else 1, _options("exact", threads, validate),
                                              ctypes.byref(kappa), ctypes.byref(log_likelihood), ctypes.byref(iterations), ctypes.byref(boundary)))
    return KappaSelection(kappa.value, log_likelihood.value, iterations.value, _BOUNDARIES[boundary.value])


def loo_log_likelihood(embeddings, kappa, *, threads=0, validate=True):
    """(L(kappa), dL/dkappa): the leave-one-out log-likelihood of the vMF kernel density, nats per sample."""
    z = _matrix(embeddings, "embeddings")
    value, derivative = ctypes.c_double(), ctypes.c_double()
    _native.check(names=_ONE, status=_native.lib.er_loo_log_likelihood(_pointer(z), z.shape[0], z.shape[1], _real(kappa, "kappa"), _options("exact", threads, validate),
                                                    ctypes.byref(value), ctypes.byref(derivative)))
    return value.value, derivative.value


def vmf(dimension, kappa):
    """The vMF functions of an array of kappas (each >= 0) at dimension d: a dict of float64 arrays
    log_bessel_i, log_normalizer, bessel_ratio and entropy, of kappa's shape."""
    dimension = _int32(dimension, "dimension", 1, "at least 1")
    k = _numeric(kappa, "kappa", kinds="iufc")  # bool kappas are refused, as a scalar True is
    if np.iscomplexobj(k):
        raise ValueError("kappa is complex; the vMF functions take real kappas")
    k = np.ascontiguousarray(k, dtype=np.float64)
    flat = k.reshape(-1)
    out = {name: np.empty_like(flat) for name in ("log_bessel_i", "log_normalizer", "bessel_ratio", "entropy")}
    p = lambda a: a.ctypes.data_as(ctypes.POINTER(ctypes.c_double))
    _native.check(_native.lib.er_vmf(dimension, p(flat), flat.size, p(out["log_bessel_i"]), p(out["log_normalizer"]), p(out["bessel_ratio"]), p(out["entropy"])))
    return {name: a.reshape(k.shape) for name, a in out.items()}
