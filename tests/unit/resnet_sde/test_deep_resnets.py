"""Deep finite ResNets of Peluchetti & Favaro: forward samplers, Jacobian, empirical NTK, conv ResNet.

Every Monte Carlo assertion goes through verify.core.stats at a false-failure rate of
1e-6 per test (split by Bonferroni where a test makes several) and reports the
smallest discrepancy it detects (false-pass rate 1e-6).  The finite-(D, L)
predictions are exact (no finite-size bias), so no modelling tolerance is used.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from numerics.dual.activations import activation
from numerics.resnet_sde import (
    ResNet,
    choose_method,
    conv_resnet_outputs,
    resnet_ntk,
    resnet_outputs,
    resnet_parameters,
)
from numerics.resnet_sde.ntk import resnet_jacobian
from numerics.kernel.networks import BLOCK
from verify.core.stats import assert_mean, assert_rate, assert_two_sample_dkwm, bonferroni

RATE = 1e-6
seeds = st.integers(min_value=0, max_value=2**32 - 1)


def _linear_growth(v0, beta, a, steps):
    """E v_L for v_{l+1} = v_l (1 + a) + a beta in expectation: (v0 + beta)(1 + a)^L - beta."""
    return (v0 + beta) * (1 + a) ** steps - beta


# ----------------------------------------------------------------------------- validation


@pytest.mark.parametrize("kwargs, match", [
    (dict(depth=0), "depth=0"),
    (dict(width=0), "width=0"),
    (dict(sigma_w=-1.0), "sigma_w=-1.0"),
    (dict(sigma_b=math.inf), "sigma_b=inf"),
    (dict(T=0.0), r"T=0.0 .*\(0, inf\)"),
    (dict(phi="cos"), r"phi\(0\)=1.0 must be 0"),
    (dict(phi="nope"), "phi='nope'"),
    (dict(psi=3), "psi=3"),
    (dict(input="image"), "input='image'"),
    (dict(input="dense"), "sigma_z=None"),
    (dict(sigma_z=1.0), "sigma_z=1.0 is only used"),
    (dict(sigma_y=-0.5), "sigma_y=-0.5"),
])
def test_model_validation(kwargs, match):
    opts = dict(depth=3, width=4, sigma_w=1.0, sigma_b=0.1) | kwargs
    with pytest.raises(ValueError, match=match):
        ResNet(**opts)


def test_call_validation():
    net = ResNet(depth=2, width=3, sigma_w=1.0, sigma_b=0.0)
    x = np.ones((2, 3))
    for kwargs, match in [(dict(n_samples=0), "n_samples=0"), (dict(method="euler"), "method='euler'"),
                          (dict(layers=[5]), r"layers=5 .*\[0, 2\]"), (dict(units=[3]), r"units=3 .*\[0, 2\]"),
                          (dict(chunk_size=0), "chunk_size=0"), (dict(gram=1), "gram=1"),
                          (dict(seed=-1), "seed=-1")]:
        with pytest.raises(ValueError, match=match):
            resnet_outputs(net, x, **(dict(n_samples=2, seed=0) | kwargs))
    with pytest.raises(ValueError, match=r"x has 2 features but width=3"):
        resnet_outputs(net, np.ones((2, 2)), n_samples=1, seed=0)
    with pytest.raises(ValueError, match="x=nan"):
        resnet_outputs(net, np.full((2, 3), np.nan), n_samples=1, seed=0)
    with pytest.raises(ValueError, match="needs the derivative of psi"):
        resnet_ntk(ResNet(depth=2, width=3, sigma_w=1.0, sigma_b=0.0, psi=np.sin), x, n_samples=1, seed=0)
    with pytest.raises(ValueError, match="kernel_size=2"):
        conv_resnet_outputs(net, np.ones((1, 4, 3)), kernel_size=2, n_samples=1, seed=0)
    with pytest.raises(ValueError, match="padding='reflect'"):
        conv_resnet_outputs(net, np.ones((1, 4, 3)), kernel_size=1, n_samples=1, seed=0, padding="reflect")


# ----------------------------------------------------------------------------- seeds, shapes


@settings(deadline=None, max_examples=8)
@given(seed=seeds, method=st.sampled_from(["exact_in_law", "full"]), n_samples=st.integers(1, 2 * BLOCK + 3),
       inp=st.sampled_from(["state", "copy", "dense"]))
def test_seed_determinism_and_chunk_independence(seed, method, n_samples, inp):
    net = ResNet(depth=3, width=5, sigma_w=1.1, sigma_b=0.3, phi="tanh", psi="silu", input=inp,
                 sigma_z=0.7 if inp == "dense" else None, sigma_y=1.3, mu_w=0.2, mu_b=-0.1)
    x = {"state": np.arange(10.0).reshape(2, 5) / 10, "copy": np.array([-1.0, 0.5]),
         "dense": np.array([[1.0, 0.0, 2.0], [0.5, -1.0, 0.0]])}[inp]
    opts = dict(n_samples=n_samples, method=method, layers=range(4), units=(0, 4), gram=True, final=True)
    r = resnet_outputs(net, x, seed=seed, **opts)
    assert r.states.shape == (n_samples, 4, 2, 2) and r.gram.shape == (n_samples, 4, 2, 2)
    assert r.final.shape == (n_samples, 2, 5) and r.readout.shape == (n_samples, 2)
    np.testing.assert_array_equal(r.states[:, -1], r.final[:, :, [0, 4]])
    # same inner products summed in another order: rounding only (relative to the scale: cross terms cancel)
    np.testing.assert_allclose(r.gram[:, -1], np.einsum("sid,sjd->sij", r.final, r.final) / 5, rtol=1e-12,
                               atol=1e-14 * np.abs(r.gram).max())
    ss = np.random.SeedSequence(seed)
    for other in (resnet_outputs(net, x, seed=ss, chunk_size=1, **opts),
                  resnet_outputs(net, x, seed=seed, chunk_size=3 * BLOCK, **opts)):
        for a, b in ((r.states, other.states), (r.gram, other.gram), (r.readout, other.readout)):
            np.testing.assert_array_equal(a, b)
    assert ss.n_children_spawned == 0
    assert not np.array_equal(r.states, resnet_outputs(net, x, seed=seed + 1, **opts).states)


def test_auto_method_choice():
    assert choose_method(500, 2) == "exact_in_law"
    assert choose_method(500, 400) == "full"
    net = ResNet(depth=2, width=6, sigma_w=1.0, sigma_b=0.2, psi="identity", input="copy")
    assert resnet_outputs(net, np.zeros(2), n_samples=1, seed=0).method == "exact_in_law"
    # rank-one initial Gram (copied inputs): the eigen-factor path, outputs finite
    r = resnet_outputs(net, np.array([0.5, 0.5, 1.0]), n_samples=3, seed=0, final=True, method="exact_in_law")
    assert np.isfinite(r.final).all()
    np.testing.assert_allclose(r.final[:, 0], r.final[:, 1], rtol=0, atol=1e-12)


# ----------------------------------------------------------------------------- exact laws at finite D, L


@pytest.mark.parametrize("method", ["exact_in_law", "full"])
def test_mean_squared_norm_exact_at_finite_depth_and_width(method):
    r"""phi = psi = id: E q_l = (q_0 + beta)(1 + sigma_w^2 dt)^l - beta and the same for lambda_l, exactly.

    E[x_{l+1} x_{l+1}^T | x_l] adds sigma_w^2 dt |x_l|^2/D + sigma_b^2 dt per unit.  Tested at
    every layer l = 1..L for q^(1), q^(2), lambda^(12): 3L means, assert_mean (Bonferroni inside)
    at a false-failure rate of 1e-6 for the whole test.
    """
    D, L, sw, sb = 4, 6, 1.3, 0.6
    net = ResNet(depth=L, width=D, sigma_w=sw, sigma_b=sb, phi="identity", psi="identity")
    x = np.array([[1.0, 0.0, -1.0, 0.5], [0.2, 0.4, 0.0, -0.8]])
    r = resnet_outputs(net, x, n_samples=20000, seed=11, method=method, layers=range(1, L + 1), gram=True)
    g0 = x @ x.T / D
    beta, a = sb**2 / sw**2, sw**2 / L
    ls = np.arange(1, L + 1)
    pred = np.stack([_linear_growth(g0[i, j], beta, a, ls) for i, j in ((0, 0), (1, 1), (0, 1))], axis=1)
    obs = np.stack([r.gram[:, :, 0, 0], r.gram[:, :, 1, 1], r.gram[:, :, 0, 1]], axis=2)
    res = assert_mean(obs.reshape(len(obs), -1), pred.reshape(-1), false_fail_rate=RATE)
    assert res.detectable_discrepancy < 0.1 * pred.max()


def test_completed_network_second_moment_exact():
    r"""Completed net, phi = psi = id: E[y(z) y(z')] = sigma_Y^2[(sigma_Z^2 z.z' + beta)(1 + sigma_w^2/L)^L - beta].

    The finite-(D, L) form of the NNGP (JMLR eqs. 41-42), exact.  Three products
    (z z, z' z', z z') tested jointly at false-failure rate 1e-6.
    """
    D, L, sw, sb, sz, sy = 5, 5, 1.0, 0.5, 0.8, 1.2
    net = ResNet(depth=L, width=D, sigma_w=sw, sigma_b=sb, phi="identity", psi="identity", input="dense",
                 sigma_z=sz, sigma_y=sy)
    z = np.array([[1.0, -0.5], [0.3, 1.0]])
    y = resnet_outputs(net, z, n_samples=40000, seed=5).readout
    zz = z @ z.T
    pairs = ((0, 0), (1, 1), (0, 1))
    pred = [sy**2 * _linear_growth(sz**2 * zz[i, j], sb**2 / sw**2, sw**2 / L, L) for i, j in pairs]
    assert_mean(np.stack([y[:, i] * y[:, j] for i, j in pairs], axis=1), pred, false_fail_rate=RATE)


@pytest.mark.parametrize("phi, psi", [("tanh", "tanh"), ("silu", "silu")])
def test_exact_in_law_and_full_agree_in_law(phi, psi):
    """Two-sample DKWM on x_{L,1}(z_1) and on x_{L,1}(z_1) - x_{L,1}(z_2) (the joint law), nonlinear phi.

    False-failure rate 1e-6 for the two comparisons together (5e-7 each);
    detectable sup-distance between the CDFs 0.079 at n = m = 20000 (union-bound DKWM envelopes).
    """
    net = ResNet(depth=10, width=6, sigma_w=1.5, sigma_b=0.8, phi=phi, psi=psi, mu_w=0.3, mu_b=0.2)
    x = np.array([[1.0, 0.5, -0.5, 0.0, 2.0, -1.0], [0.0, 1.0, 1.0, -2.0, 0.5, 0.3], [0.1] * 6])
    a = resnet_outputs(net, x, n_samples=20000, seed=1, method="exact_in_law").states[:, 0, :, 0]
    b = resnet_outputs(net, x, n_samples=20000, seed=2, method="full").states[:, 0, :, 0]
    rate = bonferroni(RATE, 2)
    res = assert_two_sample_dkwm(a[:, 0], b[:, 0], false_fail_rate=rate)
    assert res.detectable_discrepancy < 0.08
    assert_two_sample_dkwm(a[:, 0] - a[:, 1], b[:, 0] - b[:, 1], false_fail_rate=rate)


# ----------------------------------------------------------------------------- Jacobian and NTK


def _reference(params, net, z, s, d=None):
    """Per-network plain forward pass of the documented model (independent of the library code)."""
    phi, psi = activation(net.phi), activation(net.psi)
    D, dt = net.width, net.dt
    if net.input == "dense":
        X = net.sigma_z * params["input"][s] @ z.T
    elif net.input == "copy":
        X = np.broadcast_to(z, (D, z.size)).copy()
    else:
        X = z.T.copy()
    if d is not None:
        X = X + d
    for l in range(net.depth):
        A = net.sigma_w * math.sqrt(dt / D) * params["E"][s, l] + net.mu_w * dt * np.eye(D)
        a = net.sigma_b * math.sqrt(dt) * params["e"][s, l] + net.mu_b * dt
        X = X + phi.phi(A @ psi.phi(X) + a[:, None])
    if net.sigma_y is not None:
        return net.sigma_y / math.sqrt(D) * params["readout"][s] @ X
    return X


@settings(deadline=None, max_examples=4)
@given(seed=seeds, completed=st.booleans())
def test_ntk_and_jacobian_match_finite_differences(seed, completed):
    """Backward-pass NTK parts, input gradient and Jacobian against central differences (error ~1e-9)."""
    if completed:
        net = ResNet(depth=3, width=3, sigma_w=1.2, sigma_b=0.7, phi="tanh", psi="silu", mu_w=0.4, mu_b=-0.3,
                     input="dense", sigma_z=0.9, sigma_y=1.1)
        z = np.array([[1.0, -0.5], [0.3, 0.8]])
    else:
        net = ResNet(depth=3, width=3, sigma_w=1.2, sigma_b=0.7, phi="silu", psi="tanh", mu_w=-0.2, mu_b=0.1)
        z = np.array([[1.0, -0.5, 0.2], [0.3, 0.8, -1.0]])
    res = resnet_ntk(net, z, n_samples=2, seed=seed, jacobian=not completed, unit=1)
    params = resnet_parameters(net, z, n_samples=2, seed=seed)
    eps = 1e-5

    def out(s):
        f = _reference(params, net, z, s)
        return f if completed else f[1]

    for s in range(2):
        np.testing.assert_allclose(res.outputs[s], out(s), rtol=1e-12, atol=1e-13)
        grads = {}
        groups = {"W": ["E"], "b": ["e"]} | ({"input": ["input"], "output": ["readout"]} if completed else {})
        for part, names in groups.items():
            rows = []
            for name in names:
                arr = params[name][s]
                for idx in np.ndindex(arr.shape):
                    keep = arr[idx]
                    arr[idx] = keep + eps
                    up = out(s)
                    arr[idx] = keep - eps
                    down = out(s)
                    arr[idx] = keep
                    rows.append((up - down) / (2 * eps))
            grads[part] = np.array(rows).T                       # (m, n_params)
        assert sorted(res.ntk) == sorted(grads)
        for part, jac in grads.items():
            np.testing.assert_allclose(res.ntk[part][s], jac @ jac.T, rtol=1e-7, atol=1e-8, err_msg=part)
        if not completed:
            # input Jacobian dx_L/dx_0, per input, by central differences on x_0
            for i in range(2):
                cols = []
                for k in range(net.width):
                    dx = np.zeros((net.width, 2))
                    dx[k, i] = eps
                    cols.append((_reference(params, net, z, s, dx)[:, i] - _reference(params, net, z, s, -dx)[:, i])
                                / (2 * eps))
                fd = np.array(cols).T
                np.testing.assert_allclose(res.jacobian[s, i], fd, rtol=1e-7, atol=1e-8)
                np.testing.assert_allclose(res.grad_input[s, i], fd[1], rtol=1e-7, atol=1e-8)


def test_ntk_outputs_equal_full_forward():
    net = ResNet(depth=4, width=5, sigma_w=1.0, sigma_b=0.3, phi="tanh", psi="tanh", input="copy", sigma_y=1.0)
    z = np.array([-1.0, 0.5, 2.0])
    res = resnet_ntk(net, z, n_samples=BLOCK + 2, seed=3)
    ref = resnet_outputs(net, z, n_samples=BLOCK + 2, seed=3, method="full").readout
    np.testing.assert_array_equal(res.outputs, ref)
    np.testing.assert_allclose(res.ntk_total, res.ntk_total.transpose(0, 2, 1), rtol=1e-12)
    assert (np.linalg.eigvalsh(res.ntk_total) > -1e-10).all()


def test_jacobian_gram_exact_mean():
    r"""phi = psi = id: E[g_L^T g_L] = (1 + sigma_w^2 dt)^L I exactly (JMLR §4 at finite D, L).

    9 entries tested jointly at false-failure rate 1e-6.
    """
    D, L, sw = 3, 5, 1.4
    net = ResNet(depth=L, width=D, sigma_w=sw, sigma_b=0.5, phi="identity", psi="identity", mu_b=0.3)
    g = resnet_ntk(net, np.zeros((1, D)), n_samples=20000, seed=8, jacobian=True).jacobian[:, 0]
    gram = np.einsum("ski,skj->sij", g, g).reshape(len(g), -1)
    assert_mean(gram, ((1 + sw**2 / L) ** L * np.eye(D)).reshape(-1), false_fail_rate=RATE)


@pytest.mark.parametrize("net, z", [
    (ResNet(depth=5, width=3, sigma_w=1.2, sigma_b=0.7, phi="silu", psi="tanh", mu_w=-0.2, mu_b=0.1),
     np.array([[1.0, -0.5, 0.2], [0.3, 0.8, -1.0]])),
    (ResNet(depth=4, width=4, sigma_w=0.9, sigma_b=0.3, phi="tanh", psi="identity", input="dense", sigma_z=0.8),
     np.array([[1.0, 2.0], [-0.5, 0.1]])),
])
def test_resnet_jacobian_is_the_forward_pass_of_resnet_ntk(net, z):
    """resnet_jacobian draws what resnet_ntk draws (same seed): identical Jacobians, whatever the chunking."""
    n = 3 * BLOCK + 5
    ref = resnet_ntk(net, z, n_samples=n, seed=11, jacobian=True).jacobian
    for chunk in (None, 1, 2 * BLOCK, 10 * BLOCK):
        np.testing.assert_array_equal(resnet_jacobian(net, z, n_samples=n, seed=11, chunk_size=chunk), ref)


def test_resnet_jacobian_validation():
    net = ResNet(depth=2, width=3, sigma_w=1.0, sigma_b=0.0)
    x = np.ones((1, 3))
    for kwargs, match in [(dict(n_samples=0), "n_samples=0"), (dict(chunk_size=0), "chunk_size=0"),
                          (dict(seed=-1), "seed=-1")]:
        with pytest.raises(ValueError, match=match):
            resnet_jacobian(net, x, **(dict(n_samples=2, seed=0) | kwargs))
    with pytest.raises(ValueError, match="must be a numerics.resnet_sde.ResNet"):
        resnet_jacobian("net", x, n_samples=1, seed=0)
    with pytest.raises(ValueError, match="resnet_jacobian needs the derivative of psi"):
        resnet_jacobian(ResNet(depth=2, width=3, sigma_w=1.0, sigma_b=0.0, psi=np.sin), x, n_samples=1, seed=0)
    with pytest.raises(ValueError, match=r"x has 2 features but width=3"):
        resnet_jacobian(net, np.ones((1, 2)), n_samples=1, seed=0)


def test_ntk_parts_exact_means():
    r"""phi = psi = id, output x_{L,1}: exact finite-(D, L) means of the NTK parts (JMLR §5.4 before the limit).

    With a = sigma_w^2 dt, E|delta_l|^2 = (1 + a)^{L-l} and delta_{l+1} independent of x_l, so
    E K_b = beta((1 + a)^L - 1) and
    E K_W = a L (lambda_0 + beta)(1 + a)^{L-1} - beta((1 + a)^L - 1)
    (-> beta(E - 1) and lambda_0 C E + beta(C E - (E - 1)) as L -> infinity).
    Six means (K_W, K_b at three input pairs) jointly at false-failure rate 1e-6.
    """
    D, L, sw, sb = 4, 6, 1.1, 0.7
    net = ResNet(depth=L, width=D, sigma_w=sw, sigma_b=sb, phi="identity", psi="identity")
    x = np.array([[1.0, 0.0, -1.0, 0.5], [0.2, 0.4, 0.0, -0.8]])
    res = resnet_ntk(net, x, n_samples=20000, seed=21)
    a, beta = sw**2 / L, sb**2 / sw**2
    lam0 = x @ x.T / D
    pairs = ((0, 0), (1, 1), (0, 1))
    pred = [a * L * (lam0[i, j] + beta) * (1 + a) ** (L - 1) - beta * ((1 + a) ** L - 1) for i, j in pairs]
    pred += [beta * ((1 + a) ** L - 1)] * 3
    obs = [res.ntk["W"][:, i, j] for i, j in pairs] + [res.ntk["b"][:, i, j] for i, j in pairs]
    assert_mean(np.stack(obs, axis=1), pred, false_fail_rate=RATE)


# ----------------------------------------------------------------------------- convolutional


def test_conv_kernel_one_is_the_fully_connected_net_on_every_position():
    """K = 1: each position is an input of the same fully connected network (same draws): equal outputs."""
    net = ResNet(depth=5, width=4, sigma_w=1.2, sigma_b=0.4, phi="tanh", psi="silu", mu_w=0.1, mu_b=0.2)
    x = np.random.default_rng(0).standard_normal((2, 3, 2, 4))
    conv = conv_resnet_outputs(net, x, kernel_size=1, n_samples=BLOCK + 3, seed=4, padding="zero")
    fc = resnet_outputs(net, x.reshape(-1, 4), n_samples=BLOCK + 3, seed=4, method="full", final=True).final
    np.testing.assert_allclose(conv.reshape(fc.shape), fc, rtol=1e-12, atol=1e-12)
    again = conv_resnet_outputs(net, x, kernel_size=1, n_samples=BLOCK + 3, seed=4, chunk_size=1)
    np.testing.assert_array_equal(conv, again)


@pytest.mark.parametrize("shape", [(1, 5, 3), (1, 3, 4, 3)])
def test_conv_mean_norm_exact_circular(shape):
    r"""Circular padding, phi = psi = id: the position-averaged Q_l = mean_p |x_{l,p}|^2 / D obeys
    E Q_{l+1} = (1 + K^s sigma_w^2 dt) E Q_l + sigma_b^2 dt exactly (each position lies in K^s patches).

    Corollary 13's scaling (filter variance sigma_w^2 dt / D, not / (K^s D)).  One mean at
    false-failure rate 1e-6.
    """
    D, L, K, sw, sb = shape[-1], 4, 3, 0.8, 0.5
    ks = K ** (len(shape) - 2)
    net = ResNet(depth=L, width=D, sigma_w=sw, sigma_b=sb, phi="identity", psi="identity")
    x = np.random.default_rng(1).standard_normal(shape)
    out = conv_resnet_outputs(net, x, kernel_size=K, n_samples=20000, seed=6, padding="circular")
    Q = (out**2).mean(axis=tuple(range(1, out.ndim)))
    c = sb**2 / (ks * sw**2)
    assert_mean(Q, _linear_growth((x**2).mean(), c, ks * sw**2 / L, L), false_fail_rate=RATE)


def test_conv_zero_padding_edges_see_fewer_neighbours():
    """Zero padding, phi = psi = id, sigma_b = 0: E|x_{1,p}|^2 = |x_p|^2 + sigma_w^2 dt |patch_p|^2 exactly."""
    D, sw = 3, 1.0
    net = ResNet(depth=1, width=D, sigma_w=sw, sigma_b=0.0, phi="identity", psi="identity")
    x = np.ones((1, 4, D))
    out = conv_resnet_outputs(net, x, kernel_size=3, n_samples=20000, seed=9, padding="zero")
    sq = (out[:, 0] ** 2).sum(axis=-1)                                  # (n, U)
    patch = np.array([2, 3, 3, 2]) * D                                 # |patch_p|^2 with zero padding
    assert_mean(sq, D + sw**2 * patch, false_fail_rate=RATE)


# ----------------------------------------------------------------------------- width-first limit (slow)


@pytest.mark.slow
def test_stable_resnet_width_limit_is_the_kernel_recursion():
    r"""Hayou's stable ResNet (phi = id, branch scale L^{-1/2}) with a dense input layer: at fixed L,
    E q_L(D) -> K_L of the infinite-width recursion K_{l+1} = K_l + dt(sigma_b^2 + sigma_w^2 V_psi(K_l))
    at rate 1/D.  (That recursion is Euler for the width-first ODE, order 1 in dt:
    tests/unit/resnet_sde/test_kernel_odes.py; together, the width-first ODE claim of JMLR §5.6.)

    assert_rate on the diagonal errors at D = 4, 8, 16 (n = 4e5 networks each; the Monte Carlo
    standard error at D = 16 is ~0.0016 against a bias of ~0.013), slope -1 +- 0.3: a modelling
    tolerance (pre-asymptotic terms and Monte Carlo noise), no false-failure rate attached.
    The measured bias is ~ -0.25/D (D = 4: -0.06, 8: -0.03, 16: -0.013).
    """
    from numerics.dual.activations import activation as act_of
    L, sw, sb, sz = 16, 1.5, 0.3, 1.0
    z = np.array([[1.0, 0.5], [-0.5, 1.0]])
    act = act_of("tanh")
    K = sz**2 * z @ z.T
    for _ in range(L):
        V = act.dual(np.diag(K)[:, None], np.diag(K)[None, :], K)
        np.fill_diagonal(V, act.variance(np.diag(K)))
        K = K + (sb**2 + sw**2 * V) / L
    widths = np.array([4, 8, 16])
    errors = []
    for D in widths:
        net = ResNet(depth=L, width=int(D), sigma_w=sw, sigma_b=sb, phi="identity", psi="tanh", input="dense",
                     sigma_z=sz)
        g = resnet_outputs(net, z, n_samples=400_000, seed=int(D), gram=True).gram[:, 0]
        errors.append(abs(g[:, 0, 0].mean() + g[:, 1, 1].mean() - K[0, 0] - K[1, 1]) / 2)
    assert_rate(widths, errors, predicted_order=-1.0, tolerance=0.3)


def test_exact_in_law_draws_do_not_depend_on_chunk_size_with_singular_grams():
    """relu psi with sigma_b = 0 at width 2 gives dead (zero) Gram matrices in some samples; the factor is decided
    per seed block, so every chunking gives the same draws (it was per chunk: outputs differed by up to 2.5)."""
    net = ResNet(depth=4, width=2, sigma_w=1.0, sigma_b=0.0, psi="relu")
    z = np.array([[1.0, 0.5], [-1.0, -0.3], [0.5, 0.25]])
    ref = resnet_outputs(net, z, n_samples=64, seed=3).states
    for chunk in (1, 5, 16, 33):
        np.testing.assert_array_equal(resnet_outputs(net, z, n_samples=64, seed=3, chunk_size=chunk).states, ref)
