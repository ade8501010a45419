r"""The laws of a ResNet's output log-norm that ``claim.gaussian_falsified`` sets against each other.

A standard ReLU ResNet of width $n$ and depth $d$ on an input with $\|x\|^2 = n_{in}$, read out by
$n_{out}$ Gaussian units (:func:`numerics.log_gaussian.relu_resnet`), has output log-norm
$Y = \ln\|z_{out}\|^2$.  Both predictions for its law are of the form

$$Y \overset{d}{=} A + G + C,\qquad A = \ln(\chi^2_n/n),\quad G \sim N(\mu\beta, \sigma^2\beta),\quad
  C = \ln\chi^2_{n_{out}},\qquad \beta = d/n,$$

with independent terms (input layer, residual stream, readout):

* **log-Gaussian** (Li, Nica and Roy 2021, $d/n \to \beta$): $\mu, \sigma^2$ the limit's mean and variance
  per unit $\beta$ (record ``log_gaussian.resnet_standard``), all three terms present;
* **Gaussian** (infinite width at fixed depth; Neal 1996, Lee et al. 2018): no input-layer term and
  $\mu = \sigma^2 = 0$, so $Y \sim \ln\chi^2_{n_{out}}$ and $F_G(y) = P(\chi^2_{n_{out}} \le e^y)$.

:class:`OutputLaw` computes the CDF by discretising each term on cells of width $h$ (exact cell
masses from the $\chi^2$ and normal CDFs), convolving the masses (FFT) and interpolating the
cumulative sum linearly between cell edges.  Replacing each term by its cell centre adds
independent, centred errors of at most $h/2$, so the CDF error is $O(h^2 \max|f'|)$ (below $10^{-5}$ at
$h = 2\cdot 10^{-3}$, see the tests against quadrature); the mean $\mu\beta$ shifts the grid exactly.
:func:`law_distance` gives $\sup_y|F_1 - F_2|$ of two such laws, and :func:`crossing_depth` the
first depth of a grid at which two laws are farther apart than a bound.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special as _special
from scipy import stats as _stats

from ..core.validation import check_integer, check_scalar

__all__ = ["OutputLaw", "crossing_depth", "gaussian_output_law", "law_distance", "log_gaussian_output_law"]

_STEP = 2e-3  # cell width h of the discretisation (CDF error O(h^2))
_SPREAD = 14.0  # cells span each term's mean -/+ 14 standard deviations (plus 60/k to the left of ln chi^2_k)


def _log_chi2_masses(k: int, h: float, shift: float) -> tuple[float, np.ndarray]:
    r"""(centre of the first cell, cell masses) of $\ln\chi^2_k - $ ``shift`` on cells of width ``h``.

    The left tail of $\ln\chi^2_k$ decays like $e^{ku/2}$ and the right one like $e^{-e^u/2}$.
    """
    mean, sd = float(_special.digamma(k / 2)) + math.log(2.0), math.sqrt(float(_special.polygamma(1, k / 2)))
    lo = math.floor((mean - _SPREAD * sd - 60.0 / k) / h)
    hi = math.ceil((mean + _SPREAD * sd) / h)
    centres = h * np.arange(lo, hi + 1)
    edges = np.append(centres - h / 2, centres[-1] + h / 2)
    cdf = _stats.chi2.cdf(np.exp(edges), k)
    return float(centres[0]) - shift, np.diff(cdf)


def _convolve(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Full linear convolution of two mass vectors by a real FFT (numpy's: no scipy.signal import)."""
    n = a.size + b.size - 1
    m = 1 << (n - 1).bit_length()  # a power of two >= n: no circular wrap, fast transforms
    return np.fft.irfft(np.fft.rfft(a, m) * np.fft.rfft(b, m), m)[:n]


def _normal_masses(s: float, h: float) -> tuple[float, np.ndarray]:
    """(centre of the first cell, cell masses) of $N(0, s^2)$ on cells of width ``h`` centred on 0."""
    if s == 0.0:
        return 0.0, np.ones(1)
    m = math.ceil(_SPREAD * s / h)
    edges = h * (np.arange(-m, m + 2) - 0.5)
    return -m * h, np.diff(_special.ndtr(edges / s))


