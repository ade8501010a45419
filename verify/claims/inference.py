r"""Claims of the ``inference`` family: wide networks trained by gradient descent against the kernel prediction.

``claim.readout_training``: a one-hidden-layer network whose readout alone is trained by gradient
flow on MSE (Lee et al. 2019, section 2.3.1, "weakly trained"; Peluchetti and Favaro 2021, section 6)
has, at every time $t$ including $t = \infty$, an ensemble mean that tends as the width $n \to \infty$
to the NNGP version of the linearised ensemble,
$K_{xX}K_{XX}^{-1}(I - e^{-\eta K_{XX}t/N})Y$ (records ``inference.linearised`` and ``kernel.fc``;
at $t = \infty$ the NNGP posterior mean).  Draws are the trained mean given the hidden layer (exact:
the network is linear in its trained readout), minus a control variate of mean exactly 0 built from
the readout kernel's expectation by quadrature (:mod:`numerics.inference.readout`); the finite-width
bias is $O(1/n)$ and is extrapolated (quadratic in $1/n$, goodness of fit on the spare width).
"""

from __future__ import annotations

import numpy as np

from numerics.inference import gradient_descent_mse_ensemble
from numerics.inference.readout import readout_trained_means
from numerics.kernel import nngp_ntk

from ..core import Extrapolated, choice, real, theorem

__all__ = ["CLAIMS", "READOUT_CLAIM", "TIMES", "X_TEST", "X_TRAIN", "Y_TRAIN", "readout_mean"]

X_TRAIN = np.array([[1.0, 0.0], [0.0, 1.0], [-0.7, 0.7], [0.6, -0.8]])
X_TEST = np.array([[0.8, 0.6], [-0.2, 0.9]])
Y_TRAIN = np.array([1.0, -0.5, 0.8, -1.0])
TIMES = (2.0, 20.0, np.inf)  # learning rate 1, loss (1/2N)|f(X) - Y|^2 as in neural-tangents


def _simulate(p, *, size, n, seed):
    return readout_trained_means(X_TRAIN, X_TEST, Y_TRAIN, activation=p["activation"], width=size, W_std=p["W_std"],
                                 b_std=p["b_std"], learning_rate=1.0, times=TIMES, n_samples=n, seed=seed)


def readout_mean(p) -> np.ndarray:
    """The prediction: the NNGP ensemble's mean at each time and test point (time-major)."""
    k, _ = nngp_ntk(np.vstack([X_TRAIN, X_TEST]), activation=p["activation"], depth=1, W_std=p["W_std"],
                    b_std=p["b_std"])
    m = len(X_TRAIN)
    ens = gradient_descent_mse_ensemble(k_train_train=k[:m, :m], k_test_train=k[m:, :m], y_train=Y_TRAIN,
                                        get="nngp", learning_rate=1.0)
    return ens.mean(t=list(TIMES))[:, :, 0].ravel()


def _size_at_each_time(p, pred):
    """A mean near 0 at one test point is measured against the mean's size at that time."""
    per_time = np.abs(np.asarray(pred, dtype=float)).reshape(len(TIMES), -1)
    return np.repeat(per_time.max(axis=1), per_time.shape[1])


READOUT_CLAIM = theorem(
    id="claim.readout_training",
    title="Readout-only gradient flow: the trained ensemble's mean tends to the NNGP prediction at every time",
    source="Lee et al. (NeurIPS 2019), sec. 2.3.1 and eq. 16 (NNGP version); Peluchetti and Favaro (JMLR 2021), sec. 6",
    records=("inference.linearised", "kernel.fc"),
    parameters=[choice("activation", "erf", "tanh", description="hidden activation"), real("W_std", 0.5, 2.0), real("b_std", 0.1, 0.5)],
    checks=[Extrapolated("trained mean", simulate=_simulate, predict=readout_mean, sizes=(16, 32, 64, 128),
                         samples=20_000, order=2, variable="1/n", size_name="n", scale=_size_at_each_time,
                         labels=tuple(f"t={t:g}, x{j}" for t in TIMES for j in range(len(X_TEST))))],
    examples=[{"activation": "erf", "W_std": 1.5, "b_std": 0.1}, {"activation": "tanh", "W_std": 0.8, "b_std": 0.3}],
    bias="O(1/n) finite-width bias extrapolated quadratically in 1/n over n = 16..128, goodness of fit on the spare width",
    max_examples=2,
)

CLAIMS = (READOUT_CLAIM,)
