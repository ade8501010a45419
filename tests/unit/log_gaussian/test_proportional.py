r"""Tests of :mod:`numerics.log_gaussian`, `numerics.covariance_sde`: the depth-and-width (d/n fixed) simulators.

Statistical budget: each test function has a total false-fail rate <= 1e-6
(split by Bonferroni over its assertions); every assertion's detectable
discrepancy is stated next to it.  All checks compare with EXACT finite-n facts
(laws that hold at any width), so there is no finite-size slack.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from scipy import special, stats

from numerics.log_gaussian import METHODS, RESNET_BLOCKS, fc_linear_net, fc_relu_net, relu_resnet
from numerics.covariance_sde import shaped_normaliser, shaped_relu_mlp, shaped_smooth_mlp
from numerics.core.sampling import psd_cholesky
from verify.core.stats import (
    assert_cdf_dkwm,
    assert_mean,
    assert_two_sample_dkwm,
    bonferroni,
    min_discrepancy_two_sample_dkwm,
)

RATE = 1e-6
SEED = np.random.SeedSequence(20240611)


def _seed(*key):
    """Independent child seeds per test (fixed spawn keys: no dependence on test order)."""
    return np.random.SeedSequence(SEED.entropy, spawn_key=tuple(key))


def _x(m, n_in, key):
    return np.random.default_rng(key).standard_normal((m, n_in))


# ----------------------------------------------------------------------------- architectures under test

def _arch(name):
    """(function, kwargs) of a small network of each architecture (n ~ 24-32, d = 16)."""
    if name in RESNET_BLOCKS:
        return relu_resnet, dict(x=_x(1, 10, 1)[0], width=24, depth=16, block=name, n_out=3,
                                 record=("active_mass", "overlap"))
    return {
        "fc_relu": (fc_relu_net, dict(x=_x(1, 10, 2)[0], widths=[24, 30, 20] * 5 + [24], n_out=3,
                                      record=("active_mass",))),
        "fc_linear": (fc_linear_net, dict(x=_x(1, 10, 3)[0], widths=[24, 30, 20] * 5 + [24], n_out=3)),
        "shaped_relu": (shaped_relu_mlp, dict(x=_x(2, 10, 4), width=32, depth=16, c_plus=0.5, c_minus=-1.5,
                                              n_out=3, record=("covariance_path",))),
        "shaped_tanh": (shaped_smooth_mlp, dict(x=_x(2, 10, 5), width=32, depth=16, phi=np.tanh, a=0.5,
                                                n_out=3, record=("covariance_path",))),
    }[name]


ARCHS = RESNET_BLOCKS + ("fc_relu", "fc_linear", "shaped_relu", "shaped_tanh")


def _statistics(res):
    """1-D statistics whose laws must agree between the methods."""
    out = {"log_norm_ratio": res.log_norm_ratio[:, 0], "log_output_norm": res.log_output_norm[:, 0]}
    if res.active_mass is not None:
        out["active_mass_last"] = res.active_mass[:, -1, 0]
    if res.overlap is not None:
        out["overlap_sum"] = res.overlap[:, :, 0].sum(axis=1)
    if res.covariance_path is not None:
        out["final_correlation"] = res.correlation_path[:, -1, 0, 1]
        out["log_norm_ratio_2"] = res.log_norm_ratio[:, 1]
    return out


@pytest.mark.parametrize("arch", ARCHS)
def test_exact_in_law_agrees_with_full(arch):
    """Two-sample DKWM between the methods on each statistic of :func:`_statistics`.

    False-fail rate 1e-6 per test (Bonferroni over <= 4 statistics).  With
    2,000 full and 20,000 in-law networks the detectable sup-distance is
    0.166 (false-pass 1e-6), 0.136 at false-pass 1e-2.  Discrete statistics
    (active fractions) are avoided: DKWM needs continuous laws; the active mass
    and the summed overlap are used instead.
    """
    fn, kw = _arch(arch)
    full = _statistics(fn(**kw, n_samples=2_000, seed=_seed(1, ARCHS.index(arch)), method="full"))
    law = _statistics(fn(**kw, n_samples=20_000, seed=_seed(2, ARCHS.index(arch)), method="exact_in_law"))
    rate = bonferroni(RATE, len(full))
    assert min_discrepancy_two_sample_dkwm(2_000, 20_000, false_fail_rate=rate, false_pass_rate=1e-6) < 0.17
    for name in full:
        assert np.all(np.isfinite(full[name])) and np.all(np.isfinite(law[name])), name
        if name == "overlap_sum":       # a lattice variable (multiples of 1/n): compare in law with a continuity jitter
            rng = np.random.default_rng(0)
            full[name] = full[name] + rng.uniform(0, 1 / kw["width"], full[name].shape)
            law[name] = law[name] + rng.uniform(0, 1 / kw["width"], law[name].shape)
        assert_two_sample_dkwm(full[name], law[name], false_fail_rate=rate)


# ----------------------------------------------------------------------------- exact finite-n facts: FC nets

FC_WIDTHS = [48, 56, 44, 52]
FC_IN = 12


def _fc_log_ratios(res, dims):
    """ln R_l = ln(||a_{l+1}||^2 / ||a_l||^2) per layer, from the recorded path of ln(||a_l||^2/n_l)."""
    path = res.log_norm_path[:, :, 0]
    return np.diff(path, axis=1) + np.log(np.array(dims[1:]) / np.array(dims[:-1]))


def _relu_ratio_cdf(n_in, n_out):
    r"""CDF of $\ln R$, $R = (2/n_{in})\chi^2_K$, $K \sim \mathrm{Bin}(n_{out}, 1/2)$ ($K = 0$: $\ln R = -\infty$)."""
    k = np.arange(n_out + 1)
    pmf = stats.binom.pmf(k, n_out, 0.5)

    def cdf(r):
        t = n_in * np.exp(np.asarray(r, dtype=float))[:, None] / 2
        return np.clip(pmf[0] + (pmf[1:] * stats.chi2.cdf(t, k[1:])).sum(axis=1), 0.0, 1.0)
    return cdf


def _relu_mean_log_ratio(n_in, n_out):
    r"""$E[\ln R \mid K \ge 1] = E_K[\psi(K/2) \mid K \ge 1] + \ln(4/n_{in})$, exactly."""
    k = np.arange(1, n_out + 1)
    pmf = stats.binom.pmf(k, n_out, 0.5)
    return float(np.sum(pmf * special.digamma(k / 2)) / pmf.sum() + math.log(4 / n_in))


@pytest.mark.parametrize("method,n_samples", [("exact_in_law", 20_000), ("full", 10_000)])
def test_fc_relu_per_layer_ratio_law(method, n_samples):
    r"""ReLU MLP, varying widths: $\ln R_\ell \sim \ln(\tfrac{2}{n_\ell}\chi^2_{K})$, $K \sim \mathrm{Bin}(n_{\ell+1}, \tfrac12)$.

    Three checks at false-fail rate 1e-6 in total (Bonferroni over 6 assertions: 4
    per-layer DKWM + 2 joint means): the exact CDF of each layer (DKWM, n = 20,000 / 10,000:
    detects sup-distance 0.039 / 0.055), $E\ln R_\ell$ against the digamma formula and
    $E R_\ell = n_{\ell+1}/n_\ell$ (z-tests, detectable ~ 6 SE ~ 0.01-0.02).  A dead layer
    (K = 0) has probability <= 2^{-44} per layer (< 1e-8 over the whole run), so
    conditioning on K >= 1 is immaterial.
    """
    dims = [FC_IN] + FC_WIDTHS
    res = fc_relu_net(_x(1, FC_IN, 7)[0], widths=FC_WIDTHS, n_out=0, n_samples=n_samples,
                      seed=_seed(3, METHODS.index(method)), method=method, record=("log_norm_path",))
    log_r = _fc_log_ratios(res, dims)
    rate = bonferroni(RATE, len(FC_WIDTHS) + 2)
    for l in range(len(FC_WIDTHS)):
        assert_cdf_dkwm(log_r[:, l], _relu_ratio_cdf(dims[l], dims[l + 1]), false_fail_rate=rate)
    predicted = [_relu_mean_log_ratio(dims[l], dims[l + 1]) for l in range(len(FC_WIDTHS))]
    assert_mean(log_r, predicted, false_fail_rate=rate)
    # E ||a_{l+1}||^2 = (n_{l+1}/n_l) ||a_l||^2: equal widths conserve E||a||^2 exactly
    assert_mean(np.exp(log_r), np.array(dims[1:]) / np.array(dims[:-1]), false_fail_rate=rate)


def test_fc_relu_equal_width_conserves_mean_square():
    r"""Equal widths: $E\|a_d\|^2 = \|a_0\|^2$ exactly (the product of independent $R_\ell$, $E R_\ell = 1$).

    z-test on $\|a_d\|^2/\|a_0\|^2$ (log-normal-like, variance $\approx e^{5\beta}-1 \approx 3$ at
    $\beta = 0.25$), n = 20,000, false-fail 1e-6; detects a relative bias of about 0.12.
    """
    res = fc_relu_net(_x(1, 32, 8)[0], widths=[32] * 8, n_out=0, n_samples=20_000, seed=_seed(4))
    assert_mean(np.exp(res.log_norm_ratio[:, 0]), 1.0, false_fail_rate=RATE)


@pytest.mark.parametrize("method,n_samples", [("exact_in_law", 20_000), ("full", 10_000)])
def test_fc_linear_per_layer_ratio_law(method, n_samples):
    r"""Linear MLP, varying widths: $\ln R_\ell \sim \ln(\chi^2_{n_{\ell+1}}/n_\ell)$ exactly (DKWM per layer).

    False-fail 1e-6 in total (Bonferroni over 4 layers); n = 20,000 / 10,000 detects sup-distance 0.039 / 0.055.
    """
    dims = [FC_IN] + FC_WIDTHS
    res = fc_linear_net(_x(1, FC_IN, 9)[0], widths=FC_WIDTHS, n_out=0, n_samples=n_samples,
                        seed=_seed(5, METHODS.index(method)), method=method, record=("log_norm_path",))
    log_r = _fc_log_ratios(res, dims)
    rate = bonferroni(RATE, len(FC_WIDTHS))
    for l in range(len(FC_WIDTHS)):
        def cdf(r, l=l):
            return stats.chi2.cdf(dims[l] * np.exp(r), dims[l + 1])
        assert_cdf_dkwm(log_r[:, l], cdf, false_fail_rate=rate)


# ----------------------------------------------------------------------------- exact finite-n facts: ResNets

@pytest.mark.parametrize("method,width,depth,n_samples", [("exact_in_law", 32, 16, 20_000), ("full", 16, 8, 10_000)])
def test_balanced_resnet_conserves_mean_square(method, width, depth, n_samples):
    r"""Balanced ResNet: $E[\|z_{\ell+1}\|^2 \mid z_\ell] = \|z_\ell\|^2$, since $E\|\mathrm{relu}(Dz)\|^2 = \|z\|^2/2$.

    Joint z-test of $E R_\ell = 1$ for every layer and of $E[\|z_d\|^2/\|z_0\|^2] = 1$
    (false-fail 1e-6, Bonferroni over d + 1 means).  Detectable: about 0.02 per layer,
    0.1 on the product.  Negative control: the standard ResNet (hypoactivation,
    $E R_\ell = 1 - 0.86\cdot 2\lambda^2/n + o(1/n)$) must be rejected by the same test.
    """
    x = _x(1, 8, 10)[0]
    for block, key in (("balanced", 0), ("standard", 1)):
        res = relu_resnet(x, width=width, depth=depth, block=block, n_out=0, n_samples=n_samples,
                          seed=_seed(6, METHODS.index(method), key), method=method, record=("log_norm_path",))
        path = res.log_norm_path[:, :, 0]
        ratios = np.concatenate([np.exp(np.diff(path, axis=1)), np.exp(path[:, -1:])], axis=1)
        result = assert_mean(ratios, 1.0, false_fail_rate=RATE, raise_on_failure=block == "balanced")
        if block == "standard":
            # the product's bias is (1 - 0.86/n)^d - 1 ~ -0.35 (n=32) / -0.35 (n=16, d=8): far beyond detection
            assert not result.passed, result.detail


def test_shaped_relu_diagonal_is_a_martingale():
    r"""Shaped ReLU: $\varphi_s$ is 1-homogeneous and $c\,E\varphi_s(g)^2 = 1$, so $E\Phi_d^{aa} = \Phi_0^{aa}$ exactly.

    z-test on $\Phi_d^{aa}/\Phi_0^{aa}$ for both inputs (false-fail 1e-6), n = 20,000;
    detects a relative bias of about 0.05.
    """
    res = shaped_relu_mlp(_x(2, 8, 11), width=32, depth=16, c_plus=1.0, c_minus=-2.0, n_out=0, n_samples=20_000,
                          seed=_seed(7))
    assert_mean(np.exp(res.log_norm_ratio), [1.0, 1.0], false_fail_rate=RATE)


def test_resnet_per_layer_records_are_consistent():
    """Shapes, ranges and identities of the per-layer records (deterministic)."""
    res = relu_resnet(_x(2, 6, 12), width=20, depth=7, n_samples=40, seed=3,
                      record=("log_norm_path", "active_fraction", "active_mass", "overlap"))
    assert res.log_norm_path.shape == (40, 8, 2) and np.all(res.log_norm_path[:, 0] == 0)
    np.testing.assert_array_equal(res.log_norm_path[:, -1], res.log_norm_ratio)
    assert res.active_fraction.shape == res.active_mass.shape == (40, 7, 2)
    assert res.overlap.shape == (40, 6, 2)
    assert np.all((res.overlap <= res.active_fraction[:, :-1]) & (res.overlap <= res.active_fraction[:, 1:]))
    assert np.all((res.active_mass >= 0) & (res.active_mass <= 1))
    np.testing.assert_array_equal(res.delta, res.active_mass - 0.5)
    np.testing.assert_allclose(res.active_fraction * 20, np.round(res.active_fraction * 20), atol=1e-12)


# ----------------------------------------------------------------------------- reproducibility

@pytest.mark.parametrize("arch", ARCHS)
@pytest.mark.parametrize("method", METHODS)
def test_results_do_not_depend_on_chunking(arch, method):
    fn, kw = _arch(arch)
    kw = dict(kw, depth=4) if "depth" in kw else dict(kw, widths=kw["widths"][:4])
    seed = np.random.SeedSequence(77)
    runs = [fn(**kw, n_samples=70, seed=seed, method=method, chunk_size=c) for c in (None, 1, 32, 50)]
    runs.append(fn(**kw, n_samples=70, seed=77, method=method))
    assert seed.n_children_spawned == 0
    for other in runs[1:]:
        for name in ("log_norm_ratio", "log_output_norm", "active_mass", "overlap", "covariance_path"):
            a, b = getattr(runs[0], name), getattr(other, name)
            assert (a is None) == (b is None)
            if a is not None:
                np.testing.assert_array_equal(a, b, err_msg=name)
    assert not np.array_equal(runs[0].log_norm_ratio, fn(**kw, n_samples=70, seed=78, method=method).log_norm_ratio)


# ----------------------------------------------------------------------------- edges

def test_psd_cholesky_is_exact_on_singular_grams():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((5, 7, 4))
    a[1, :, 2] = a[1, :, 0]                     # duplicated input
    a[2] = 0.0                                  # dead layer
    a[3, :, 1:] = 0.0                           # some inputs dead
    g = np.matmul(a.transpose(0, 2, 1), a)
    L = psd_cholesky(g)
    assert np.all(np.isfinite(L))
    np.testing.assert_allclose(np.matmul(L, L.transpose(0, 2, 1)), g, atol=1e-12)
    np.testing.assert_allclose(L[0], np.linalg.cholesky(g[0]), rtol=1e-12)
    assert np.all(L[2] == 0)


@pytest.mark.parametrize("method", METHODS)
def test_duplicated_inputs_and_dead_networks_give_no_nan(method):
    x = np.array([[1.0, 2.0, 0.5], [1.0, 2.0, 0.5], [-3.0, 0.0, 1.0]])
    res = relu_resnet(x, width=6, depth=5, n_samples=50, seed=1, method=method, record=("active_mass",))
    np.testing.assert_allclose(res.log_norm_ratio[:, 0], res.log_norm_ratio[:, 1], rtol=1e-12, atol=1e-12)
    # width-1 ReLU nets die with probability 1/2 per layer: -inf log-norms, never NaN, no warnings
    dead = fc_relu_net(x, widths=[1] * 6, n_samples=64, seed=2, method=method, record=("active_mass",))
    assert np.any(np.isneginf(dead.log_norm_ratio)) and not np.any(np.isnan(dead.log_norm_ratio))
    assert not np.any(np.isnan(dead.active_mass)) and not np.any(np.isnan(dead.log_output_norm))
    shaped = shaped_relu_mlp(x, width=8, depth=3, c_plus=0.0, c_minus=-1.0, n_samples=20, seed=3, method=method,
                             record=("covariance_path",))
    assert np.all(np.isfinite(shaped.correlation_path))
    np.testing.assert_allclose(shaped.correlation_path[:, :, 0, 1], 1.0, rtol=1e-12)


def test_depth_zero_and_no_readout():
    r = relu_resnet(np.ones(4), width=5, depth=0, n_out=0, n_samples=3, seed=0)
    assert np.all(r.log_norm_ratio == 0) and r.log_output_norm is None
    f = fc_linear_net(np.ones(4), widths=[], n_samples=3, seed=0)
    assert np.all(f.log_norm_ratio == 0) and f.log_output_norm.shape == (3, 1)


def test_shaped_normaliser_against_mpmath_and_closed_forms():
    s = 0.5 * math.sqrt(32)
    c = shaped_normaliser(lambda h: s * np.tanh(h / s))
    exact = 1 / mpmath.quad(lambda t: (s * mpmath.tanh(t / s)) ** 2 * mpmath.npdf(t), [-mpmath.inf, 0, mpmath.inf])
    assert abs(c - float(exact)) <= 1e-13 * float(exact)
    assert abs(shaped_normaliser(lambda h: h) - 1.0) < 1e-13
    sp, sm = 1.3, -0.4
    c_relu = shaped_normaliser(lambda h: sp * np.maximum(h, 0) + sm * np.minimum(h, 0), nodes=2)  # even in h^2
    assert abs(c_relu - 2 / (sp**2 + sm**2)) < 1e-12


# ----------------------------------------------------------------------------- bad input

BAD = [
    (relu_resnet, dict(width=0), "width=0"),
    (relu_resnet, dict(depth=-1), "depth=-1"),
    (relu_resnet, dict(branch_weight=1.5), "branch_weight=1.5"),
    (relu_resnet, dict(block="dense"), "block='dense'"),
    (relu_resnet, dict(n_out=-2), "n_out=-2"),
    (relu_resnet, dict(n_samples=0), "n_samples=0"),
    (relu_resnet, dict(seed=-1), "seed=-1"),
    (relu_resnet, dict(method="fast"), "method='fast'"),
    (relu_resnet, dict(chunk_size=0), "chunk_size=0"),
    (relu_resnet, dict(record=("covariance_path",)), "covariance_path"),
    (relu_resnet, dict(x=np.zeros(3)), "zero vector"),
    (relu_resnet, dict(x=np.array([1.0, np.nan])), "not finite"),
    (fc_relu_net, dict(widths=[4, 0]), r"widths\[1\]=0"),
    (fc_relu_net, dict(widths=5), "widths=5"),
    (fc_linear_net, dict(record=("active_mass",)), "active_mass"),
    (shaped_relu_mlp, dict(c_plus=math.inf), "c_plus=inf"),
    (shaped_relu_mlp, dict(c_plus=-2.0, c_minus=-2.0, width=4), "s_\\+ = s_- = 0"),
    (shaped_smooth_mlp, dict(phi=np.cos), r"phi\(0\)"),
    (shaped_smooth_mlp, dict(phi=lambda h: 2 * h), r"phi'\(0\)"),
    (shaped_smooth_mlp, dict(phi="tanh"), "phi='tanh'"),
    (shaped_smooth_mlp, dict(a=0.0), "a=0.0"),
]


@pytest.mark.parametrize("fn,bad,match", BAD)
def test_bad_input_raises_value_error(fn, bad, match):
    base = {relu_resnet: dict(x=np.ones(3), width=4, depth=2),
            fc_relu_net: dict(x=np.ones(3), widths=[4, 4]),
            fc_linear_net: dict(x=np.ones(3), widths=[4, 4]),
            shaped_relu_mlp: dict(x=np.ones(3), width=4, depth=2, c_plus=0.0, c_minus=-1.0),
            shaped_smooth_mlp: dict(x=np.ones(3), width=4, depth=2, phi=np.tanh, a=1.0)}[fn]
    with pytest.raises(ValueError, match=match):
        fn(**{**base, "n_samples": 2, "seed": 0, **bad})
