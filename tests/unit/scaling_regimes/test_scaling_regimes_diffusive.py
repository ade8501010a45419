"""F6 numerics: the network and the Euler scheme on one Brownian path; the dropped Ito correction stalls."""

from __future__ import annotations

import numpy as np
import pytest

from numerics.scaling_regimes import (
    brownian_path,
    diffusive_resnet,
    diffusive_sde_euler,
    linear_sde_moments,
    richardson_mean,
    shifted_softplus,
)

P = dict(a_bar=0.5, b_bar=0.2, s_a=0.4, s_b=0.3)


def test_one_layer_by_hand_and_refinement():
    dw = brownian_path(3, n_networks=5, n_steps=4, d=2)
    a = np.array([[0.3, -0.2], [0.1, 0.4]])
    h = diffusive_resnet([1.0, -0.5], dw, activation="softplus", depth=1, a_bar=a, b_bar=0.1, s_a=0.6, s_b=0.2)
    tot = dw.sum(axis=0)
    z = np.array([1.0, -0.5]) @ a.T + 0.6 * np.einsum("nij,j->ni", tot[:, :4].reshape(5, 2, 2), [1.0, -0.5]) \
        + 0.1 + 0.2 * tot[:, 4:]
    np.testing.assert_allclose(h, np.array([1.0, -0.5]) + shifted_softplus(z), rtol=1e-14)


def test_bad_inputs_name_the_parameter():
    dw = brownian_path(0, n_networks=2, n_steps=4)
    with pytest.raises(ValueError, match="activation"):
        diffusive_resnet([1.0], dw, activation="relu", depth=2, **P)
    with pytest.raises(ValueError, match="depth=3"):
        diffusive_resnet([1.0], dw, activation="tanh", depth=3, **P)
    with pytest.raises(ValueError, match="s_a"):
        diffusive_sde_euler([1.0], dw, sigma1=1.0, sigma2=0.0, n_steps=2, **{**P, "s_a": -1.0})


def test_euler_matches_the_closed_moments_for_tanh():
    dw = brownian_path(1, n_networks=40_000, n_steps=64)
    fine, coarse = (diffusive_sde_euler([1.0], dw, sigma1=1.0, sigma2=0.0, n_steps=m, **P)[:, 0] for m in (64, 32))
    m, se = richardson_mean(np.stack([fine, fine ** 2], 1), np.stack([coarse, coarse ** 2], 1))
    exact = linear_sde_moments(1.0, 1.0, sigma1=1.0, **P)
    assert np.all(np.abs(m - exact) < 5.5 * se)   # 5.5 SE: false-failure ~1e-7 per component


def test_dropped_ito_correction_stalls_while_the_true_one_shrinks():
    """Common random numbers: depths 8 and 64 and the Euler reference all read one path, so the mean differences
    have small standard errors.  Weak order 1 shrinks the true error ~8x; without the correction it stalls."""
    dw = brownian_path(2, n_networks=20_000, n_steps=128)
    kw = dict(sigma1=0.5, sigma2=0.25, **P)
    err = {}
    for ito in (True, False):
        fine, coarse = (diffusive_sde_euler([1.0], dw, n_steps=m, ito=ito, **kw)[:, 0] for m in (128, 64))
        for L in (8, 64):
            h = diffusive_resnet([1.0], dw, activation="softplus", depth=L, **P)[:, 0]
            diff = np.stack([h - 2 * fine + coarse, h * h - 2 * fine ** 2 + coarse ** 2], 1)
            err[ito, L] = (diff.mean(0), diff.std(0, ddof=1) / np.sqrt(len(h)))
    true8, true64 = err[True, 8][0], err[True, 64][0]
    assert np.all(np.abs(true64) < np.abs(true8) / 4 + 5.5 * err[True, 64][1])
    wrong8, wrong64 = err[False, 8][0], err[False, 64][0]
    assert np.all(np.abs(wrong64) > 0.8 * np.abs(wrong8)) and np.all(np.abs(wrong64) > 20 * err[False, 64][1])


@pytest.mark.slow
def test_strong_order_one_half_on_one_path():
    """Softplus: the RMS distance of h_L to Euler-Maruyama at 1024 steps on the same path falls like L^-1/2
    (log-log slope over L = 4..64 within 0.15 of -1/2, the issue's tolerance; measured -0.503 at seed 5 with 10,000
    networks).  tanh is not tested: its slope over these depths is -0.74 (sigma''(0) = 0 removes the z^2 - E z^2
    martingale term, so the O(1/L) terms dominate; pre-asymptotic, a finding, not a pass)."""
    dw = brownian_path(5, n_networks=4000, n_steps=1024)
    ref = diffusive_sde_euler([1.0], dw, sigma1=0.5, sigma2=0.25, n_steps=1024, **P)[:, 0]
    depths = (4, 8, 16, 32, 64)
    rms = [np.sqrt(np.mean((diffusive_resnet([1.0], dw, activation="softplus", depth=L, **P)[:, 0] - ref) ** 2))
           for L in depths]
    slope = np.polyfit(np.log(depths), np.log(rms), 1)[0]
    assert abs(slope + 0.5) < 0.15, slope
