"""numerics.inference.readout: the trained mean given the hidden layer, and its zero-mean control variate."""

import numpy as np
import pytest
from scipy.linalg import expm

from numerics.inference.readout import expected_readout_kernel, readout_trained_means
from numerics.kernel import nngp_ntk

XA = np.array([[1.0, 0.0], [0.0, 1.0], [-0.7, 0.7]])
XB = np.array([[0.8, 0.6]])
Y = np.array([1.0, -0.5, 0.8])
T = (0.5, 3.0, np.inf)


def _trained_by_hand(kxx, ktx, y, t):
    """K_tX K^-1 (I - expm(-K t / N)) Y by dense linear algebra (t = inf: K_tX K^-1 Y)."""
    n = len(y)
    if np.isinf(t):
        return ktx @ np.linalg.solve(kxx, y)
    return ktx @ np.linalg.solve(kxx, (np.eye(n) - expm(-kxx * t / n)) @ y)


def test_one_draw_is_the_trained_mean_of_its_features():
    """width 3, one sample: recompute the features from the same normals and train by hand."""
    seed = 11
    got = readout_trained_means(XA, XB, Y, activation="tanh", width=3, W_std=1.3, b_std=0.4, learning_rate=1.0,
                                times=T, n_samples=1, seed=seed, control=False)[0]
    from numerics.core.sampling import check_seed
    rng = np.random.default_rng(check_seed(seed))
    w, b = rng.standard_normal((1, 3, 2)), rng.standard_normal((1, 3, 1))
    x = np.vstack([XA, XB])
    h = 1.3 / np.sqrt(2) * np.einsum("snd,pd->snp", w, x) + 0.4 * b
    phi = np.tanh(h[0])
    k = 1.3**2 / 3 * phi.T @ phi + 0.4**2
    want = [_trained_by_hand(k[:3, :3], k[3:, :3], Y, t)[0] for t in T]
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


def test_expected_kernel_is_the_nngp_closed_form():
    k, _ = nngp_ntk(np.vstack([XA, XB]), activation="erf", depth=1, W_std=1.5, b_std=0.2)
    np.testing.assert_allclose(expected_readout_kernel(np.vstack([XA, XB]), activation="erf", W_std=1.5, b_std=0.2),
                               k, rtol=1e-12)


def test_control_variate_keeps_the_mean_and_cuts_the_variance():
    """Same hidden layers with and without the control: the difference of the two means is the control's
    sample mean, which has expectation 0: its z-score stays small; the variance falls."""
    kw = dict(activation="erf", width=16, W_std=1.5, b_std=0.1, learning_rate=1.0, times=T, n_samples=40_000, seed=3)
    plain, ctrl = readout_trained_means(XA, XB, Y, control=False, **kw), readout_trained_means(XA, XB, Y, **kw)
    diff = plain - ctrl
    z = diff.mean(0) / (diff.std(0, ddof=1) / np.sqrt(len(diff)))
    assert np.all(np.abs(z) < 5.0), z  # two-sided, 3 components: false failure about 2e-6
    assert np.all(ctrl.var(0) < 0.3 * plain.var(0)), (ctrl.var(0), plain.var(0))


def test_control_variate_is_the_derivative_of_the_mean_map():
    """A draw at a huge width is K-bar plus a tiny perturbation: control ~ linear term, so the controlled
    draw equals M(K-bar) to second order: |draw - M(K-bar)| << |plain draw - M(K-bar)|."""
    kbar = expected_readout_kernel(np.vstack([XA, XB]), activation="erf", W_std=1.5, b_std=0.1)
    m_bar = [_trained_by_hand(kbar[:3, :3], kbar[3:, :3], Y, t)[0] for t in T]
    kw = dict(activation="erf", width=20_000, W_std=1.5, b_std=0.1, learning_rate=1.0, times=T, n_samples=4, seed=5)
    plain = readout_trained_means(XA, XB, Y, control=False, **kw) - m_bar
    ctrl = readout_trained_means(XA, XB, Y, **kw) - m_bar
    assert np.max(np.abs(ctrl)) < 0.05 * np.max(np.abs(plain)), (ctrl, plain)


@pytest.mark.parametrize("bad, match", [
    (dict(width=0), "width"), (dict(W_std=0.0), "W_std"), (dict(learning_rate=-1.0), "learning_rate"),
    (dict(times=[-1.0]), "times"), (dict(activation="nope"), "nope"), (dict(control="yes"), "control"),
])
def test_bad_inputs_name_the_parameter(bad, match):
    kw = dict(activation="erf", width=4, W_std=1.0, b_std=0.1, learning_rate=1.0, times=T, n_samples=2, seed=0)
    kw.update(bad)
    with pytest.raises(ValueError, match=match):
        readout_trained_means(XA, XB, Y, **kw)


def test_mismatched_shapes_are_rejected():
    with pytest.raises(ValueError, match="shapes"):
        readout_trained_means(XA, XB, Y[:2], activation="erf", width=4, W_std=1.0, b_std=0.1, learning_rate=1.0,
                              times=T, n_samples=2, seed=0)