@dataclass(frozen=True)
class OutputLaw:
    r"""The law $A + G + C$ of $\ln\|z_{out}\|^2$ (module docstring) at any depth.

    ``width`` is $n$ (for $\beta = d/n$ and the input layer's $\chi^2_n$), ``n_out`` the readout width,
    ``mu`` and ``sigma2`` are $\mu/\beta$ and $\sigma^2/\beta$; ``input_layer=False`` drops $A$; ``factor``
    $s > 0$ makes it the law of $s(A + G + C)$ (:meth:`scaled`: how a mutant scales a predicted law).
    Picklable, so a claim's prediction can cross process boundaries.
    """

    width: int
    n_out: int
    mu: float
    sigma2: float
    input_layer: bool = True
    factor: float = 1.0

    def __post_init__(self) -> None:
        check_integer("width", self.width, minimum=1)
        check_integer("n_out", self.n_out, minimum=1)
        check_scalar("mu", self.mu)
        check_scalar("sigma2", self.sigma2, low=0.0)
        check_scalar("factor", self.factor, low=0.0, closed=(False, True))

    def scaled(self, factor: float) -> OutputLaw:
        """The law of ``factor`` times this law's variable."""
        factor = check_scalar("factor", factor, low=0.0, closed=(False, True))
        return OutputLaw(self.width, self.n_out, self.mu, self.sigma2, self.input_layer, self.factor * factor)

    def cdf_table(self, *, depth: int) -> tuple[np.ndarray, np.ndarray]:
        """(cell edges $y_j$, $F(y_j)$) of the law at ``depth``: the piecewise-linear CDF :meth:`cdf` reads."""
        depth = check_integer("depth", depth, minimum=0)
        beta = depth / self.width
        h = min(_STEP, 0.05 / math.sqrt(self.width))  # >= 25 cells per standard deviation of A ~ sqrt(2/n)
        start, masses = _log_chi2_masses(self.n_out, h, 0.0)
        terms = [_normal_masses(math.sqrt(self.sigma2 * beta), h)]
        if self.input_layer:
            terms.append(_log_chi2_masses(self.width, h, math.log(self.width)))
        for first, m in terms:
            start, masses = start + first, _convolve(masses, m)
        masses = np.clip(masses, 0.0, None)
        cdf = np.concatenate([[0.0], np.cumsum(masses)])
        edges = start + self.mu * beta + h * (np.arange(cdf.size) - 0.5)
        return self.factor * edges, np.clip(cdf / cdf[-1], 0.0, 1.0)

    def cdf(self, y, *, depth: int) -> np.ndarray:
        r"""$F(y)$ at ``depth``.

        >>> law = gaussian_output_law(width=128, n_out=2)
        >>> abs(float(law.cdf(math.log(2.0), depth=7)) - (1 - math.exp(-1.0))) < 1e-6
        True
        """
        edges, values = self.cdf_table(depth=depth)
        return np.interp(np.asarray(y, dtype=float), edges, values)


def gaussian_output_law(*, width: int, n_out: int) -> OutputLaw:
    r"""The infinite-width law $\ln\chi^2_{n_{out}}$, the same at every depth."""
    return OutputLaw(width, n_out, 0.0, 0.0, input_layer=False)


def log_gaussian_output_law(*, width: int, n_out: int, mu: float, sigma2: float) -> OutputLaw:
    r"""The log-Gaussian law $\ln(\chi^2_n/n) + N(\mu\beta, \sigma^2\beta) + \ln\chi^2_{n_{out}}$."""
    return OutputLaw(width, n_out, mu, sigma2, input_layer=True)


def law_distance(law_a: OutputLaw, law_b: OutputLaw, *, depth: int) -> float:
    r"""$\sup_y |F_a - F_b|$ of two :class:`OutputLaw` at ``depth``, on the union of their cell edges.

    Both CDFs are piecewise linear between their edges, so the maximum over the union is the supremum.
    """
    ea, fa = law_a.cdf_table(depth=depth)
    eb, fb = law_b.cdf_table(depth=depth)
    y = np.union1d(ea, eb)
    return float(np.max(np.abs(np.interp(y, ea, fa) - np.interp(y, eb, fb))))


def crossing_depth(rejected: OutputLaw, holding: OutputLaw, *, depths, bound: float) -> int | None:
    r"""The first of ``depths`` at which $\sup|F_{holding} - F_{rejected}| >$ ``bound`` (None if none).

    >>> g = gaussian_output_law(width=128, n_out=10)
    >>> crossing_depth(g, g, depths=(1, 2, 4), bound=0.1) is None
    True
    """
    bound = check_scalar("bound", bound, low=0.0, high=1.0, closed=(False, False))
    for d in depths:
        if law_distance(holding, rejected, depth=d) > bound:
            return int(d)
    return None
