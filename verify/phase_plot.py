r"""The order-to-chaos phase diagram as a figure: $\xi_c$ as a heat map with the critical line on top.

One panel per activation: $\log_{10}\xi_c$ over $(\sigma_w^2, \sigma_b^2)$ from the vectorised grid
(:func:`numerics.propagation.phase_grid.phase_grid`, plot grade), and the critical line
$\sigma_w^2(\sigma_b^2)$ from :func:`numerics.propagation.critical_line` (the accurate solver), where $\xi_c$
diverges.  matplotlib is imported when a figure is made, never at import time.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = ["check_png_path", "phase_figure"]


def check_png_path(path: str) -> Path:
    """``path`` as a writable ``.png`` location; ``ValueError`` naming it otherwise."""
    p = Path(path)
    if p.suffix.lower() != ".png":
        raise ValueError(f"--plot={path!r} must name a .png file")
    if not p.parent.is_dir():
        raise ValueError(f"--plot={path!r}: the folder {str(p.parent)!r} does not exist")
    return p


def phase_figure(activations, *, sigma_b2_max: float = 0.5, grid: tuple[int, int] = (40, 28), labels=None):
    """A matplotlib figure: one phase-diagram panel per activation (names or ``Activation`` objects)."""
    import matplotlib.pyplot as plt

    from numerics.propagation import critical_line
    from numerics.propagation.phase_grid import phase_grid

    acts = list(activations)
    labels = list(labels) if labels is not None else [a if isinstance(a, str) else a.name for a in acts]
    if not (np.isfinite(sigma_b2_max) and sigma_b2_max > 0):
        raise ValueError(f"sigma_b2_max={sigma_b2_max!r} must be a finite number > 0")
    fig, axes = plt.subplots(1, len(acts), figsize=(4.6 * len(acts), 3.8), squeeze=False)
    for ax, act, label in zip(axes[0], acts, labels):
        sb_line = np.linspace(0.0, sigma_b2_max, 80)[1:]  # sigma_b2 = 0 has no critical point when phi'(0) = 0
        sw_line, _ = critical_line(act, sb_line)
        sw = np.linspace(max(0.05, 0.4 * float(sw_line.min())), 1.8 * float(np.median(sw_line)), grid[0])
        sb = np.linspace(0.0, sigma_b2_max, grid[1])
        g = phase_grid(act, sw, sb)
        xi = np.where(g["xi_c"] > 0, np.minimum(g["xi_c"], 1e3), np.nan)  # NaN: no fixed point (blank)
        mesh = ax.pcolormesh(sw, sb, np.log10(xi), shading="nearest", cmap="viridis")
        fig.colorbar(mesh, ax=ax, label=r"$\log_{10}\xi_c$ (capped at $10^3$)")
        ax.plot(sw_line, sb_line, color="tab:red", lw=2.0, label=r"critical line $\chi_1 = 1$")
        ax.set(xlabel=r"$\sigma_w^2$", ylabel=r"$\sigma_b^2$", title=f"{label}: ordered (left) | chaotic (right)",
               xlim=(sw[0], sw[-1]), ylim=(0.0, sigma_b2_max))
        ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    return fig
