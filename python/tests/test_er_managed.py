"""er_managed against a float64 PyTorch autograd implementation of the original's formulas
(tests/reference.py), with the golden data's tolerances: values to 1e-5 relative (and 1e-5 absolute),
gradients to 1e-4 of their largest entry. The library computes in float32; the reference in float64."""
import math
import os
import subprocess
import sys

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import er_managed
import er_managed.torch as et
import reference

VALUE_REL, VALUE_ABS, GRAD_REL = 1e-5, 1e-5, 1e-4


def close_value(got, want, what):
    assert abs(got - want) <= VALUE_ABS + VALUE_REL * abs(want), f"{what}: {got!r} vs {want!r}"


def close_grad(got, want, what):
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    scale = np.abs(want).max()
    error = np.abs(got - want).max()
    assert error <= GRAD_REL * scale + 1e-9, f"{what}: max error {error:.3e} of max |grad| {scale:.3e}"


def unit_rows(k, d, seed):
    g = torch.Generator().manual_seed(seed)
    return F.normalize(torch.randn(k, d, generator=g), dim=1)


def probability_rows(k, d, seed, scale=2.0):
    g = torch.Generator().manual_seed(seed)
    return torch.softmax(scale * torch.randn(k, d, generator=g), dim=1)


@pytest.mark.parametrize("k,d", [(7, 3), (64, 16), (100, 128)])
@pytest.mark.parametrize("kappa", [0.0, 0.5, 10.0, 100.0])
@pytest.mark.parametrize("reduction", ["expectation", "average", "leave_one_out"])
@pytest.mark.parametrize("normalizer", ["exact", "reference"])
def test_sphere_entropy_value_and_gradients(k, d, kappa, reduction, normalizer):
    if normalizer == "reference" and kappa == 0.0:
        with pytest.raises(ValueError, match="kappa"):
            er_managed.entropy(unit_rows(k, d, 1).numpy(), kappa, reduction=reduction, normalizer=normalizer)
        return
    z32 = unit_rows(k, d, k + d).numpy()
    z = torch.tensor(z32, dtype=torch.float64, requires_grad=True)
    kt = torch.tensor(kappa, dtype=torch.float64, requires_grad=True)
    want = reference.sphere_entropy(z, kt, reduction, normalizer)
    want_z, want_kappa = torch.autograd.grad(want, (z, kt))
    value, grad, grad_kappa = er_managed.entropy_with_grad(z32, kappa, "sphere", reduction, normalizer=normalizer)
    what = f"H {reduction} {normalizer} k={k} d={d} kappa={kappa}"
    close_value(value, float(want), what)
    close_value(er_managed.entropy(z32, kappa, "sphere", reduction, normalizer=normalizer), float(want), what)
    close_grad(grad, want_z, what + " dH/dz")
    close_value(grad_kappa, float(want_kappa), what + " dH/dkappa")

    # Through the autograd function: the same numbers.
    zt = torch.tensor(z32, requires_grad=True)
    kappa_t = torch.tensor(kappa, requires_grad=True)
    h = et.entropy(zt, kappa_t, "sphere", reduction, normalizer=normalizer)
    h.backward()
    assert h.dim() == 0
    close_value(float(h), float(want), what + " (torch)")
    close_grad(zt.grad, want_z, what + " (torch) dH/dz")
    close_value(float(kappa_t.grad), float(want_kappa), what + " (torch) dH/dkappa")


@pytest.mark.parametrize("k,d", [(1, 5), (16, 10), (128, 100)])
@pytest.mark.parametrize("reduction", ["expectation", "average"])
def test_discrete_entropy_value_and_gradient(k, d, reduction):
    w32 = probability_rows(k, d, k * d).numpy()
    w = torch.tensor(w32, dtype=torch.float64, requires_grad=True)
    want = reference.discrete_entropy(w, reduction)
    (want_w,) = torch.autograd.grad(want, (w,))
    value, grad, grad_kappa = er_managed.entropy_with_grad(w32, support="discrete", reduction=reduction)
    close_value(value, float(want), f"discrete {reduction}")
    close_grad(grad, want_w, f"discrete {reduction} dH/dw")
    assert grad_kappa is None
    wt = torch.tensor(w32, requires_grad=True)
    et.entropy(wt, support="discrete", reduction=reduction).backward()
    close_grad(wt.grad, want_w, f"discrete {reduction} (torch)")


