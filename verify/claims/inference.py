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

``claim.ntk_training``: one-hidden-layer networks trained in all their parameters by gradient descent (the
shared trainer) have, after $k = 2, 6, 16$ steps, an ensemble mean and covariance at the test points that tend
to the NTK version of the linearised ensemble (discrete-time form); draws from pairs of trained networks with
exact-zero-mean control variates (:mod:`numerics.inference.trained`), quadratic fit in $1/n$ over 64..512.

``claim.stability_threshold``: the learning-rate threshold $2N/\lambda_{\max}$ found from the linearised
iteration alone (repeated squaring and bisection, no eigenvalues), and the trained networks' mean train
residual along the NTK's top eigenvector multiplied per step by $1 - 2\eta/\eta^*$: growing above the threshold,
shrinking below it ($\eta = (1 \mp \delta)\eta^*$, $k = 1, 2$), extrapolated in $1/n$ over 128..1024.
"""

from __future__ import annotations

import numpy as np

from numerics.inference import gradient_descent_mse_ensemble, max_learning_rate
from numerics.inference.stability import linearised_divergence_threshold
from numerics.inference.readout import readout_trained_means
from numerics.inference.trained import trained_output_draws
from numerics.kernel import nngp_ntk

from ..core import Deterministic, Extrapolated, Simulation, choice, real, theorem

__all__ = ["CLAIMS", "NTK_CLAIM", "READOUT_CLAIM", "STABILITY_CLAIM", "STEPS", "TIMES", "X_TEST", "X_TRAIN", "Y_TRAIN",
           "ntk_ensemble", "ntk_prediction", "readout_mean", "stability_prediction"]

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


STEPS = (2, 6, 16)  # gradient-descent steps at which the trained outputs are compared
NTK_WIDTHS = (64, 128, 256, 512)
NTK_PAIRS = 1000  # draws (pairs of networks) per width


def ntk_ensemble(p, *, get="ntk"):
    """The linearised ensemble of the example and its learning rate ``eta_fraction * 2N / lambda_max``."""
    k, th = nngp_ntk(np.vstack([X_TRAIN, X_TEST]), activation=p["activation"], depth=1, W_std=p["W_std"],
                     b_std=p["b_std"])
    m = len(X_TRAIN)
    lr = p["eta_fraction"] * 2 * m / np.linalg.eigvalsh(th[:m, :m])[-1]
    kern = th if get == "ntk" else k
    return gradient_descent_mse_ensemble(k_train_train=kern[:m, :m], k_test_train=kern[m:, :m], y_train=Y_TRAIN, get=get,
                                         k_train_train_nngp=k[:m, :m], k_test_train_nngp=k[m:, :m],
                                         k_test_test_nngp=k[m:, m:], learning_rate=lr), lr


def ntk_prediction(p, *, get="ntk", steps=STEPS):
    """Mean (step-major) and covariance (upper triangles, step-major) of the linearised ensemble."""
    mean, cov = ntk_ensemble(p, get=get)[0].predict(steps=list(steps))
    iu = np.triu_indices(len(X_TEST))
    return {"mean": mean[:, :, 0].ravel(), "covariance": cov[:, iu[0], iu[1]].ravel()}


def _trained(p, *, size, n, seed):
    mean, cov = trained_output_draws(X_TRAIN, X_TEST, Y_TRAIN, activation=p["activation"], width=size,
                                     W_std=p["W_std"], b_std=p["b_std"], learning_rate=ntk_ensemble(p)[1],
                                     steps=STEPS, n_pairs=n, seed=seed)
    return np.hstack([mean, cov])


def _per_step(p, pred, *, diagonal):
    """Discrepancies relative to the largest |mean| (largest variance) predicted at that step."""
    per = np.abs(np.asarray(pred, dtype=float)).reshape(len(STEPS), -1)
    size = per[:, [0, 2]].max(axis=1) if diagonal else per.max(axis=1)
    return np.repeat(size, per.shape[1])


TRAINED = Simulation("trained networks", _trained)
_M = len(STEPS) * len(X_TEST)
_COMMON = dict(sizes=NTK_WIDTHS, samples=NTK_PAIRS, order=2, variable="1/n", size_name="n")
NTK_CLAIM = theorem(
    id="claim.ntk_training",
    title="Wide networks trained by gradient descent: the ensemble's mean and covariance follow the NTK prediction",
    source="Jacot et al. (NeurIPS 2018); Lee et al. (NeurIPS 2019), eqs. 14-16 (discrete-time form, sec. 2.4)",
    records=("inference.linearised", "kernel.fc"),
    parameters=[choice("activation", "erf", "tanh", description="hidden activation"), real("W_std", 1.0, 2.0),
                real("b_std", 0.1, 0.5), real("eta_fraction", 0.3, 0.6, description="learning rate / (2N/lambda_max)")],
    checks=[Extrapolated("mean", simulate=TRAINED.columns(slice(0, _M)), predict=lambda p: ntk_prediction(p)["mean"],
                         scale=lambda p, pred: _per_step(p, pred, diagonal=False),
                         labels=tuple(f"k={k}, x{j}" for k in STEPS for j in range(2)), **_COMMON),
            Extrapolated("covariance", simulate=TRAINED.columns(slice(_M, None)),
                         predict=lambda p: ntk_prediction(p)["covariance"],
                         scale=lambda p, pred: _per_step(p, pred, diagonal=True),
                         labels=tuple(f"k={k}, {c}" for k in STEPS for c in ("S00", "S01", "S11")), **_COMMON)],
    examples=[{"activation": "tanh", "W_std": 1.5, "b_std": 0.1, "eta_fraction": 0.5}],
    bias="O(1/n) finite-width bias extrapolated quadratically in 1/n over n = 128..1024, goodness of fit on the spare width",
    max_examples=1,
)


STABILITY_STEPS = (1, 2)
STABILITY_WIDTHS = (128, 256, 512, 1024)


def _top_mode(p):
    """The example's NTK on X_TRAIN, its top eigenvector (the targets) and the threshold 2N/lambda_max."""
    th = nngp_ntk(X_TRAIN, activation=p["activation"], depth=1, W_std=p["W_std"], b_std=p["b_std"])[1]
    return th, np.linalg.eigh(th)[1][:, -1], max_learning_rate(th)


