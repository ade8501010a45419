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