@pytest.mark.parametrize("k,d", [(1, 3), (64, 16), (200, 300)])
@pytest.mark.parametrize("kappa", [0.0, 10.0, 100.0])
def test_sphere_reconstruction_value_and_gradients(k, d, kappa):
    a32, b32 = unit_rows(k, d, 1).numpy(), unit_rows(k, d, 2).numpy()
    a = torch.tensor(a32, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(b32, dtype=torch.float64, requires_grad=True)
    kt = torch.tensor(kappa, dtype=torch.float64, requires_grad=True)
    want = reference.sphere_reconstruction(a, b, kt)
    want_a, want_b, want_kappa = torch.autograd.grad(want, (a, b, kt))
    value, grad_a, grad_b, grad_kappa = er_managed.reconstruction_with_grad(a32, b32, kappa)
    close_value(value, float(want), "R sphere")
    close_value(er_managed.reconstruction(a32, b32, kappa), float(want), "R sphere")
    close_grad(grad_a, want_a, "dR/da")
    close_grad(grad_b, want_b, "dR/db")
    close_value(grad_kappa, float(want_kappa), "dR/dkappa")


@pytest.mark.parametrize("k,d", [(1, 3), (64, 16), (200, 300)])
def test_discrete_reconstruction_value_and_gradients(k, d):
    a32, b32 = probability_rows(k, d, 3).numpy(), probability_rows(k, d, 4).numpy()
    a = torch.tensor(a32, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(b32, dtype=torch.float64, requires_grad=True)
    want = reference.discrete_reconstruction(a, b)
    want_a, want_b = torch.autograd.grad(want, (a, b))
    value, grad_a, grad_b, grad_kappa = er_managed.reconstruction_with_grad(a32, b32, support="discrete")
    close_value(value, float(want), "R discrete")
    close_grad(grad_a, want_a, "dR/da discrete")
    close_grad(grad_b, want_b, "dR/db discrete")
    assert grad_kappa is None
    at, bt = torch.tensor(a32, requires_grad=True), torch.tensor(b32, requires_grad=True)
    et.reconstruction(at, bt, support="discrete").backward()
    close_grad(at.grad, want_a, "dR/da discrete (torch)")


@pytest.mark.parametrize("reduction", ["expectation", "average", "leave_one_out"])
def test_gradcheck_of_the_autograd_functions(reduction):
    # The functions compute in float32: central differences at eps 1e-3 on raw (pre-normalization)
    # inputs in double, which gradcheck needs, agree to about 1e-3.
    x = torch.randn(9, 4, dtype=torch.float64, requires_grad=True)
    y = torch.randn(9, 4, dtype=torch.float64, requires_grad=True)
    kappa = torch.tensor(3.0, dtype=torch.float64, requires_grad=True)

    def loss(x, y, kappa):
        zx, zy = F.normalize(x, dim=1), F.normalize(y, dim=1)
        return et.reconstruction(zx, zy, kappa) - et.entropy(zx, kappa, reduction=reduction)

    assert torch.autograd.gradcheck(loss, (x, y, kappa), eps=1e-3, atol=2e-3, rtol=2e-2)
    w = torch.randn(6, 5, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda w: et.entropy(torch.softmax(w, 1), support="discrete", reduction="expectation"), (w,), eps=1e-3, atol=2e-3, rtol=2e-2)


def test_the_originals_printed_self_check_through_python():
    # Its "Getting Started" inputs (random, as there), the reference normalizer; the values move in the
    # 4th to 5th significant digit from run to run (the high-temperature one by about 0.01).
    torch.manual_seed(0)
    k = d = 1000
    z = F.normalize(torch.randn(k, d), dim=1).numpy()
    u = torch.rand(k, d)
    one_hot_logits = torch.zeros(k, d)
    one_hot_logits[:, 0] = 1000
    p1 = F.normalize(u + torch.randn(k, d), dim=1).numpy()
    p2 = F.normalize(u + torch.randn(k, d), dim=1).numpy()
    u2 = torch.rand(k, d)
    q1 = torch.softmax(10 * u2 + torch.randn(k, d), 1).numpy()
    q2 = torch.softmax(10 * u2 + torch.randn(k, d), 1).numpy()
    printed = {
        "plug-in": (er_managed.entropy(z, 10.0, "sphere", "expectation", normalizer="reference"), -249.30848693847656, 0.02),
        "joe": (er_managed.entropy(z, 10.0, "sphere", "average", normalizer="reference"), -249.30833435058594, 0.02),
        "uniform": (er_managed.entropy(torch.softmax(torch.rand(k, d), 1).numpy(), support="discrete"), 6.907612323760986, 1e-3),
        "high temp": (er_managed.entropy(torch.softmax(1000 * torch.rand(k, d), 1).numpy(), support="discrete"), 6.695544242858887, 0.03),
        "one-hot": (er_managed.entropy(torch.softmax(one_hot_logits, 1).numpy(), support="discrete"), -1.1920928244535389e-07, 1e-6),
        "reconstruction sphere": (er_managed.reconstruction(p1, p2, 10.0, normalizer="reference"), -248.65525817871094, 0.02),
        "reconstruction discrete": (er_managed.reconstruction(q1, q2, support="discrete"), 6.100684642791748, 0.01),
    }
    for name, (got, want, tolerance) in printed.items():
        assert abs(got - want) <= tolerance, f"{name}: {got!r} vs the original's {want!r}"
    assert math.log(d) == pytest.approx(6.907755278982137)


def test_a_torch_model_trains_with_the_er_loss_through_the_functions():
    torch.manual_seed(3)
    centers = torch.randn(16, 20)
    model = torch.nn.Sequential(torch.nn.Linear(20, 32), torch.nn.ReLU(), torch.nn.Linear(32, 8))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    losses, entropies = [], []
    for step in range(60):
        labels = torch.randint(0, 16, (128,))
        x1 = centers[labels] + 0.3 * torch.randn(128, 20)
        x2 = centers[labels] + 0.3 * torch.randn(128, 20)
        z1, z2 = F.normalize(model(x1), dim=1), F.normalize(model(x2), dim=1)
        h = et.entropy(z1, reduction="leave_one_out")
        loss = et.reconstruction(z1, z2) - h
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(float(loss))
        entropies.append(float(h))
    assert all(math.isfinite(v) for v in losses)
    assert np.mean(losses[-10:]) < np.mean(losses[:10]), f"the loss did not fall: {losses[:3]} ... {losses[-3:]}"
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in model.parameters())


def test_library_errors_are_value_errors_with_the_librarys_message():
    z = unit_rows(10, 4, 0).numpy()
    with pytest.raises(ValueError, match="embeddings: Row 0 has norm"):
        er_managed.entropy(2 * z)
    with pytest.raises(ValueError, match="pass validate=False"):
        er_managed.entropy(2 * z)
    assert math.isfinite(er_managed.entropy(2 * z, validate=False))
    with pytest.raises(ValueError, match="kappa"):
        er_managed.entropy(z, kappa=-1.0)
    bad = z.copy()
    bad[2, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        er_managed.entropy(bad)
    with pytest.raises(ValueError, match="projection2"):
        er_managed.reconstruction(z, np.full_like(z, 3.0))
    with pytest.raises(ValueError, match="same shape"):
        er_managed.reconstruction(z, z[:5])
    with pytest.raises(ValueError, match="2-D"):
        er_managed.entropy(z[0])
    with pytest.raises(ValueError, match="reduction"):
        er_managed.entropy(probability_rows(4, 3, 0).numpy(), support="discrete", reduction="leave_one_out")
    with pytest.raises(ValueError, match="rows"):
        er_managed.entropy(z[:1], reduction="leave_one_out")
    with pytest.raises(ValueError, match="CPU"):
        if torch.cuda.is_available():
            et.entropy(torch.tensor(z).cuda())
        else:
            raise ValueError("no CUDA here: CPU only, as checked")


@pytest.mark.parametrize("call, name", [
    (lambda z: er_managed.entropy(z, reduction=["expectation"]), "reduction"),
    (lambda z: er_managed.entropy(z, support={"sphere": 1}), "support"),
    (lambda z: er_managed.entropy(z, normalizer=["exact"]), "normalizer"),
    (lambda z: er_managed.entropy(z, kappa=None), "kappa"),
    (lambda z: er_managed.entropy(z, kappa=[1.0, 2.0]), "kappa"),
    (lambda z: er_managed.reconstruction(z, z, kappa=None), "kappa"),
    (lambda z: er_managed.loo_log_likelihood(z, kappa={}), "kappa"),
    (lambda z: er_managed.select_kappa(z, method=["loo"]), "method"),
])
def test_arguments_of_the_wrong_type_are_value_errors_naming_them(call, name):
    # `in` on a dict raised TypeError: unhashable type, and float(None) a TypeError naming no argument.
    z = unit_rows(10, 4, 0).numpy()
    with pytest.raises(ValueError, match=f"^{name} must be"):
        call(z)


def test_inputs_that_float32_or_int32_cannot_hold_are_refused_by_name():
    z = unit_rows(10, 4, 0).numpy()
    # numpy's cast dropped the imaginary part (a warning only) and made 1e300 an infinity.
    with pytest.raises(ValueError, match="embeddings is complex"):
        er_managed.entropy(z.astype(np.complex128))
    with pytest.raises(ValueError, match="complex tensors"):
        et.entropy(torch.tensor(z, dtype=torch.complex64))
    big = z.astype(np.float64)
    big[3, 2] = 1e300
    with pytest.raises(ValueError, match=r"embeddings: element \[3, 2\] \(1e\+300\) is outside float32's range"):
        er_managed.entropy(big)
    with pytest.raises(ValueError, match="outside float32's range"):
        et.entropy(torch.tensor(big))
    with pytest.raises(ValueError, match="projection2: element"):
        er_managed.reconstruction(z, big)
    # float32's largest value is held (this row is then refused for its norm, not its range), and
    # float64 input that float32 holds is taken as before.
    edge = z.astype(np.float64)
    edge[0, 0] = float(np.finfo(np.float32).max)
    with pytest.raises(ValueError, match="Row 0 has norm"):
        er_managed.entropy(edge)
    assert math.isfinite(er_managed.entropy(z.astype(np.float64)))
    # ctypes wrapped 10**12 into a negative int32 and int() truncated 2.5.
    for threads in (-1, 10**12, 2.5, True, "2"):
        with pytest.raises(ValueError, match="threads must be 0"):
            er_managed.entropy(z, threads=threads)
    assert er_managed.entropy(z, threads=np.int64(2)) == er_managed.entropy(z, threads=1)
    # Truthiness took validate="no" as True.
    for validate in ("no", "false", 0, None):
        with pytest.raises(ValueError, match="validate must be True or False"):
            er_managed.entropy(z, validate=validate)
    assert er_managed.entropy(z, validate=np.False_) == er_managed.entropy(z, validate=False)
    # A dimension of 2**32 + 3 was computed as d = 3, and 3.9 as 3; neighbors alike.
    for dimension in (2**32 + 3, 3.9, 0):
        with pytest.raises(ValueError, match="dimension must be at least 1"):
            er_managed.vmf(dimension, [10.0])
    for neighbors in (2**32 + 4, 4.5, 0):
        with pytest.raises(ValueError, match="neighbors must be at least 1"):
            er_managed.knn_entropy(z, neighbors=neighbors)
    # rows x (2 neighbors + 8) past an array overflowed int inside the library; now a refusal.
    angles = np.arange(32800, dtype=np.float64)
    circle = np.stack([np.cos(angles), np.sin(angles)], axis=1).astype(np.float32)
    with pytest.raises(ValueError, match=r"neighbors: The kNN estimator keeps 2 x neighbors \+ 8 candidates a row"):
        er_managed.knn_entropy(circle, neighbors=32767)
    with pytest.raises(ValueError, match="kappa is complex"):
        er_managed.vmf(3, np.array([10 + 1j]))
    assert er_managed.vmf(np.int32(3), [10.0])["entropy"][0] == er_managed.vmf(3, [10.0])["entropy"][0]


def test_estimators_kappa_selection_and_vmf():
    z = unit_rows(300, 8, 5).numpy()
    assert math.isfinite(er_managed.knn_entropy(z))
    selection = er_managed.select_kappa(z)
    assert selection.boundary in ("none", "uniform", "concentrated") and selection.kappa >= 0 and selection.iterations > 0
    value, derivative = er_managed.loo_log_likelihood(z, selection.kappa)
    assert value == pytest.approx(selection.log_likelihood, abs=1e-9)
    table = er_managed.vmf(3, np.array([[0.0, 1.0], [10.0, 50.0]]))
    assert table["log_normalizer"].shape == (2, 2)
    assert table["log_normalizer"][0, 1] == pytest.approx(-math.log(4 * math.pi * math.sinh(1.0)), rel=1e-13)
    assert table["bessel_ratio"][0, 0] == 0.0 and table["log_bessel_i"][0, 0] == -math.inf


def test_float64_and_non_contiguous_tensors_are_copied_and_gradients_keep_their_dtype():
    x = torch.randn(20, 6, dtype=torch.float64).T.contiguous().T  # non-contiguous, float64
    x.requires_grad_(True)
    h = et.entropy(F.normalize(x, dim=1), 5.0)
    h.backward()
    assert x.grad.dtype == torch.float64 and torch.isfinite(x.grad).all()


def test_the_environment_variable_names_the_library_and_wins():
    code = "import er_managed"
    env = dict(os.environ, ER_MANAGED_LIBRARY="/nonexistent/libermanaged.so")
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=os.path.join(os.path.dirname(__file__), ".."))
    assert result.returncode != 0 and "/nonexistent/libermanaged.so" in result.stderr
    assert er_managed.library_path() == os.environ.get("ER_MANAGED_LIBRARY", er_managed.library_path())


def test_torch_values_keep_their_precision_and_kappa_tensors_of_any_scalar_shape_get_gradients():
    # One-hot integer or bool rows are valid discrete inputs: their dtype truncated the value (log 4
    # came back as tensor(1) and tensor(True)); they give torch's default dtype.
    want = er_managed.entropy(np.eye(4, dtype=np.float32), support="discrete")
    assert want == pytest.approx(math.log(4), rel=1e-6)
    for dtype in (torch.int64, torch.int32, torch.uint8, torch.bool):
        got = et.entropy(torch.eye(4, dtype=dtype), support="discrete")
        assert got.dtype == torch.get_default_dtype(), dtype
        assert float(got) == pytest.approx(want, rel=1e-6), dtype
        got = et.reconstruction(torch.eye(4, dtype=dtype), torch.eye(4, dtype=dtype), support="discrete")
        assert got.dtype == torch.get_default_dtype() and math.isfinite(float(got)), dtype
    # A kappa tensor of one element in any shape gets dL/dkappa in its own shape (a (1,) kappa made
    # autograd refuse the 0-d gradient), equal to the 0-d kappa's.
    z, z2 = unit_rows(12, 4, 1), unit_rows(12, 4, 2)
    expected = {}
    for shape in ((), (1,), (1, 1)):
        for name, term in (("entropy", lambda k: et.entropy(z, k)), ("reconstruction", lambda k: et.reconstruction(z, z2, k))):
            kappa = torch.full(shape, 10.0, dtype=torch.float64, requires_grad=True)
            term(kappa).backward()
            assert kappa.grad.shape == kappa.shape, (name, shape)
            expected.setdefault(name, float(kappa.grad.reshape(())))
            assert float(kappa.grad.reshape(())) == expected[name], (name, shape)
    with pytest.raises(ValueError, match="kappa must be a scalar"):
        et.entropy(z, torch.tensor([10.0, 11.0]))
    with pytest.raises(TypeError, match="takes torch tensors"):
        et.entropy(z.numpy())


def test_kappa_must_be_a_real_number():
    # float() took the string "10" and True as kappas.
    z = unit_rows(10, 4, 0).numpy()
    for kappa in ("10", b"10", True, np.True_, 10 + 0j):
        with pytest.raises(ValueError, match="kappa must be a real number"):
            er_managed.entropy(z, kappa=kappa)
        with pytest.raises(ValueError, match="kappa must be a real number"):
            er_managed.reconstruction(z, z, kappa=kappa)
        with pytest.raises(ValueError, match="kappa must be a real number"):
            er_managed.loo_log_likelihood(z, kappa)
    with pytest.raises(ValueError, match="kappa must be real"):
        et.entropy(torch.tensor(z), torch.tensor(10 + 0j))
    assert er_managed.entropy(z, kappa=np.float32(10)) == er_managed.entropy(z, kappa=10)
    assert er_managed.entropy(z, kappa=np.array(10.0)) == er_managed.entropy(z, kappa=10)


def test_arrays_that_are_not_numbers_or_are_masked_are_refused_by_name():
    # Casting parsed strings ("1") and made None a NaN reported as an element; np.asarray dropped a
    # masked array's mask, so the masked values were used.
    z = unit_rows(6, 3, 0).numpy()
    with pytest.raises(ValueError, match="embeddings must hold numbers, not <U"):
        er_managed.entropy(z.astype(str))
    with pytest.raises(ValueError, match="embeddings must hold numbers, not object"):
        er_managed.entropy(np.array([[1.0, None]], dtype=object))
    with pytest.raises(ValueError, match="projection2 is a masked array"):
        er_managed.reconstruction(z, np.ma.masked_array(z, mask=np.eye(6, 3, dtype=bool)))
    with pytest.raises(ValueError, match="kappa must hold numbers"):
        er_managed.vmf(3, ["10"])
    # Numbers of every real kind are taken: bool one-hot rows, integers, float16.
    eye = np.eye(4)
    want = er_managed.entropy(eye.astype(np.float32), support="discrete")
    for dtype in (bool, np.int8, np.uint16, np.int64, np.float16):
        assert er_managed.entropy(eye.astype(dtype), support="discrete") == want, dtype
    with pytest.raises(ValueError, match="kappa must hold numbers, not bool"):
        er_managed.vmf(3, [True])
    assert er_managed.vmf(3, np.array([1], dtype=np.int16))["entropy"][0] == er_managed.vmf(3, [1.0])["entropy"][0]
