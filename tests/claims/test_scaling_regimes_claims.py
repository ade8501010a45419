"""claim.scaling_regimes_diffusive: planted wrong predictions are rejected at the quick sample size.

The shipped claim runs in ``tests/claims/test_shipped_and_kernel.py`` (smoke: the pinned softplus example).  Here
(slow: ~3 s per run): x1.05 and x0.95 on the prediction, and the SDE without its Ito correction (softplus: E H_1
moves by ~8%, E H_1^2 by ~17%; the network's error against it stalls, see
``tests/unit/scaling_regimes/test_scaling_regimes_diffusive.py``), all rejected; the true prediction passes on the
same networks, and at a pinned tanh example (the closed moment ODE).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from verify.claims import Profile, check
from verify.claims import scaling_regimes as sr

CLAIM = sr.DIFFUSIVE_CLAIM
PINNED = CLAIM.examples[0]
TANH = {**PINNED, "activation": "tanh", "b_bar": 0.3}   # the corner of largest E h^2 / variance
QUICK_SIZE = Profile("planted", max_examples=1, sample_scale=1.0)


def _run(predict, params=PINNED):
    wrong = CLAIM.with_prediction(predict)
    return wrong.run(wrong, params, 0, CLAIM.false_fail_rate / 3, QUICK_SIZE)


def _scaled(factor):
    def predict(p, *, seed=None):
        return {name: (type(v)(factor * np.asarray(v.value), factor * np.asarray(v.stderr))
                       if hasattr(v, "stderr") else factor * np.asarray(v))
                for name, v in CLAIM.predict(p, seed=seed).items()}
    return predict


@pytest.mark.slow
@pytest.mark.parametrize("params", [PINNED, TANH], ids=["softplus", "tanh"])
@pytest.mark.parametrize("factor", [1.05, 0.95])
def test_planted_scaled_prediction_is_rejected(factor, params):
    assert not _run(_scaled(factor), params).passed


@pytest.mark.slow
@pytest.mark.parametrize("params", [PINNED, TANH], ids=["softplus", "tanh"])
def test_true_prediction_passes(params):
    result = _run(lambda p, *, seed=None: CLAIM.predict(p, seed=seed), params)
    assert result.passed, result.detail


@pytest.mark.slow
def test_planted_ito_correction_dropped_is_rejected():
    def no_ito(p, *, seed=None):
        return {"moments": sr.predict_moments(p, seed=seed, ito=False)}
    result = _run(no_ito)
    assert not result.passed


# --------------------------------------------------------------------------- claim.scaling_regimes_forward / _backward
PLANTED = Profile("planted", max_examples=1, sample_scale=1.0, shrink=False)


def _run_at(claim, params):
    return claim.run(claim, params, 0, claim.false_fail_rate / 3, PLANTED)


@pytest.mark.parametrize("shift", [0.25, pytest.param(-0.25, marks=pytest.mark.slow)])
def test_forward_rate_exponent_off_by_a_quarter_is_rejected(shift):
    """The pinned example (tanh, beta = 0.2, predicted slope -0.4; measured -0.409 +- 0.005 over L = 512..16384): a
    predicted slope of -0.15 (default run) or -0.65 (slow) is rejected; the true order passes on the same draws (the
    smoke run of the shipped claim, and here in the slow variant)."""
    pinned = sr.FORWARD_CLAIM.examples[0]
    wrong = sr.forward_claim(order=lambda p: sr.forward_order(p) + shift)
    assert not _run_at(wrong, pinned).passed
    if shift < 0:
        assert _run_at(sr.FORWARD_CLAIM, pinned).passed


@pytest.mark.slow
@pytest.mark.parametrize("factor", [1.05, 0.95])
def test_backward_scaled_mean_prediction_is_rejected(factor):
    claim = sr.BACKWARD_CLAIM

    def predict(p, *, seed=None):
        out = claim.predict(p, seed=seed)
        mean = out["adjoint mean"]
        return {**out, "adjoint mean": type(mean)(factor * np.asarray(mean.value), factor * np.asarray(mean.stderr))}
    wrong = claim.with_prediction(predict)
    assert not _run_at(wrong, claim.examples[0]).passed


@pytest.mark.slow
def test_backward_strong_order_off_by_a_quarter():
    """Predicted slope -0.75 is rejected (measured -0.354 +- 0.026 at the pinned example); -0.25 is NOT rejected at
    the quick size (the measured slope is pre-asymptotic, 0.10 from it): a finding, asserted so that it is noticed."""
    claim = sr.BACKWARD_CLAIM
    for shift, rejected in ((-0.25, True), (0.25, False)):
        def predict(p, *, seed=None, shift=shift):
            out = claim.predict(p, seed=seed)
            return {**out, "p_0 - P_0 on one path": out["p_0 - P_0 on one path"] + shift}
        result = _run_at(claim.with_prediction(predict), claim.examples[0])
        failed = [o["name"] for o in result.data["outcomes"] if not o["passed"]]
        assert ("p_0 - P_0 on one path" in failed) == rejected, result.detail


@pytest.mark.slow
def test_backward_without_gamma_is_rejected_with_a_shrunk_counterexample():
    """The Gamma term dropped from the limit (prediction and strong reference), at a quarter of the quick samples: the
    run fails and hypothesis shrinks the drawn counterexample (no pinned example: a failing explicit example is not
    shrunk); which checks reject it there is printed."""
    claim = dataclasses.replace(sr.backward_claim(gamma=False), examples=())
    res = check(claim, profile=Profile("planted", max_examples=1, sample_scale=0.25))
    assert not res.passed and res.counterexample is not None
    params, _, result = res.counterexample
    failed = [o["name"] for o in result.data["outcomes"] if not o["passed"]]
    assert failed and set(failed) <= {"adjoint mean", "p_0 - P_0 on one path"}, result.detail
    print("shrunk counterexample", params, "rejected by", failed)


def test_rate_panel_draws_each_examples_predicted_order():
    """A Rate check with a per-example ``predict`` (forward claim: -0.4 at tanh, beta 0.2; -1 at beta 0): the panel's
    theory line through each series has that series' own slope, read from its stored ``order``, not the declared
    nominal order (verify/plots.py Rate; before this fix every series got the declared -1)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from verify import plots

    panel = plots.Rate("mean of |h_L - H_1|", values=("c", "values"), order=("c", "order"), sizes=("c", "sizes"))
    sizes = np.array([128.0, 512.0, 2048.0])
    series = [plots.Series({"c": {"sizes": sizes, "values": sizes ** s, "order": s}}, f"s{i}", f"C{i}", i)
              for i, s in enumerate((-0.4, -1.0))]
    fig, ax = plt.subplots()
    panel.draw(ax, series)
    slopes = {ln.get_gid(): np.polyfit(np.log(ln.get_xdata()), np.log(ln.get_ydata()), 1)[0] for ln in ax.get_lines()
              if str(ln.get_gid()).startswith("theory")}
    plt.close(fig)
    assert slopes == pytest.approx({"theory:0": -0.4, "theory:1": -1.0})