def _rates(p):
    return (1 - p["offset"], 1 + p["offset"])  # learning rates in units of 2N/lambda_max: below, above


def stability_prediction(p, *, threshold=max_learning_rate):
    """Mean top-mode residual after k steps at eta = c * 2N/lambda_max: -(1 - 2 eta / threshold)^k."""
    th, _, unit = _top_mode(p)
    return {"linearised threshold": threshold(th),
            "top mode, trained": np.array([-(1 - 2 * c * unit / threshold(th)) ** k for c in _rates(p)
                                           for k in STABILITY_STEPS])}


def _top_mode_residuals(p, *, size, n, seed):
    th, v, unit = _top_mode(p)
    out = []
    for c, s in zip(_rates(p), np.random.SeedSequence(seed.entropy, spawn_key=seed.spawn_key).spawn(2)):
        mean, _ = trained_output_draws(X_TRAIN, X_TRAIN, v, activation=p["activation"], width=size, W_std=p["W_std"],
                                       b_std=p["b_std"], learning_rate=c * unit, steps=STABILITY_STEPS, n_pairs=n,
                                       seed=s, covariance=False)
        out.append((mean.reshape(n, len(STABILITY_STEPS), -1) - v) @ v)
    return np.hstack(out)


STABILITY_CLAIM = theorem(
    id="claim.stability_threshold",
    title="Gradient descent diverges above 2N/lambda_max and converges below it: linearised model and wide networks",
    source="Lee et al. (NeurIPS 2019), sec. 2.4 and Theorem 2.1; neural-tangents predict.max_learning_rate",
    records=("inference.linearised", "kernel.fc"),
    parameters=[choice("activation", "erf", "tanh", description="hidden activation"), real("W_std", 1.0, 2.0),
                real("b_std", 0.1, 0.5), real("offset", 0.05, 0.15, description="learning rates (1 -/+ offset) 2N/lambda_max")],
    checks=[Deterministic("linearised threshold", compute=lambda p: linearised_divergence_threshold(_top_mode(p)[0]),
                          predict=lambda p: stability_prediction(p)["linearised threshold"], rtol=1e-9),
            Extrapolated("top mode, trained", simulate=_top_mode_residuals,
                         predict=lambda p: stability_prediction(p)["top mode, trained"], sizes=STABILITY_WIDTHS,
                         samples=1000, order=2, variable="1/n", size_name="n",
                         labels=tuple(f"{w}, k={k}" for w in ("below", "above") for k in STABILITY_STEPS))],
    examples=[{"activation": "tanh", "W_std": 1.5, "b_std": 0.1, "offset": 0.1}],
    bias="O(1/n) finite-width bias extrapolated quadratically in 1/n over n = 128..1024, goodness of fit on the spare width",
    max_examples=1,
)

CLAIMS = (READOUT_CLAIM, NTK_CLAIM, STABILITY_CLAIM)
