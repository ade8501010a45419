"""The coupled Jacobian simulator (numerics.resnet_sde.jacobian_coupled): a ResNet and its linear twin on one draw.

Independent paths: finite differences of the forward map on given weights; the product of $(I + A_l)$; the exact
Poisson-mixture law of the linear network; and the law of the separate simulator ``resnet_jacobian`` (other draws).
z-tests at a false-failure rate of 1e-6 per component.
"""

import numpy as np
import pytest

from numerics.resnet_sde.jacobian_coupled import coupled_jacobian_log_norms, coupled_jacobians
from numerics.resnet_sde.jacobian_law import jacobian_log_norms, linear_jacobian_log_norm_moments
from verify.core.stats import assert_mean, z_threshold

RATE = 1e-6


def _forward(x0, A, a):
    x = x0.copy()
    for A_l, a_l in zip(A, a):
        x = x + np.tanh(A_l @ x + a_l)
    return x


def test_coupled_jacobians_are_the_finite_difference_jacobian_and_the_linear_product():
    rng = np.random.default_rng(5)
    n, L, D = 3, 5, 4
    A, a, x0 = 0.4 * rng.standard_normal((n, L, D, D)), 0.3 * rng.standard_normal((n, L, D)), rng.standard_normal(D)
    g_tanh, g_lin = coupled_jacobians("tanh", x0, A, a)
    eps = 1e-6
    for s in range(n):
        fd = np.stack([(_forward(x0 + eps * e, A[s], a[s]) - _forward(x0 - eps * e, A[s], a[s])) / (2 * eps)
                       for e in np.eye(D)], axis=1)
        np.testing.assert_allclose(g_tanh[s], fd, rtol=1e-7, atol=1e-8)
        product = np.eye(D)
        for A_l in A[s]:
            product = (np.eye(D) + A_l) @ product
        np.testing.assert_allclose(g_lin[s], product, rtol=1e-12, atol=1e-12)


def test_identity_twins_coincide_and_chunking_does_not_change_the_numbers():
    ident = coupled_jacobian_log_norms("identity", 3, 0.7, 0.4, 6, n_samples=40, seed=2)
    np.testing.assert_array_equal(ident[0], ident[2])
    np.testing.assert_array_equal(ident[1], ident[3])
    a = coupled_jacobian_log_norms("tanh", 3, 0.7, 0.4, 6, n_samples=40, seed=2, chunk_size=16)
    b = coupled_jacobian_log_norms("tanh", 3, 0.7, 0.4, 6, n_samples=40, seed=2)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    np.testing.assert_array_equal(a[2], ident[2])  # the linear twin does not depend on phi


def test_linear_twin_has_the_exact_finite_depth_law():
    """Mean and $E(Y - \\mu)^2$ of $\\log|g_Lv|$ and $\\log|g_L^\\top u|$ of the linear twin against the Poisson mixture."""
    D, sw, L = 2, 0.9, 3
    _, _, lv, lu = coupled_jacobian_log_norms("tanh", D, sw, 0.5, L, n_samples=12_000, seed=17)
    m, v = linear_jacobian_log_norm_moments(D, sw, L)
    assert_mean(np.stack([lv, (lv - m) ** 2, lu, (lu - m) ** 2], 1), [m, v, m, v], false_fail_rate=RATE)


def test_tanh_network_has_the_law_of_the_separate_simulator():
    r"""Two-sample z-tests (12 000 draws each) of the mean and second moment of both log-norms against
    ``resnet_jacobian`` (same model, other draws).  Power, measured: $\sigma_w$ off by $\sqrt 2$ (a missing $1/D$)
    gives $|z| \approx 18$ on the second moments against the threshold 5.2; off by 10%, $|z| \approx 5$."""
    D, sw, sb, L, n = 2, 0.8, 0.5, 4, 12_000
    yv, yu, _, _ = coupled_jacobian_log_norms("tanh", D, sw, sb, L, n_samples=n, seed=23)
    _, rv, ru = jacobian_log_norms("tanh", D, sw, sb, L, n_samples=n, seed=29)
    ours, ref = np.stack([yv, yv**2, yu, yu**2], 1), np.stack([rv, rv**2, ru, ru**2], 1)
    se = np.sqrt(ours.var(0, ddof=1) / n + ref.var(0, ddof=1) / n)
    assert np.all(np.abs(ours.mean(0) - ref.mean(0)) <= z_threshold(RATE / 4) * se)


@pytest.mark.parametrize("args, match", [
    (((1, 2, 2, 2), (1, 2, 2), (2,)), None),
    (((1, 2, 2, 3), (1, 2, 2), (2,)), "A has shape"),
    (((1, 2, 2, 2), (1, 3, 2), (2,)), "a has shape"),
    (((1, 2, 2, 2), (1, 2, 2), (3,)), "x0 has shape"),
])
def test_coupled_jacobians_validate_shapes(args, match):
    A, a, x0 = (np.zeros(s) for s in args)
    if match is None:
        assert coupled_jacobians("tanh", x0, A, a)[0].shape == (1, 2, 2)
        return
    with pytest.raises(ValueError, match=match):
        coupled_jacobians("tanh", x0, A, a)


def test_coupled_log_norms_validate_eagerly():
    for kwargs, match in (({"n_samples": 0}, "n_samples=0"), ({"chunk_size": 0}, "chunk_size=0")):
        with pytest.raises(ValueError, match=match):
            coupled_jacobian_log_norms("tanh", 2, 0.5, 0.1, 3, **({"n_samples": 4, "seed": 0} | kwargs))
    with pytest.raises(ValueError, match="phi"):
        coupled_jacobian_log_norms("no such activation", 2, 0.5, 0.1, 3, n_samples=4, seed=0)
