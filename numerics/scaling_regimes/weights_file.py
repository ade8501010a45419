r"""Trained ResNet weights on disk: the ``.npz`` format that ``deeplimits regime`` reads, its reader and writer.

A network $h_{k+1} = h_k + \delta_k\sigma(A_kh_k + b_k)$ of depth $L$ is stored as arrays named

* ``A_0``, ..., ``A_{L-1}``: the weights (all of one shape, e.g. $d\times d$; required, numbered from 0 without
  gaps; the depth $L$ is their count);
* ``b_0``, ..., ``b_{L-1}``: the biases (optional; all or none, one shape);
* ``delta_0``, ..., ``delta_{L-1}`` (per-layer $\delta_k$, scalars) or one scalar ``delta`` (a shared
  $\delta$) (optional; absent means $\delta = 1$).

**Several depths in one file**: prefix each network's names with ``L<depth>/``, e.g. ``L16/A_0`` ...
``L16/A_15``, ``L32/A_0`` ...; the prefix must equal the number of ``A_k`` under it.  A file holds either
unprefixed names (one network) or prefixed ones only.  Several files may be given; their networks are pooled
and every depth must appear once.  Arrays with other names are ignored (and listed).  Values must be finite;
``numpy.load`` runs with ``allow_pickle=False`` (a file is data, never code).

A PyTorch ``state_dict`` (``.pt``/``.pth``) is read when torch is installed (an optional extra, never
required): keys whose last two dot-separated parts are ``A.<k>``/``<k>.A`` (likewise ``b``, ``delta``) or
``A_<k>``, loaded with ``torch.load(weights_only=True)``.  Every problem raises ``ValueError`` naming the file
and the array.  Format notes for users: ``docs/regime_files.md``.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["Network", "read_networks", "write_networks"]

_NAME = re.compile(r"^(?:L(\d+)/)?(A|b|delta)(?:_(\d+))?$")
_TORCH = re.compile(r"(?:^|\.)(?:(A|b|delta)[._](\d+)|(\d+)\.(A|b|delta))$")


@dataclass(frozen=True)
class Network:
    """One network's weights: ``A`` ``(L, ...)``, ``b`` ``(L, ...)`` or None, ``delta`` ``(L,)`` or None."""

    A: np.ndarray
    b: np.ndarray | None
    delta: np.ndarray | None
    delta_shared: bool
    source: str

    @property
    def depth(self) -> int:
        return int(self.A.shape[0])


def _stack(src: str, name: str, arrays: dict[int, np.ndarray], *, scalar: bool = False) -> np.ndarray:
    n = len(arrays)
    missing = sorted(set(range(n)) - set(arrays))
    if missing:
        raise ValueError(f"{src}: {name}_{missing[0]} is missing (found {n} arrays {name}_k; they must be numbered "
                         f"0..{n - 1} without gaps)")
    first = np.shape(arrays[0])
    for k in range(n):
        a = arrays[k]
        if a.shape != first or (scalar and a.size != 1):
            raise ValueError(f"{src}: {name}_{k} has shape {a.shape}; {name}_0 has {first}"
                             + (" (each delta_k must be one number)" if scalar else ""))
        if not np.all(np.isfinite(a)):
            raise ValueError(f"{src}: {name}_{k} holds NaN or inf")
    return np.stack([arrays[k] for k in range(n)]).reshape((n,) if scalar else (n, *first))


def _network(src: str, parts: dict[str, dict[int, np.ndarray]], shared, depth_label: int | None) -> Network:
    if not parts.get("A"):
        raise ValueError(f"{src}: no arrays named A_0 ... A_(L-1) (see docs/regime_files.md)")
    A = _stack(src, "A", parts["A"])
    if A.ndim < 2 or A[0].size == 0:
        raise ValueError(f"{src}: A_k must be non-empty arrays (e.g. d x d matrices), got shape {A.shape[1:]}")
    L = A.shape[0]
    if depth_label is not None and depth_label != L:
        raise ValueError(f"{src}: prefix L{depth_label}/ holds {L} arrays A_k; the prefix must equal the depth")
    b = _stack(src, "b", parts["b"]) if parts.get("b") else None
    if b is not None and b.shape[0] != L:
        raise ValueError(f"{src}: {b.shape[0]} arrays b_k for {L} arrays A_k; give all or none")
    if shared is not None and parts.get("delta"):
        raise ValueError(f"{src}: both a shared 'delta' and per-layer delta_k; give one")
    delta = None
    if parts.get("delta"):
        delta = _stack(src, "delta", parts["delta"], scalar=True)
        if delta.shape[0] != L:
            raise ValueError(f"{src}: {delta.shape[0]} values delta_k for {L} arrays A_k; give all or none")
    elif shared is not None:
        if np.size(shared) != 1 or not np.all(np.isfinite(shared)):
            raise ValueError(f"{src}: delta must be one finite number, got shape {np.shape(shared)}")
        delta = np.full(L, float(np.reshape(shared, ())))
    return Network(A.astype(float), None if b is None else b.astype(float), delta, shared is not None, src)


