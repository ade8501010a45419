r"""The result record of the proportional-regime simulators and the per-chunk recorder that fills it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .proportional_sampling import col_sq, safe_log, unit_ratio

__all__ = ["STREAM_RECORDS", "ProportionalResult", "Recorder"]

#: Optional per-layer records of the ReLU networks (pass any subset as ``record=``).
STREAM_RECORDS = ("log_norm_path", "active_fraction", "active_mass", "overlap")


@dataclass(frozen=True)
class ProportionalResult:
    r"""Per-sample summaries of ``n_samples`` independent networks on ``m`` inputs (last axis: the input).

    Attributes
    ----------
    log_norm_ratio:
        ``(n_samples, m)``: $L_d = \ln(\|z_d\|^2/n_d) - \ln(\|z_0\|^2/n_0)$, the log
        of the per-unit mean square of the last hidden state relative to the
        first ($= \ln(\|z_d\|^2/\|z_0\|^2)$ when the widths are equal; for the
        shaped MLPs $\ln(\Phi_d^{aa}/\Phi_0^{aa})$).  ``-inf`` for a dead ReLU network.
    log_output_norm:
        ``(n_samples, m)``: $\ln\|z_{out}\|^2$ of the $n_{out}$ outputs, or None when ``n_out=0``.
    log_norm_path:
        ``(n_samples, d + 1, m)``: the path $\ell \mapsto \ln(\|z_\ell\|^2/n_\ell) - \ln(\|z_0\|^2/n_0)$
        (record ``"log_norm_path"``), else None.
    active_fraction:
        ``(n_samples, d, m)``: $\#\{i : u_{\ell,i} > 0\}/n$ for the $d$ pre-activations $u_\ell$
        the network applies its ReLU to (record ``"active_fraction"``), else None.
    active_mass:
        ``(n_samples, d, m)``: $r_\ell = \|\mathrm{relu}(u_\ell)\|^2/\|u_\ell\|^2$ (record ``"active_mass"``), else None.
    overlap:
        ``(n_samples, d - 1, m)``: fraction of units active at both $\ell$ and $\ell+1$
        (record ``"overlap"``; ResNets only, where unit $i$ is the same coordinate of the stream), else None.
    covariance_path:
        ``(n_samples, d + 1, m, m)``: $\Phi_0, \dots, \Phi_d$ (shaped MLPs, record ``"covariance_path"``), else None.
    method:
        ``"exact_in_law"`` or ``"full"``.
    """

    log_norm_ratio: np.ndarray
    log_output_norm: np.ndarray | None
    log_norm_path: np.ndarray | None = None
    active_fraction: np.ndarray | None = None
    active_mass: np.ndarray | None = None
    overlap: np.ndarray | None = None
    covariance_path: np.ndarray | None = None
    method: str = "exact_in_law"

    @property
    def delta(self) -> np.ndarray | None:
        r"""$\delta_\ell = r_\ell - 1/2$ (needs ``active_mass`` recorded)."""
        return None if self.active_mass is None else self.active_mass - 0.5

    @property
    def correlation_path(self) -> np.ndarray | None:
        r"""$\rho_\ell^{ab} = \Phi_\ell^{ab}/\sqrt{\Phi_\ell^{aa}\Phi_\ell^{bb}}$ (0 where a variance is 0), from ``covariance_path``."""
        if self.covariance_path is None:
            return None
        d = np.sqrt(np.diagonal(self.covariance_path, axis1=-2, axis2=-1))
        return np.clip(unit_ratio(self.covariance_path, d[..., :, None] * d[..., None, :]), -1.0, 1.0)


class Recorder:
    """Output arrays for all samples, filled chunk by chunk, layer by layer."""

    def __init__(self, record: frozenset, n_samples: int, depth: int, m: int, n_out: int, *, covariance=False):
        self.record = record
        self.depth = depth
        self.log_norm_ratio = np.empty((n_samples, m))
        self.log_output_norm = np.empty((n_samples, m)) if n_out > 0 else None
        self.log_norm_path = np.empty((n_samples, depth + 1, m)) if "log_norm_path" in record else None
        self.active_fraction = np.empty((n_samples, depth, m)) if "active_fraction" in record else None
        self.active_mass = np.empty((n_samples, depth, m)) if "active_mass" in record else None
        self.overlap = np.empty((n_samples, max(depth - 1, 0), m)) if "overlap" in record else None
        self.covariance_path = (np.empty((n_samples, depth + 1, m, m)) if "covariance_path" in record else None)
        self._prev = None

    def start(self, lo: int, hi: int, log_sq0: np.ndarray):
        """Begin a chunk of samples ``lo:hi`` whose layer-0 log mean square is ``log_sq0`` (``(S, m)``)."""
        self.lo, self.hi, self.u0, self._prev = lo, hi, log_sq0, None
        self.log_norm(0, log_sq0)

    def log_norm(self, layer: int, log_sq: np.ndarray):
        """Layer ``layer``'s log mean square (the last call of a chunk gives the ratio)."""
        if self.log_norm_path is not None:
            self.log_norm_path[self.lo:self.hi, layer] = log_sq - self.u0
        if layer == self.depth:
            self.log_norm_ratio[self.lo:self.hi] = log_sq - self.u0

    def activation(self, layer: int, pre: np.ndarray, post: np.ndarray):
        """ReLU ``layer`` (0-based among the d ReLUs): pre-activation and ReLU output, ``(S, n, m)``."""
        if self.active_fraction is None and self.active_mass is None and self.overlap is None:
            return
        on = pre > 0
        if self.active_fraction is not None:
            self.active_fraction[self.lo:self.hi, layer] = on.mean(axis=1)
        if self.active_mass is not None:
            self.active_mass[self.lo:self.hi, layer] = unit_ratio(col_sq(post), col_sq(pre))
        if self.overlap is not None:
            if self._prev is not None:
                self.overlap[self.lo:self.hi, layer - 1] = (self._prev & on).mean(axis=1)
            self._prev = on

    def covariance(self, layer: int, phi: np.ndarray):
        if self.covariance_path is not None:
            self.covariance_path[self.lo:self.hi, layer] = phi

    def output(self, log_sq_out: np.ndarray):
        self.log_output_norm[self.lo:self.hi] = log_sq_out

    def result(self, method: str) -> ProportionalResult:
        return ProportionalResult(self.log_norm_ratio, self.log_output_norm, self.log_norm_path, self.active_fraction,
                                  self.active_mass, self.overlap, self.covariance_path, method)


def log_mean_square(a: np.ndarray) -> np.ndarray:
    r"""$\ln(\|a\|^2/n)$ per column of each ``(n, m)`` matrix; ``-inf`` for a zero column."""
    return safe_log(col_sq(a) / a.shape[1])
