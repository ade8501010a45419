"""The plot-grade phase grid against the pointwise solvers, and its blank (NaN) region."""

from __future__ import annotations

import numpy as np
import pytest

from numerics.propagation import propagation
from numerics.propagation.phase_grid import phase_grid


def test_grid_matches_pointwise_solvers_to_its_documented_accuracy():
    sw, sb = np.array([0.8, 1.5, 2.5, 4.0]), np.array([0.02, 0.2, 0.5])
    g = phase_grid("tanh", sw, sb)
    for i, b in enumerate(sb):
        for j, w in enumerate(sw):
            p = propagation("tanh", sigma_w2=w, sigma_b2=b)
            assert g["q_star"][i, j] == pytest.approx(p.q_star, rel=1e-12)
            assert g["chi_1"][i, j] == pytest.approx(p.chi_1, rel=1e-12)
            assert g["c_star"][i, j] == pytest.approx(p.c_star, abs=1e-3)
            assert g["xi_c"][i, j] == pytest.approx(p.xi_c, rel=0.012)  # the documented plot-grade accuracy


def test_points_without_a_fixed_point_are_blank():
    g = phase_grid("relu", [1.0, 2.5], [0.1])  # ReLU: q* = sigma_b2 / (1 - sigma_w2/2) needs sigma_w2 < 2
    assert g["q_star"][0, 0] == pytest.approx(0.2, rel=1e-9) and np.isnan(g["q_star"][0, 1])
    with pytest.raises(ValueError, match="sigma_w2=-1.0"):
        phase_grid("tanh", [-1.0], [0.1])