def _arrays_npz(path: Path) -> dict[str, np.ndarray]:
    try:
        with np.load(path, allow_pickle=False) as z:
            return {k: np.asarray(z[k]) for k in z.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise ValueError(f"{path}: not a readable .npz file ({' '.join(str(exc).split())[:120]})") from None


def _arrays_torch(path: Path) -> dict[str, np.ndarray]:
    try:
        import torch
    except ImportError:
        raise ValueError(f"{path}: reading a PyTorch state_dict needs torch (pip install torch); or save the "
                         "weights as .npz (docs/regime_files.md)") from None
    try:
        state = torch.load(str(path), map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many kinds on a bad file  # noqa: BLE001
        raise ValueError(f"{path}: not a readable PyTorch state_dict ({type(exc).__name__})") from None
    if not isinstance(state, dict):
        raise ValueError(f"{path}: a PyTorch file must hold a state_dict (a dict of tensors)")  # noqa: TRY004 - bad input
    out = {}
    for key, tensor in state.items():
        m = _TORCH.search(str(key))
        if m:
            name, k = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
            out[f"{name}_{int(k)}"] = np.asarray(tensor.detach().cpu().numpy(), dtype=float)
        elif str(key).split(".")[-1] == "delta":
            out["delta"] = np.asarray(tensor.detach().cpu().numpy(), dtype=float)
    return out


def _read_one(path) -> tuple[list[Network], list[str]]:
    p = Path(path)
    arrays = _arrays_torch(p) if p.suffix in (".pt", ".pth") else _arrays_npz(p)
    groups: dict[int | None, dict] = {}
    ignored = []
    for key, value in arrays.items():
        m = _NAME.match(key)
        if m is None or (m.group(2) != "delta" and m.group(3) is None):
            ignored.append(key)
            continue
        if value.dtype.kind not in "biuf":
            raise ValueError(f"{p}: {key} has dtype {value.dtype}; weights must be numbers")
        label = None if m.group(1) is None else int(m.group(1))
        g = groups.setdefault(label, {"A": {}, "b": {}, "delta": {}, "shared": None})
        if m.group(3) is None:
            g["shared"] = value
        else:
            g[m.group(2)][int(m.group(3))] = value
    if None in groups and len(groups) > 1:
        raise ValueError(f"{p}: mixes unprefixed names (A_k) with prefixed ones (L<depth>/A_k); use one style")
    if not groups:
        raise ValueError(f"{p}: no arrays named A_0 ... A_(L-1) (see docs/regime_files.md)")
    nets = [_network(f"{p}" + ("" if label is None else f" [L{label}/]"), {k: g[k] for k in ("A", "b", "delta")},
                     g["shared"], label) for label, g in sorted(groups.items(), key=lambda t: t[0] or 0)]
    return nets, ignored


def read_networks(paths) -> tuple[list[Network], list[str]]:
    """The networks in the files ``paths``, sorted by depth, and the names of ignored arrays."""
    nets, ignored = [], []
    for path in paths:
        found, skipped = _read_one(path)
        nets += found
        ignored += [f"{path}:{k}" for k in skipped]
    depths = [n.depth for n in nets]
    dup = sorted({L for L in depths if depths.count(L) > 1})
    if dup:
        raise ValueError(f"depth {dup[0]} appears more than once; give one network per depth")
    if len({n.A.shape[1:] for n in nets}) > 1:
        raise ValueError(f"the networks' A_k shapes differ: {sorted({n.A.shape[1:] for n in nets})}")
    if len({n.delta is None for n in nets}) > 1:
        raise ValueError("some networks have delta and others not; give delta for all or none")
    return sorted(nets, key=lambda n: n.depth), ignored


def write_networks(path, networks) -> None:
    """Write ``networks`` (a sequence of dicts with ``A`` ``(L, ...)`` and optional ``b``, ``delta``) to one
    ``.npz`` with ``L<depth>/`` prefixes (one network: no prefix); ``delta`` a scalar is shared."""
    arrays = {}
    for net in networks:
        A = np.asarray(net["A"], dtype=float)
        prefix = "" if len(networks) == 1 else f"L{A.shape[0]}/"
        arrays.update({f"{prefix}A_{k}": a for k, a in enumerate(A)})
        if net.get("b") is not None:
            arrays.update({f"{prefix}b_{k}": v for k, v in enumerate(np.asarray(net["b"], dtype=float))})
        if net.get("delta") is not None:
            d = np.asarray(net["delta"], dtype=float)
            arrays.update({f"{prefix}delta": d} if d.size == 1 else {f"{prefix}delta_{k}": v for k, v in enumerate(d)})
    np.savez(path, **arrays)
