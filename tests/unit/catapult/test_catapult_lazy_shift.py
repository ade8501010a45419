"""numerics.catapult.lazy_shift: the exact finite-width mean of the lazy NTK shift, by quadrature over w_0's law."""

from __future__ import annotations

import math

import pytest

from numerics.catapult import lazy_shift_mean, uv_init, uv_summary
from numerics.generated import catapult_uv_phases as uv


@pytest.mark.parametrize("c0", [0.5, 1.75])
def test_quadrature_matches_trained_networks_at_a_small_width(c0):
    """Mean of 1 - lambda_150/lambda_0 over 20,000 networks at n = 16 within 5 SE (false failure 6e-7) of the
    quadrature; the first-order mean (c0^2/(4(n+1))) (4 - c0)/(c0 (2 - c0)), which drops the O(w_0^2) terms,
    is rejected there by more than 50 SE (a dropped term is caught)."""
    n = 16
    u, v = uv_init(11, widths=n, n_networks=20_000)
    s = uv_summary(u, v, widths=[n], steps=150, rate_times_ntk=c0)
    shift = -(s.ntk_change / s.initial_ntk)[0]
    mean, se = shift.mean(), shift.std(ddof=1) / math.sqrt(shift.size)
    exact = lazy_shift_mean(c0, n)
    assert abs(mean - exact) <= 5 * se
    first_order = c0 * c0 / (4 * (n + 1)) * (4 - c0) / (c0 * (2 - c0))
    assert abs(mean - first_order) > 5 * se


@pytest.mark.parametrize("c0", [0.25, 1.0, 1.75])
def test_width_times_mean_tends_to_the_record_limit(c0):
    """n E_n[shift] = A (1 + b/n): at n = 2^22, |b|/n < 5e-6 for c0 <= 1.75, so the record's A agrees to 1e-5."""
    a = -float(uv.lazy_ntk_shift_mean(c0))
    assert 2 ** 22 * lazy_shift_mean(c0, 2 ** 22) == pytest.approx(a, rel=1e-5)
    assert 1024 * lazy_shift_mean(c0, 1024) != pytest.approx(a, rel=1e-5)  # the O(1/n) term is visible at 1024


def test_quadrature_has_converged():
    """128 nodes agree with the default 256 at widths 4 .. 2^18 to 1e-10: the floor is the rounding of
    1 - c_K/c_0 ~ 1/n, about n * eps = 6e-11 at 2^18 (at n = 2, 128 nodes are off by 1e-9; 256 and 384 agree to
    1e-14)."""
    for n in (4, 16, 4096, 262144):
        assert lazy_shift_mean(1.5, n, nodes=128) == pytest.approx(lazy_shift_mean(1.5, n), rel=1e-10)


@pytest.mark.parametrize(("kw", "name"), [({"rate_times_ntk": 2.5}, "rate_times_ntk"), ({"width": 1}, "width"),
                                          ({"steps": 0}, "steps"), ({"nodes": 1}, "nodes")])
def test_bad_inputs_name_the_parameter(kw, name):
    args = {"rate_times_ntk": 1.5, "width": 64} | kw
    with pytest.raises(ValueError, match=name):
        lazy_shift_mean(args.pop("rate_times_ntk"), args.pop("width"), **args)
