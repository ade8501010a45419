"""``deeplimits phase``: the order-to-chaos critical line and the depth scales of an activation.

Prints, for each sigma_b^2, the critical sigma_w^2 and its q*, then the depth scales
(q*, c*, chi_1, xi_q, xi_c, xi_grad) at each requested (sigma_w^2, sigma_b^2); ``--plot out.png`` also
draws the phase diagram (xi_c heat map and critical line, :mod:`verify.phase_plot`).  ``--activation``
takes tanh, erf, any catalog name (``deeplimits list``) or an expression in x such as ``"x*tanh(x)"``,
read by the safe parser (data, never code) and integrated through the dual engine
(:func:`verify.core.activations.user_activation`).  Bad input raises ``ValueError``, which the command
line turns into one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import math

__all__ = ["add_phase_parser", "resolve_activation", "run_phase"]

_DEFAULT_SB2 = "0,0.05,0.1,0.2,0.3,0.5"
_DEFAULT_SW2 = "1.0,1.5,2.0,2.5,3.0"


def _floats(option: str, text: str) -> list[float]:
    try:
        values = [float(item) for item in text.split(",") if item.strip()]
    except ValueError:
        raise ValueError(f"{option}={text!r} must be a comma-separated list of numbers") from None
    if not values or not all(math.isfinite(v) for v in values):
        raise ValueError(f"{option}={text!r} must list finite numbers")
    return values


def add_phase_parser(sub) -> None:
    p = sub.add_parser("phase", help="print the order-to-chaos critical line and the depth scales (tanh, erf)")
    p.add_argument("--activation", required=True,
                   help='tanh, erf, another catalog name, or an expression in x such as "x*tanh(x)"')
    p.add_argument("--sigma-b2", default=_DEFAULT_SB2, metavar="LIST",
                   help=f"bias variances, comma-separated (default {_DEFAULT_SB2})")
    p.add_argument("--sigma-w2", default=_DEFAULT_SW2, metavar="LIST",
                   help=f"weight variances at which depth scales are printed (default {_DEFAULT_SW2})")
    p.add_argument("--certify", action="store_true",
                   help="also give each critical sigma_w2 an a posteriori error bound (mpmath; ~1 s per point; "
                        "tanh and erf)")
    p.add_argument("--plot", metavar="OUT.png", default=None,
                   help="also write the phase diagram (xi_c heat map, critical line) as a PNG")
    p.set_defaults(func=run_phase)


def _fmt(x: float) -> str:
    return f"{x:.10g}" if math.isfinite(x) else ("inf" if x > 0 else "-inf")


def resolve_activation(text: str):
    """A name the propagation numerics know (tanh, erf, a catalog name), else a user expression's Activation."""
    from numerics.dual import names
    from numerics.propagation.activations import SMOOTH

    if text in SMOOTH or text in names():
        return text
    import dataclasses

    from .core.activations import user_activation  # SymPy: only for expressions

    return dataclasses.replace(user_activation(text), name=text)  # messages name the expression


def run_phase(args: argparse.Namespace) -> int:
    import numpy as np

    from numerics.propagation import certified_critical_point, critical_line, propagation

    sb2 = _floats("--sigma-b2", args.sigma_b2)
    sw2 = _floats("--sigma-w2", args.sigma_w2)
    plot = None
    if args.plot is not None:
        from .phase_plot import check_png_path

        plot = check_png_path(args.plot)
    act = resolve_activation(args.activation)
    crit_w, crit_q = critical_line(act, np.array(sb2))
    rows = [f"# critical line of {args.activation}: chi_1 = 1 at the length fixed point q*",
            "sigma_b2\tsigma_w2_critical\tq_star" + ("\tbound" if args.certify else "")]
    for b, w, q in zip(sb2, crit_w, crit_q):
        line = f"{_fmt(b)}\t{_fmt(w)}\t{_fmt(q)}"
        if args.certify:
            if b == 0.0:
                line += "\t(sigma_w2 = 1/phi'(0)^2, q* = 0: not certified here)"
            else:
                cert = certified_critical_point(args.activation, b)
                line = f"{_fmt(b)}\t{cert.sigma_w2:.15g}\t{_fmt(cert.q_star)}\t{cert.bound:.2g}"
        rows.append(line)
    rows += ["# depth scales (xi = -1/ln chi; xi_grad < 0: gradients grow)",
             "sigma_w2\tsigma_b2\tq_star\tc_star\tchi_1\txi_q\txi_c\txi_grad"]
    for b in sb2:
        for w in sw2:
            try:
                p = propagation(act, sigma_w2=w, sigma_b2=b)
            except ValueError as exc:
                if "too close to the critical line" in str(exc) or "no fixed point" in str(exc):
                    rows.append(f"{_fmt(w)}\t{_fmt(b)}\t# {' '.join(str(exc).split())}")
                    continue
                raise
            rows.append("\t".join(_fmt(v) for v in (w, b, p.q_star, p.c_star, p.chi_1, p.xi_q, p.xi_c, p.xi_grad)))
    if plot is not None:
        import matplotlib.pyplot as plt

        from .phase_plot import phase_figure

        fig = phase_figure([act], sigma_b2_max=max(max(sb2), 0.05), labels=[args.activation])
        fig.savefig(plot, dpi=110)
        plt.close(fig)
        rows.append(f"# phase diagram written to {plot}")
    print("\n".join(rows))
    return 0
