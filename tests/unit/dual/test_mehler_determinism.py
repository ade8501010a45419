"""The Mehler route is bit-deterministic whatever the BLAS thread count (``verify --workers``).

Two fresh interpreters with one and with two OpenBLAS/OpenMP threads compute the same tanh
kernels and the Hermite coefficients to order 256 and must agree to the last bit.
Before the fixed-order reduction (numerics.dual.hermite) the GEMM's single- and multi-threaded
OpenBLAS paths summed in different orders and the Hermite coefficients differed in the last bit.
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np

_SCRIPT = r"""
import hashlib, numpy as np
from numerics.dual.hermite import hermite_coefficients
from numerics.kernel.recursions import nngp_ntk
x = np.random.default_rng(7).standard_normal((40, 5))
x[3] = x[1] * (1 + 1e-9)
h = hashlib.sha256()
for name in ("tanh",):
    for a in nngp_ntk(x, activation=name, depth=2, W_std=1.5, b_std=0.05):
        h.update(a.tobytes())
x = np.random.default_rng(8).standard_normal((150, 5)) * np.linspace(0.3, 2.0, 150)[:, None]
for a in nngp_ntk(x, activation="silu", depth=2, W_std=1.5, b_std=0.05):  # >= 132 inputs: interpolated
    h.update(a.tobytes())
b, s = hermite_coefficients(np.tanh, np.linspace(0.5, 3.0, 300), order=256)
h.update(b.tobytes()); h.update(s.tobytes())
print(h.hexdigest())
"""


def _digest(threads: int) -> str:
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads),
               MKL_NUM_THREADS=str(threads))
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    out = subprocess.run([sys.executable, "-c", _SCRIPT], env=env, cwd=root, capture_output=True, text=True,
                         check=True)
    return out.stdout.strip()


def test_same_bits_with_one_and_two_blas_threads():
    one, two = _digest(1), _digest(2)
    assert len(one) == 64
    assert one == two


def test_coefficients_match_blas_product():
    """The fixed-order reduction is the same product as BLAS's (to rounding): nothing else changed."""
    from numerics.dual.hermite import NODES, _hermite_table, hermite_coefficients, quadrature_rule

    q = np.linspace(0.5, 3.0, 70)
    b, s = hermite_coefficients(np.tanh, q, order=96)
    z, wz = quadrature_rule(3.0, 96)
    values = np.tanh(np.sqrt(q)[:, None] * z[None, :])
    table = _hermite_table(z.size // (2 * NODES), 96)
    # two sums of the same N products differ by at most 2 N eps sum |products| (each is within N eps of exact)
    bound = 2 * z.size * np.finfo(float).eps * (np.abs(values) @ np.abs(table))
    assert np.all(np.abs(b - values @ table) <= bound)
    assert np.all(np.abs(s - (values * values) @ wz) <= 2 * z.size * np.finfo(float).eps * s)
