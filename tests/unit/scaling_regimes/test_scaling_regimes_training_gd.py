r"""Gradient descent on the deep ResNet and on its depth limit (numerics.scaling_regimes.training_gd).

* The limit's solver (RK4 on $M$ steps, Hermite midpoints) converges at order 4: the final loss error at $M = 4, 8$
  against $M = 32$ falls by $2^4 = 16$ up to pre-asymptotic terms (asserted: a factor > 10); and the grid the
  claim uses ($M = 16$) differs from $M = 32$ by less than the $10^{-4}$ relative the claim's docstring states,
  at the corners of the claim's box.
* The network's losses converge to the limit's at order 1 in $1/L$ (the error halves per doubling; asserted:
  ratio in [1.6, 2.5] for $L = 16 \to 32 \to 64$).
* The limit's linear rate is positive on every problem at the corners of the box (the "bounded away from 0").
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from numerics.scaling_regimes.training_gd import (
    continuum_gd_losses,
    linear_rate,
    regression_problems,
    resnet_gd_losses,
)
from verify.claims._scaling_regimes_training import REFERENCE_GRID, STEPS, WINDOW_START

CORNERS = [dict(zip(("a0", "a1", "eta", "noise"), c))
           for c in itertools.product((-0.3, 0.3), (0.0, 1.0), (0.25, 0.75), (0.1, 0.4))]


def _kw(p, steps=STEPS):
    return {"a0": p["a0"], "a1": p["a1"], "eta": p["eta"], "steps": steps}


def test_limit_solver_converges_at_order_four():
    p = {"a0": 0.3, "a1": 1.0, "eta": 0.75, "noise": 0.4}
    x, y = regression_problems(1, n_problems=6, noise=p["noise"])
    final = {m: continuum_gd_losses(x, y, grid=m, **_kw(p, steps=10))[:, -1] for m in (4, 8, 32)}
    err4, err8 = (np.max(np.abs(final[m] - final[32])) for m in (4, 8))
    assert err4 / err8 > 10.0


def _worst_grid_error(corners):
    x, y = regression_problems(2, n_problems=4, noise=0.4)
    worst = 0.0
    for p in corners:
        yy = x + (y - x) * p["noise"] / 0.4
        r16, r32 = (linear_rate(continuum_gd_losses(x, yy, grid=m, **_kw(p)), WINDOW_START, STEPS)
                    for m in (REFERENCE_GRID, 2 * REFERENCE_GRID))
        assert np.all(r16 > 0.0)                                   # linear convergence of the limit
        worst = max(worst, float(np.max(np.abs(r16 / r32 - 1.0))))
    return worst


def test_claim_grid_is_within_the_stated_relative_error_at_two_corners():
    assert _worst_grid_error([CORNERS[-1], CORNERS[5]]) < 1e-4       # (0.3, 1, 0.75, 0.4), (-0.3, 1, 0.25, 0.4)


@pytest.mark.slow
def test_claim_grid_is_within_the_stated_relative_error_at_every_corner():
    assert _worst_grid_error(CORNERS) < 1e-4


def test_network_losses_converge_to_the_limit_at_order_one():
    p = {"a0": -0.3, "a1": 1.0, "eta": 0.5, "noise": 0.3}
    x, y = regression_problems(3, n_problems=5, noise=p["noise"])
    limit = continuum_gd_losses(x, y, grid=32, **_kw(p, steps=15))[:, -1]
    err = [np.mean(np.abs(resnet_gd_losses(x, y, depth=L, **_kw(p, steps=15))[:, -1] - limit)) for L in (16, 32, 64)]
    assert 1.6 < err[0] / err[1] < 2.5 and 1.6 < err[1] / err[2] < 2.5


def test_regression_problems_have_orthonormal_inputs_and_validate():
    x, y = regression_problems(4, n_problems=3, noise=0.2)
    np.testing.assert_allclose(np.matmul(x, np.swapaxes(x, 1, 2)), np.broadcast_to(np.eye(3), (3, 3, 3)), atol=1e-14)
    assert y.shape == x.shape and not np.allclose(x, y)
    with pytest.raises(ValueError, match="n_samples"):
        regression_problems(0, n_problems=1, n_samples=4, d=3, noise=0.1)
    with pytest.raises(ValueError, match="noise"):
        regression_problems(0, n_problems=1, noise=-1.0)
