"""numerics.catapult.uv_training: gradient descent on u, v in R^n against its span coordinates and the record.

Three routes agree: gradient descent on the full vectors, on Bartlett coordinates of span(u_0, v_0), and the
generated record catapult.uv_updates iterated on (f, lambda).  The Bartlett initial law is checked against the
exact moments of the model at initialisation (z-tests at 5 standard errors).
"""

from __future__ import annotations

import numpy as np
import pytest

from numerics.catapult import uv_init, uv_summary, uv_trajectories
from numerics.generated import catapult_uv_updates as record


def _span_coordinates(u, v):
    """The coordinates of u, v in the orthonormal basis (u/|u|, v_perp/|v_perp|)."""
    nu = np.linalg.norm(u, axis=-1)
    along = np.einsum("...i,...i->...", u, v) / nu
    perp = np.sqrt(np.einsum("...i,...i->...", v, v) - along ** 2)
    return np.stack([nu, 0 * nu], -1), np.stack([along, perp], -1)


@pytest.mark.parametrize("c0", [0.8, 2.6, 4.4])
def test_full_span_and_record_routes_agree(c0):
    width, steps = 40, 25
    u, v = uv_init(5, widths=width, n_networks=6, representation="full")
    full = uv_trajectories(u, v, widths=[width], steps=steps, rate_times_ntk=c0, x=1.2, y=0.3)
    span = uv_trajectories(*_span_coordinates(u, v), widths=[width], steps=steps, rate_times_ntk=c0, x=1.2, y=0.3)
    finite = np.isfinite(full.loss) & (full.loss < 1e6)
    assert np.allclose(full.loss[finite], span.loss[finite], rtol=1e-9, atol=1e-12)
    assert np.allclose(full.ntk[finite], span.ntk[finite], rtol=1e-9)
    f = 1.2 * np.einsum("wni,wni->wn", u, v) / np.sqrt(width)
    lam, eta = full.ntk[..., 0], full.learning_rate
    for t in range(1, steps + 1):
        f, lam = record.f_next(f, lam, eta, width, 1.2, 0.3), record.ntk_next(f, lam, eta, width, 1.2, 0.3)
        ok = finite[..., t]
        if not ok.any():
            break
        assert np.allclose(0.5 * (f[ok] - 0.3) ** 2, full.loss[..., t][ok], rtol=1e-8, atol=1e-12)
        assert np.allclose(lam[ok], full.ntk[..., t][ok], rtol=1e-8)


def test_summary_matches_trajectories_and_accumulates_the_ntk_change():
    u, v = uv_init(9, widths=[64, 1024], n_networks=50)
    tr = uv_trajectories(u, v, widths=[64, 1024], steps=60, rate_times_ntk=3.0)
    s = uv_summary(u, v, widths=[64, 1024], steps=60, rate_times_ntk=3.0)
    assert np.allclose(s.peak_loss, tr.loss.max(-1)) and np.array_equal(s.peak_step, tr.loss.argmax(-1))
    assert np.allclose(s.final_ntk, tr.ntk[..., -1]) and np.allclose(s.initial_loss, tr.loss[..., 0])
    assert np.allclose(s.ntk_change, tr.ntk[..., -1] - tr.ntk[..., 0], rtol=1e-9, atol=1e-12)
    w = 2 * s.learning_rate[..., None] ** 2 * tr.loss / np.array([64, 1024])[:, None, None]
    first = np.where((w >= 1.0).any(-1), (w >= 1.0).argmax(-1), -1)
    assert np.array_equal(s.escape_step, first)


@pytest.mark.parametrize("width", [1, 3, 50])
def test_bartlett_initial_law_has_the_model_moments(width):
    """lambda_0 = (chi2_n + chi2_n)/n: mean 2, variance 4/n; f_0 = u.v/sqrt(n): mean 0, variance 1."""
    u, v = uv_init(21, widths=width, n_networks=200_000)
    tr = uv_trajectories(u, v, widths=[width], steps=0, learning_rate=0.1)
    lam, f = tr.ntk[0, :, 0], np.sqrt(2 * tr.loss[0, :, 0]) * np.sign(np.einsum("wni,wni->wn", u, v)[0])
    for draws, mean in [(lam, 2.0), ((lam - 2) ** 2, 4 / width), (f, 0.0), (f * f, 1.0)]:
        assert abs(draws.mean() - mean) < 5 * draws.std() / np.sqrt(draws.size)


def test_divergent_networks_are_flagged_and_frozen_without_warnings():
    u, v = uv_init(1, widths=256, n_networks=20)
    tr = uv_trajectories(u, v, widths=[256], steps=200, rate_times_ntk=5.0)
    assert tr.diverged.all() and np.all(np.isfinite(tr.loss))
    lazy = uv_summary(u, v, widths=[256], steps=200, rate_times_ntk=1.0)
    assert not lazy.diverged.any() and np.all(lazy.final_loss < 1e-20)


@pytest.mark.parametrize("kwargs, match", [
    ({"widths": -3}, "widths: -3"), ({"widths": 0}, "widths: 0"), ({"widths": 2.5}, "widths: 2.5"),
    ({"widths": []}, "non-empty"), ({"rate_times_ntk": -1.0}, "rate_times_ntk=-1.0"),
    ({"rate_times_ntk": np.nan}, "rate_times_ntk=nan"), ({"learning_rate": 0.0}, "learning_rate=0.0"),
    ({"learning_rate": 0.1, "rate_times_ntk": 1.0}, "exactly one"), ({"x": np.inf}, "x=inf"),
    ({"x": 0.0}, "x=0"), ({"steps": -1}, "steps=-1"), ({"escape": 0.0}, "escape=0.0"),
])
def test_bad_inputs_name_the_parameter(kwargs, match):
    u, v = uv_init(0, widths=8, n_networks=2)
    args = {"widths": [8], "steps": 3, "rate_times_ntk": 1.0} | kwargs
    if "learning_rate" in kwargs and "rate_times_ntk" not in kwargs:
        args.pop("rate_times_ntk")
    with pytest.raises(ValueError, match=match.replace("[", r"\[")):
        uv_summary(u, v, **args)


@pytest.mark.parametrize("kwargs, match", [({"widths": -1}, "widths: -1"), ({"n_networks": 0}, "n_networks=0"),
                                           ({"representation": "dense"}, "representation='dense'"),
                                           ({"widths": [4, 8], "representation": "full"}, "one width")])
def test_bad_init_inputs_name_the_parameter(kwargs, match):
    with pytest.raises(ValueError, match=match):
        uv_init(0, **({"widths": 8, "n_networks": 2} | kwargs))
