"""gram_dual's ``out=`` buffer (reused across layers by numerics.kernel.fast): validated, filled, returned."""

from __future__ import annotations

import numpy as np
import pytest


def test_gram_dual_out_buffer_validated_and_used():
    from numerics.dual.mehler import gram_dual

    q = np.array([0.5, 1.0, 2.0])
    c = 0.3 * np.sqrt(np.outer(q, q)) + np.diag(0.7 * q)
    buffer = np.empty((3, 3))
    v, _, _ = gram_dual(np.tanh, q, q, c, same=True, out=buffer)
    assert v is buffer
    np.testing.assert_array_equal(v, gram_dual(np.tanh, q, q, c, same=True)[0])
    with pytest.raises(ValueError, match="out must be"):
        gram_dual(np.tanh, q, q, c, same=True, out=np.empty((3, 3), dtype=np.float32))
