"""``deeplimits regime FILE [FILE ...]``: the scaling regime of a user's trained ResNets, with uncertainty.

Reads one network per depth from ``.npz`` files (format: :mod:`numerics.scaling_regimes.weights_file`,
``docs/regime_files.md``; a PyTorch ``state_dict`` when torch is installed), fits the exponents with their
intervals and reads the regime (:mod:`numerics.scaling_regimes.estimators_regime`).  ``--json out.json`` writes
everything; ``--plot out.png`` draws the log-log statistics against the depth with their fitted slopes
(matplotlib).  Bad input raises ``ValueError``: one line on stderr, exit status 2.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

__all__ = ["add_regime_parser", "regime_figure", "run_regime"]

_LABELS = {"max_norm_A": ("max_k |A_k|", "beta"), "max_norm_W": ("max_k |delta_k A_k|", "beta_eff"),
           "root_ssq_W": ("root-SSQ of delta A", "root_ssq_slope"), "qv_W": ("QV of delta A", "qv_slope"),
           "max_abs_delta": ("max_k |delta_k|", "alpha")}


def add_regime_parser(sub) -> None:
    p = sub.add_parser("regime", help="estimate the depth-scaling regime of your trained ResNets (.npz weights)")
    p.add_argument("files", nargs="+", metavar="FILE",
                   help="weights as .npz (A_0 ... A_{L-1}, optional b_k, delta_k or delta; several depths per "
                        "file with prefixes L<depth>/; see docs/regime_files.md), or a PyTorch state_dict (.pt)")
    p.add_argument("--level", type=float, default=0.95, help="confidence level of the intervals (default 0.95)")
    p.add_argument("--json", metavar="OUT.json", default=None, help="write the estimates and verdict as JSON")
    p.add_argument("--plot", metavar="OUT.png", default=None,
                   help="write the log-log plot of the statistics against the depth (matplotlib)")
    p.set_defaults(func=run_regime)


def _out_path(option: str, path: str, suffix: str) -> Path:
    p = Path(path)
    if p.suffix.lower() != suffix:
        raise ValueError(f"{option}={path!r} must name a {suffix} file")
    if not p.parent.is_dir():
        raise ValueError(f"{option}={path!r}: the folder {str(p.parent)!r} does not exist")
    return p


def regime_figure(report: dict):
    """A matplotlib figure: each log statistic against log L with its least-squares line and slope (the logs are
    drawn, not the statistics, so weights of any finite size plot without overflow)."""
    import matplotlib.pyplot as plt
    import numpy as np

    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    L = np.asarray(report["depths"], dtype=float)
    for (key, logs), colour in zip(report["log_statistics"].items(), plt.rcParams["axes.prop_cycle"].by_key()["color"]):
        label, est = _LABELS[key]
        slope, intercept = np.polyfit(np.log(L), logs, 1)
        r = report["estimates"][est]
        ax.semilogx(L, logs, "o", color=colour, label=f"{label}: slope {slope:+.2f} ({est} {r['value']:.2f} "
                                                    f"[{r['lower']:.2f}, {r['upper']:.2f}])")
        ax.semilogx(L, intercept + slope * np.log(L), "--", color=colour, lw=0.8)
    ax.set_xlabel("depth L")
    ax.set_ylabel("log statistic")
    ax.set_title(report["verdict"], fontsize=8)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def run_regime(args: argparse.Namespace) -> int:
    from numerics.scaling_regimes.estimators_regime import regime_report
    from numerics.scaling_regimes.weights_file import read_networks

    json_path = None if args.json is None else _out_path("--json", args.json, ".json")
    plot_path = None if args.plot is None else _out_path("--plot", args.plot, ".png")
    if not 0.5 <= args.level < 1.0:
        raise ValueError(f"--level={args.level} must be in [0.5, 1)")
    networks, ignored = read_networks(args.files)
    report = regime_report(networks, level=args.level)
    rows = [f"# depths: {', '.join(map(str, report['depths']))}"
            + ("" if networks[0].delta is None else " (weights measured as |delta_k| A_k)"),
            f"estimate\tvalue\t{report['level']:.0%} interval\tmethod"]
    for name, r in report["estimates"].items():
        rows.append(f"{name}\t{r['value']:.4f}\t[{r['lower']:.4f}, {r['upper']:.4f}]\t{r['method']}")
    rows.append(f"# intervals: {report['coverage_note']}")
    rows += [f"verdict: {report['verdict']}"] + [f"  because {r}" for r in report["reasons"]]
    if ignored:
        rows.append(f"# ignored arrays: {', '.join(ignored[:10])}" + (" ..." if len(ignored) > 10 else ""))
    if json_path is not None:
        json_path.write_text(json.dumps(report, indent=1))
        rows.append(f"# JSON written to {json_path}")
    if plot_path is not None:
        import matplotlib.pyplot as plt

        fig = regime_figure(report)
        fig.savefig(plot_path, dpi=110)
        plt.close(fig)
        rows.append(f"# plot written to {plot_path}")
    print("\n".join(rows))
    return 0
