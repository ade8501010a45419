"""claim.readout_training on its pinned example (quick profile, no shrinking): true passes, planted errors fail."""

import numpy as np
import pytest

from numerics.inference import gradient_descent_mse_ensemble
from numerics.kernel import nngp_ntk
from verify.claims import PROFILES
from verify.claims.inference import READOUT_CLAIM, TIMES, X_TEST, X_TRAIN, Y_TRAIN, readout_mean

PINNED = READOUT_CLAIM.examples[0]


def _run(claim):
    return claim.run(claim, PINNED, 0, 1e-6 / 4, PROFILES["quick"])


def _failed(res):
    return [o["name"] for o in res.data["outcomes"] if not o["passed"]]


@pytest.fixture(scope="module")
def true_result():
    return _run(READOUT_CLAIM)


def test_true_prediction_passes_with_power(true_result):
    assert true_result.passed, true_result.detail
    assert true_result.data["weakest"]["relative"] < 0.05


@pytest.mark.parametrize("factor", [1.05, 0.95])
def test_scaled_prediction_fails(factor):
    wrong = READOUT_CLAIM.with_prediction(lambda p: {"trained mean": factor * readout_mean(p)})
    assert _failed(_run(wrong)) == ["trained mean"]


def test_ntk_in_place_of_the_nngp_fails():
    """Fully trained (NTK) dynamics predicted for a readout-only network."""
    def ntk_mean(p):
        k, th = nngp_ntk(np.vstack([X_TRAIN, X_TEST]), activation=p["activation"], depth=1, W_std=p["W_std"],
                         b_std=p["b_std"])
        m = len(X_TRAIN)
        ens = gradient_descent_mse_ensemble(k_train_train=th[:m, :m], k_test_train=th[m:, :m], y_train=Y_TRAIN,
                                            get="ntk", k_train_train_nngp=k[:m, :m], k_test_train_nngp=k[m:, :m],
                                            k_test_test_nngp=k[m:, m:], learning_rate=1.0)
        return ens.mean(t=list(TIMES))[:, :, 0].ravel()
    wrong = READOUT_CLAIM.with_prediction(lambda p: {"trained mean": ntk_mean(p)})
    assert _failed(_run(wrong)) == ["trained mean"]


# --- claim.ntk_training and claim.stability_threshold: planted errors rejected with shrunk counterexamples (slow:
# each check() draws and shrinks; the smoke run of the true claims is in test_shipped_and_kernel.py)

from numerics.inference import max_learning_rate  # noqa: E402
from verify.claims import check  # noqa: E402
from verify.claims.inference import NTK_CLAIM, STABILITY_CLAIM, STEPS, ntk_prediction, stability_prediction  # noqa: E402

QUICK = PROFILES["quick"]


def _rejected(claim):
    res = check(claim, profile=QUICK)
    assert not res.passed and res.counterexample is not None, res.summary()
    return sorted(_failed(res.counterexample[2]))


@pytest.mark.slow
@pytest.mark.parametrize("name, wrong", [
    ("x1.05", lambda p: {k: 1.05 * v for k, v in ntk_prediction(p).items()}),
    ("x0.95", lambda p: {k: 0.95 * v for k, v in ntk_prediction(p).items()}),
    ("NNGP in place of the NTK", lambda p: ntk_prediction(p, get="nngp")),
    ("time scale off by 2", lambda p: ntk_prediction(p, steps=tuple(2 * k for k in STEPS))),
])
def test_ntk_training_rejects_planted_errors(name, wrong):
    assert _rejected(NTK_CLAIM.with_prediction(wrong, suffix=name)) == ["covariance", "mean"]


@pytest.mark.slow
@pytest.mark.parametrize("factor", [1.05, 0.95])
def test_stability_rejects_scaled_predictions(factor):
    wrong = STABILITY_CLAIM.with_prediction(lambda p: {k: factor * np.asarray(v) for k, v in stability_prediction(p).items()})
    assert _rejected(wrong) == ["linearised threshold", "top mode, trained"]


@pytest.mark.slow
def test_stability_rejects_the_threshold_3n_over_lambda_max():
    wrong = STABILITY_CLAIM.with_prediction(lambda p: stability_prediction(p, threshold=lambda k: 1.5 * max_learning_rate(k)))
    assert _rejected(wrong) == ["linearised threshold", "top mode, trained"]
