r"""The training study of Cohen, Cont, Rossier and Xu on the shared trainer: train the authors' two setups
(:data:`~numerics.scaling_regimes.training_task.SETUPS`) on their synthetic task over a grid of depths and
regress weight statistics on depth in log-log.

Per trained network the weight sequence is $w_k = A_k$ (tanh, shared $\delta$) or $w_k = |\delta_k|A_k$ (ReLU,
per-layer $\delta$: by positive homogeneity $\delta\,\mathrm{ReLU}(Ah + b) = \mathrm{sign}(\delta)\,
\mathrm{ReLU}(|\delta|Ah + |\delta|b)$, so $|\delta_k|A_k$ is the weight that scales), and the statistics are
(reference section 3): max norm $\max_k\|w_k\|_F$ ($\hat\beta = -$slope), root-SSQ $(\sum_k\|w_k\|_F^2)^{1/2}$
(slope $\tfrac12-\beta$ for weights of level $L^{-\beta}$; on $\delta A$ it is the square root of the discrete
quadratic variation of $M^L = \sum_k\delta_kA_k$, so slope 0 is the diffusive signature H2), quadratic
variation $\sum_k\|w_{k+1} - w_k\|_F^2$ (falls with $L$ for a smooth path), and for the shared setup
$\hat\alpha = -$slope of $|\delta|$ and the root-SSQ of $|\delta|A$.

Two signatures separate the hypotheses on the root-SSQ of $\delta_kA_k$: H1 (smooth, $\alpha + \beta = 1$)
predicts slope $\tfrac12 - (\alpha+\beta) = -\tfrac12$, H2 (diffusive, $\alpha+\beta = \tfrac12$) slope 0;
:func:`signature` names the nearer one when the interval excludes the other.

The slope's interval (:func:`loglog_slope`) is the ordinary least-squares $t$-interval of $\log s$ on $\log L$
over the depth grid (members of one depth averaged in log first): its noise is the scatter of the statistic
about a power law across depths, including pre-asymptotic curvature (the networks at different depths are
trained independently).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..core.sampling import child_seeds
from ..core.training import Optimizer, ResNet, init_resnet, train_minibatch
from .estimators import regression_slope
from .estimators_statistics import layer_statistic
from .training_task import SETUPS, TrainingSetup, ode_dataset
from .weights_file import write_networks

__all__ = ["StudyResult", "loglog_slope", "signature", "train_setup", "training_study", "weight_sequence",
           "write_study_weights"]

STATISTICS = ("max_norm", "root_ssq", "quadratic_variation", "root_ssq_delta_a", "abs_delta")


def _setup(setup) -> TrainingSetup:
    if isinstance(setup, TrainingSetup):
        return setup
    if setup not in SETUPS:
        raise ValueError(f"setup={setup!r} must be one of {sorted(SETUPS)} or a TrainingSetup")
    return SETUPS[setup]


def train_setup(setup, depth: int, *, data, ensemble: int, seed):
    """Train ``ensemble`` networks of depth ``depth`` (init seeds from ``seed``); ``(net, params, losses, epochs)``."""
    s = _setup(setup)
    net = ResNet(depth=depth, width=data[0].shape[1], activation=s.activation, delta=s.delta)
    init_seed, batch_seed = child_seeds(seed, 2)
    params = init_resnet(net, ensemble=ensemble, seed=init_seed, init=s.init, initial_sd=s.initial_sd)
    opt = Optimizer(s.optimizer, learning_rate=s.learning_rate)
    params, losses, epochs = train_minibatch(net, params, x=data[0], y=data[1], optimizer=opt, batch_size=s.batch_size,
                                             max_epochs=s.max_epochs, seed=batch_seed, tolerance=s.tolerance)
    return net, params, losses, epochs


def weight_sequence(net: ResNet, params) -> np.ndarray:
    r"""$w_k$ flattened, shape ``(E, L, d*d)``: $A_k$, or $|\delta_k|A_k$ for per-layer gates."""
    a, _, delta = params[0]
    w = np.abs(delta)[:, :, None, None] * a if net.delta == "per_layer" else a
    return w.reshape(w.shape[0], w.shape[1], -1)


def _statistics(net: ResNet, params) -> dict[str, np.ndarray]:
    w, gates = weight_sequence(net, params), net.gates(params[0][2])
    a = params[0][0].reshape(w.shape)
    out = {k: layer_statistic(w, k) for k in ("max_norm", "root_ssq", "quadratic_variation")}
    out["root_ssq_delta_a"] = layer_statistic(np.abs(gates)[:, :, None] * a, "root_ssq")
    out["abs_delta"] = np.abs(gates).max(axis=1)
    return out


def loglog_slope(depths, values, *, level: float = 0.95) -> tuple[float, float, float]:
    """Slope of ``log values`` (shape ``(n_depths, E)``, averaged over members in log) on ``log depths`` with
    its Student-t interval (:func:`~numerics.scaling_regimes.estimators.regression_slope`): ``(slope, low, high)``."""
    y = np.log(np.asarray(values, dtype=np.float64)).reshape(len(depths), -1).mean(axis=1)
    s, lo, hi = regression_slope(np.log(np.asarray(depths, dtype=np.float64)), y, level=level)
    return float(s), float(lo), float(hi)


def signature(low: float, high: float) -> str:
    r"""From the root-SSQ slope interval of $\delta A$: ``"smooth"`` (H1, slope $-\tfrac12$) if it excludes 0 and
    lies nearer $-\tfrac12$, ``"diffusive"`` (H2, slope 0) if it excludes $-\tfrac12$ and lies nearer 0, else
    ``"undecided"``."""
    mid = 0.5 * (low + high)
    if high < 0.0 and mid < -0.25:
        return "smooth"
    if low > -0.5 and mid > -0.25:
        return "diffusive"
    return "undecided"


@dataclass
class StudyResult:
    """Per setup: the depths, per-depth member statistics ``(n_depths, E)``, final losses, epochs, and slopes."""

    depths: tuple[int, ...]
    statistics: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    losses: dict[str, np.ndarray] = field(default_factory=dict)
    epochs: dict[str, np.ndarray] = field(default_factory=dict)
    #: per setup, the trained ``(net, params)`` of every depth (only with ``keep_networks=True``)
    networks: dict[str, list] = field(default_factory=dict)

    def slope(self, setup: str, statistic: str, *, level: float = 0.95) -> tuple[float, float, float]:
        """``(slope, low, high)`` of one statistic over the depths."""
        return loglog_slope(self.depths, self.statistics[setup][statistic], level=level)

    def beta_hat(self, setup: str, *, level: float = 0.95) -> tuple[float, float, float]:
        r"""$\hat\beta$ = minus the max-norm slope, ``(value, low, high)``."""
        s, lo, hi = self.slope(setup, "max_norm", level=level)
        return -s, -hi, -lo

    def summary(self, *, level: float = 0.95) -> str:
        """One line per setup and statistic: the log-log slope and its interval."""
        lines = []
        for name in self.statistics:
            b, lo, hi = self.beta_hat(name, level=level)
            lines.append(f"{name:15s} beta-hat {b:.3f}  [{lo:.3f}, {hi:.3f}]  (depths {self.depths[0]}..{self.depths[-1]})")
            for stat in STATISTICS:
                s, lo, hi = self.slope(name, stat, level=level)
                lines.append(f"{name:15s} {stat:20s} slope {s:+.3f}  [{lo:+.3f}, {hi:+.3f}]")
            s, lo, hi = self.slope(name, "root_ssq_delta_a", level=level)
            lines.append(f"{name:15s} signature (root-SSQ of delta*A): {signature(lo, hi)}")
        return "\n".join(lines)


def training_study(*, depths, ensemble: int = 1, seed=0, data_seed=0, setups=tuple(SETUPS),
                   keep_networks: bool = False) -> StudyResult:
    """Train every setup at every depth (``ensemble`` networks each, one child seed per setup and depth)."""
    depths = tuple(int(L) for L in depths)
    data = ode_dataset(data_seed)
    result = StudyResult(depths)
    seeds = child_seeds(seed, len(setups) * len(depths))
    for i, name in enumerate(setups):
        rows, losses, epochs = [], [], []
        for j, L in enumerate(depths):
            net, params, loss, ep = train_setup(name, L, data=data, ensemble=ensemble, seed=seeds[i * len(depths) + j])
            rows.append(_statistics(net, params))
            if keep_networks:
                result.networks.setdefault(name, []).append((net, params))
            losses.append(loss[np.arange(len(ep)), ep - 1])
            epochs.append(ep)
        result.statistics[name] = {k: np.stack([r[k] for r in rows]) for k in STATISTICS}
        result.losses[name], result.epochs[name] = np.stack(losses), np.stack(epochs)
    return result


def write_study_weights(path, result: StudyResult, setup: str, *, member: int = 0) -> None:
    r"""Write one member's trained networks of ``setup`` at every depth to ``path`` in the ``.npz`` format that
    ``deeplimits regime`` reads (:mod:`~numerics.scaling_regimes.weights_file`: ``L<depth>/A_k``, ``b_k``, and
    ``delta`` $= |\delta|$ shared or ``delta_k`` per layer; $A_k$ in the column convention $z = A_kh + b_k$).
    Needs a study run with ``keep_networks=True``."""
    if setup not in result.networks:
        raise ValueError(f"setup={setup!r} has no kept networks; run training_study(..., keep_networks=True)")
    nets = []
    for net, params in result.networks[setup]:
        a, b, delta = (arr[member] for arr in params[0])
        gate = {"none": None, "shared": float(abs(delta[0])) if delta.size else None}.get(net.delta, delta)
        nets.append({"A": a, "b": b, "delta": gate})
    write_networks(path, nets)
