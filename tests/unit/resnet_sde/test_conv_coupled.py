r"""Coupled convolutional ResNets and their linear relative (numerics/resnet_sde/conv_coupled.py, conv_control.py).

* each depth of a coupled family is the conv block of JMLR §3.2 on the aggregated draws (a position-by-position
  reference built from the same normals), and the linear relative is the linear block with $\psi = \kappa\,y$;
* the linear relative's sample moments at every coupled depth agree with their exact values (the aggregated filters
  have the right variance: the coupling keeps each network's law);
* the exact limit of the linear relative (a matrix exponential) is approached at rate $1/L$ by the exact finite-depth
  recursion (two independent paths);
* the control variate is unbiased and removes what the control explains; the controlled SDE moments agree with the
  plain ones.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from numerics.core.sampling import SeedBlocks
from numerics.generated import resnet_sde_conv as conv_forms
from numerics.resnet_sde.conv_control import controlled, conv_sde_moments_controlled, linear_relative_moments
from numerics.resnet_sde.conv_coupled import COUPLED_PHI, COUPLED_PSI, conv_coupled_outputs
from numerics.resnet_sde.conv_linear import conv_covariance_finite_depth
from numerics.resnet_sde.conv_linear_exact import linear_block_covariance, linear_network_moments
from numerics.resnet_sde.conv_sde import conv_moments, conv_sde_moments
from numerics.resnet_sde.conv_sde_design import conv_design_input, conv_design_positions

Z = 5.0  # per-component z threshold of the statistical tests below: two-sided rate 5.7e-7 each


def _reference(phi, psi, x0, F, b, *, sigma_w, sigma_b, padding, kappa):
    """One network and its linear relative, position by position and tap by tap (filter size 3): ``F`` (L, T, D, D)
    and ``b`` (L, D) standard normal."""
    f_phi, dphi0 = COUPLED_PHI[phi]
    spatial, D, L = x0.shape[:-1], x0.shape[-1], F.shape[0]
    taps = list(itertools.product((-1, 0, 1), repeat=len(spatial)))
    x, y = x0.copy(), x0.copy()
    for layer in range(L):
        hx, hy = np.zeros_like(x), np.zeros_like(y)
        for pos in itertools.product(*(range(n) for n in spatial)):
            for t, k in enumerate(taps):
                q = tuple(a + c for a, c in zip(pos, k))
                if padding == "circular":
                    q = tuple(a % n for a, n in zip(q, spatial))
                elif not all(0 <= a < n for a, n in zip(q, spatial)):
                    continue
                hx[pos] += COUPLED_PSI[psi](x[q]) @ F[layer, t] * sigma_w / math.sqrt(L * D)
                hy[pos] += kappa * y[q] @ F[layer, t] * sigma_w / math.sqrt(L * D)
        x = x + f_phi(hx + sigma_b * b[layer] / math.sqrt(L))
        y = y + dphi0 * (hy + sigma_b * b[layer] / math.sqrt(L))
    return x, y


@pytest.mark.parametrize("phi, psi, shape, padding", [("swish", "tanh", (5, 2), "zero"),
                                                      ("tanh", "identity", (3, 3, 2), "circular"),
                                                      ("tanh", "tanh", (4, 1), "circular")])
def test_each_coupled_depth_is_the_conv_block_on_aggregated_draws(phi, psi, shape, padding):
    x0 = np.random.default_rng(1).standard_normal(shape)
    kw = dict(sigma_w=0.9, sigma_b=0.6, padding=padding)
    n, depths, D, T = 5, (1, 2, 4), shape[-1], 3 ** (len(shape) - 1)
    nets, lins = conv_coupled_outputs(phi, psi, x0, depths=depths, n_samples=n, seed=4, psi_slope=0.7, **kw)
    blocks = SeedBlocks(4, n)
    Fz, bz = blocks.normals(range(1), (4, T, D, D)), blocks.normals(range(1), (4, D))
    for s, (j, L) in itertools.product(range(n), enumerate(depths)):
        r = 4 // L
        F = Fz[s].reshape(L, r, T, D, D).sum(1) / math.sqrt(r)
        b = bz[s].reshape(L, r, D).sum(1) / math.sqrt(r)
        x, y = _reference(phi, psi, x0, F, b, kappa=0.7, **kw)
        np.testing.assert_allclose(nets[s, j], x.reshape(-1, D), rtol=1e-12, atol=1e-13)
        np.testing.assert_allclose(lins[s, j], y.reshape(-1, D), rtol=1e-12, atol=1e-13)
    again = conv_coupled_outputs(phi, psi, x0, depths=depths, n_samples=n, seed=4, psi_slope=0.7, chunk_size=1, **kw)
    np.testing.assert_array_equal(again[0], nets)


def test_linear_relative_moments_match_the_coupled_draws_at_every_depth():
    """Sample moments of the linear relative (swish: phi'(0) = 1/2, kappa = 0.8) against their exact values."""
    x0, pos = conv_design_input(2, 2)[0], conv_design_positions(2)
    depths, kw = (2, 4, 8), dict(sigma_w=0.6, sigma_b=0.5, padding="zero")
    _, lins = conv_coupled_outputs("swish", "tanh", x0, depths=depths, n_samples=6000, seed=2, psi_slope=0.8, **kw)
    for j, L in enumerate(depths):
        m = conv_moments(lins[:, j], pos)
        exact = linear_network_moments(x0, pos, depth=L, dphi0=0.5, **dict(kw, sigma_w=0.8 * 0.6))
        z = np.abs(m.mean(0) - exact) / (m.std(0, ddof=1) / math.sqrt(m.shape[0]))
        assert np.all(z < Z), (L, z)
    wrong = linear_network_moments(x0, pos, depth=depths[-1], dphi0=0.5, **kw)  # kappa forgotten: told apart
    assert np.max(np.abs(wrong - m.mean(0)) / (m.std(0, ddof=1) / math.sqrt(m.shape[0]))) > Z


@pytest.mark.parametrize("shape, padding, dphi0", [((6, 2), "zero", 1.0), ((6, 3, 2), "circular", 0.5),
                                                   ((5, 4, 1), "zero", 0.5), ((7, 3), "circular", 1.0)])
def test_block_law_covariance_equals_the_record_recursion(shape, padding, dphi0):
    """Two paths to the linear relative's exact finite-depth moments: the one-layer map read off the block
    (patch_sources, no record) and the recursion through the generated cross_covariation (shift_matrices): equal to
    rounding while the record is right."""
    x0 = np.random.default_rng(11).standard_normal(shape)
    for depth in (1, 3, 16):
        kw = dict(kernel_size=3, padding=padding, sigma_w=0.7, sigma_b=0.4, depth=depth, dphi0=dphi0)
        np.testing.assert_allclose(linear_block_covariance(x0, **kw), conv_covariance_finite_depth(x0, **kw),
                                   rtol=1e-13, atol=1e-14)
    pos = (2, 3, 5)
    np.testing.assert_allclose(linear_network_moments(x0, pos, depth=8, sigma_w=0.7, sigma_b=0.4, padding=padding,
                                                      dphi0=dphi0),
                               linear_relative_moments(x0, pos, depth=8, sigma_w=0.7, sigma_b=0.4, padding=padding,
                                                       dphi0=dphi0), rtol=1e-13, atol=1e-14)


def test_block_law_covariance_does_not_read_the_record(monkeypatch):
    """The record's cross_covariation scaled by 1.05 moves the record recursion and leaves the block-law moments
    (the network side's control mean) unchanged: a record error no longer cancels between the two sides."""
    x0, pos = conv_design_input(1, 1)[0], conv_design_positions(1)
    kw = dict(depth=16, sigma_w=0.3, sigma_b=0.0, padding="zero")
    before = linear_network_moments(x0, pos, **kw), linear_relative_moments(x0, pos, **kw)
    true_form = conv_forms.cross_covariation
    monkeypatch.setattr(conv_forms, "cross_covariation", lambda *a: 1.05 * true_form(*a))
    after = linear_network_moments(x0, pos, **kw), linear_relative_moments(x0, pos, **kw)
    np.testing.assert_array_equal(after[0], before[0])
    assert np.all(after[1][1:] / before[1][1:] > 1.04)  # the record path does move (>= 5% per layer, compounded)


def test_linear_block_covariance_rejects_bad_input():
    with pytest.raises(ValueError, match="depth=0"):
        linear_block_covariance(np.ones((6, 1)), kernel_size=3, padding="zero", sigma_w=0.3, sigma_b=0.0, depth=0)
    with pytest.raises(ValueError, match="sigma_w=-1"):
        linear_block_covariance(np.ones((6, 1)), kernel_size=3, padding="zero", sigma_w=-1.0, sigma_b=0.0, depth=2)
    with pytest.raises(ValueError, match="x0 must have shape"):
        linear_block_covariance(np.ones(6), kernel_size=3, padding="zero", sigma_w=0.3, sigma_b=0.0, depth=2)
    with pytest.raises(ValueError, match="padding='reflect'"):
        linear_block_covariance(np.ones((6, 1)), kernel_size=3, padding="reflect", sigma_w=0.3, sigma_b=0.0, depth=2)


def test_exact_limit_is_approached_at_rate_one_over_depth():
    """C(L) - C(inf) = c/L + O(1/L^2): the differences at L and 2L have ratio 2 + O(1/L) (measured 1.995 at
    L = 128: the O(1/L) term is about 0.6/L here)."""
    x0, pos = conv_design_input(1, 2)[0], conv_design_positions(1)
    kw = dict(sigma_w=0.5, sigma_b=0.4, padding="circular", dphi0=1.0)
    limit = linear_relative_moments(x0, pos, depth=None, **kw)
    gaps = [linear_relative_moments(x0, pos, depth=L, **kw)[1:] - limit[1:] for L in (128, 256)]
    np.testing.assert_allclose(gaps[0] / gaps[1], 2.0, rtol=0.01)  # 0.6/L = 0.5% at L = 128
    assert np.all(np.abs(gaps[0]) > 1e-4)  # the gap is real (the test can fail)


def test_controlled_draws_are_unbiased_and_remove_what_the_control_explains():
    rng = np.random.default_rng(0)
    c = rng.standard_normal((20000, 2)) + 3.0
    noise = 0.1 * rng.standard_normal((20000, 2))
    s = 2.0 * c + noise
    out = controlled(s, c, [3.0, 3.0])
    np.testing.assert_allclose(out.mean(0), 6.0, atol=Z * 0.1 / math.sqrt(20000) + 1e-12)
    assert np.all(out.std(0) < 0.11)  # the residual noise only (the raw draws have sd 2)
    flat = controlled(s, np.ones_like(c), [5.0, 5.0])  # a constant control changes nothing
    np.testing.assert_array_equal(flat, s)


def test_controlled_sde_moments_agree_with_plain_ones():
    x0, pos = conv_design_input(1, 2), conv_design_positions(1)
    kw = dict(sigma_w=0.4, sigma_b=0.3, padding="zero", n_steps=8)
    a, sa = conv_sde_moments("swish", "tanh", x0, pos, n_paths=4000, seed=1, **kw)
    b, sb = conv_sde_moments_controlled("swish", "tanh", x0, pos, n_paths=4000, seed=2, psi_slope=0.8, **kw)
    assert np.all(np.abs(a - b) < Z * np.hypot(sa, sb)), (a, b)
    assert np.all(sb < sa / 2)  # the control removes most of the variance


def test_bad_input_is_rejected():
    x0 = np.zeros((4, 1))
    kw = dict(sigma_w=0.3, sigma_b=0.1, padding="zero", n_samples=2, seed=0)
    with pytest.raises(ValueError, match="phi='relu'"):
        conv_coupled_outputs("relu", "tanh", x0, depths=(2,), **kw)
    with pytest.raises(ValueError, match="depths=\\(2, 3\\)"):
        conv_coupled_outputs("tanh", "tanh", x0, depths=(2, 3), **kw)
    with pytest.raises(ValueError, match="psi_slope"):
        conv_coupled_outputs("tanh", "tanh", x0, depths=(2,), psi_slope=-1.0, **kw)
    with pytest.raises(ValueError, match="x0 must have shape"):
        conv_coupled_outputs("tanh", "tanh", np.zeros(4), depths=(2,), **kw)


def test_exact_linear_sde_limit_agrees_with_euler_maruyama():
    """tanh/identity: the SDE is linear with no drift; its exact T = 1 moments (matrix exponential) against the
    Richardson-extrapolated Euler-Maruyama of conv_sde_moments (an independent path)."""
    x0, pos = conv_design_input(1, 2), conv_design_positions(1)
    kw = dict(sigma_w=0.3, sigma_b=0.2, padding="zero")
    mc, se = conv_sde_moments("tanh", "identity", x0, pos, n_paths=4000, n_steps=8, seed=3, **kw)
    exact = linear_relative_moments(x0[0], pos, depth=None, **kw)
    assert np.all(np.abs(mc - exact) < Z * se), (mc, exact, se)
    planted = linear_relative_moments(x0[0], pos, depth=None, patch_scale=1 / 3, **kw)
    assert np.max(np.abs(mc - planted) / se) > Z  # a wrong covariation is told apart
