"""The Mehler route against the independent adaptive reference (numerics.dual.reference).

Contract: 1e-12 of the Cauchy-Schwarz bound sqrt(E f(u)^2 E f(v)^2) (numerics.dual.mehler.TOL);
the reference carries its own error estimate (<= 1e-13 of the bound), so agreement to
2e-12 of the bound checks the contract.  Entries the series cannot certify are computed by the
reference itself; the tests record which ones (a counting ``reference=``) and check the rest.
"""

from __future__ import annotations

import numpy as np
import pytest

from numerics.dual.activations import activation
from numerics.dual.hermite import hermite_coefficients
from numerics.dual.mehler import TOL, gram_dual, series_order
from numerics.dual.reference import pair_expectation

AGREE = 2 * TOL  # the route's contract plus the reference's own error (10x smaller)
EDGE_RHOS = (-1.0, -0.999999, -0.6, 0.0, 0.45, 0.999999, 1.0)


def _check(f, q1, q2, rhos):
    """Entries (q1[i], q2[j], rho) against the reference; returns the number not certified by the series."""
    q1, q2 = np.asarray(q1, float), np.asarray(q2, float)
    fallback = []

    def counting(a, b, r):
        fallback.append((a, b, r))
        return pair_expectation(f, f, a, b, r).value

    for rho in rhos:
        c = rho * np.sqrt(q1)[:, None] * np.sqrt(q2)[None, :]
        got, s1, s2 = gram_dual(f, q1, q2, c, same=False, reference=counting)
        for i in range(q1.size):
            for j in range(q2.size):
                ref = pair_expectation(f, f, q1[i], q2[j], rho)
                assert ref.error <= 1e-13 * ref.bound + 1e-300
                assert abs(got[i, j] - ref.value) <= AGREE * ref.bound, (q1[i], q2[j], rho, got[i, j], ref.value)
    return len(fallback)


@pytest.mark.parametrize("which", ["phi", "phi_prime"])
def test_tanh_edges_against_reference(which):
    f = getattr(activation("tanh"), which)
    # q over [1e-4, 1e2] (rows) against three column variances; rho edges included
    n_fallback = _check(f, [1e-4, 1.0, 100.0], [3.0], (-1.0, -0.999999, 0.3, 1.0))
    assert n_fallback < 12  # the series certifies at least the small-q entries


def test_series_certified_where_it_claims():
    """No fallback for moderate q and |rho| <= 0.9: the certified series alone is compared."""
    f = activation("tanh").phi
    assert _check(f, [0.5, 2.0], [1.0], (-0.9, 0.2, 0.9)) == 0


def test_planted_coefficient_error_is_caught(monkeypatch):
    """b_k scaled by 1.05 (one factor of the series) moves the dual by ~5% of its size: caught."""
    import numerics.dual.mehler as mehler

    real = mehler.hermite_coefficients
    monkeypatch.setattr(mehler, "hermite_coefficients", lambda f, q, order: (real(f, q, order=order)[0] * 1.05,
                                                                             real(f, q, order=order)[1]))
    with pytest.raises(AssertionError):
        _check(activation("tanh").phi, [1.0], [1.0], (0.5,))


def test_second_moment_and_parseval():
    """E f^2 from the rule equals the reference's; sum b_k^2 -> E f^2 (Parseval) for a smooth f."""
    act = activation("softplus")
    q = np.array([1e-4, 0.3, 7.0])
    b, s = hermite_coefficients(act.phi, q, order=128)
    for qi, si, bi in zip(q, s, b):
        ref = pair_expectation(act.phi, act.phi, qi, qi, 1.0)
        assert abs(si - ref.value) <= 1e-13 * ref.bound
        assert 0 <= si - np.sum(bi * bi) <= 1e-12 * si


def test_series_order_bound_holds():
    """The order chosen by the bound really meets it (error of the truncated sum vs the full K_MAX sum)."""
    f = activation("tanh").phi
    q = np.array([0.7, 2.0])
    b, s = hermite_coefficients(f, q, order=128)
    beta2 = np.max(b * b / s[:, None], axis=0)
    r = 0.8
    k0, k1 = series_order(beta2, r, 0.0, tol=1e-12)
    full = np.sum(b[0] * b[1] * r ** np.arange(129))
    keep = np.array([(k % 2 == 0 and k <= k0) or (k % 2 == 1 and k <= k1) for k in range(129)])
    part = np.sum((b[0] * b[1] * r ** np.arange(129))[keep])
    assert abs(full - part) <= 1e-12 * np.sqrt(s[0] * s[1])
    assert k1 > 10  # not a vacuous order: tanh needs many odd terms at r = 0.8


def test_identity_and_square_closed_forms():
    """f(x) = x: V = c; f(x) = x^2: V = q1 q2 + 2 c^2 (Isserlis), for any rho incl. +-1."""
    q1, q2 = np.array([0.01, 1.0, 50.0]), np.array([0.2, 4.0])
    for rho in (-1.0, -0.3, 0.0, 0.8, 1.0):
        c = rho * np.sqrt(q1)[:, None] * np.sqrt(q2)[None, :]
        v, _, _ = gram_dual(lambda x: x, q1, q2, c, same=False)
        np.testing.assert_allclose(v, c, rtol=0, atol=1e-13 * np.sqrt(np.outer(q1, q2)).max())
        v2, _, _ = gram_dual(lambda x: x * x, q1, q2, c, same=False)
        np.testing.assert_allclose(v2, np.outer(q1, q2) + 2 * c * c, rtol=1e-13)


def test_tol_validated():
    with pytest.raises(ValueError, match="tol"):
        gram_dual(np.tanh, [1.0], [1.0], [[0.5]], same=False, tol=0.5)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["tanh", "softplus", "silu"])
@pytest.mark.parametrize("which", ["phi", "phi_prime"])
def test_grid_against_reference(name, which):
    f = getattr(activation(name), which)
    qs = [1e-4, 1e-2, 1.0, 10.0, 100.0]
    _check(f, qs, qs, EDGE_RHOS)
