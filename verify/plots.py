"""Plots for claim reports (matplotlib, imported lazily; headless backend)."""

from __future__ import annotations

import numpy as np

__all__ = ["convergence_plot"]


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _label(params) -> str:
    return ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in params.items()) or "example"


def convergence_plot(result, path, *, key_sizes="sizes", series=(), title=""):
    """Log-log plot of quantities against width, each with its predicted slope as a dashed theory line.

    ``series`` holds ``(data key, stderr key or None, predicted order, label)``; one line per
    example of the claim result.
    """
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(series), figsize=(5 * len(series), 4), squeeze=False)
    for ax, (key, err_key, order, label) in zip(axes[0], series):
        for params, _seed, res in result.examples:
            d = res.data
            if key not in d:
                continue
            n = np.asarray(d[key_sizes], dtype=float)
            y = np.abs(np.asarray(d[key], dtype=float))
            yerr = np.asarray(d[err_key], dtype=float) if err_key else None
            line = ax.errorbar(n, y, yerr=yerr, marker="o", ls="-", capsize=3, label=_label(params))
            anchor = y[0] if y[0] > 0 else np.max(y)
            ax.plot(n, anchor * (n / n[0]) ** order, ls="--", color=line[0].get_color(), alpha=0.7)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("width n")
        ax.set_title(f"{label} (dashed: theory, slope {order:g})")
        ax.legend(fontsize=7)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
