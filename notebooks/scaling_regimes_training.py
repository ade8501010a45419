# ---
# jupyter:
#   jupytext:
#     formats: py:percent
# ---

# %% [markdown]
# # Trained deep ResNets: how the weights scale with depth, and how fast gradient descent converges
#
# Cohen, Cont, Rossier and Xu ("Scaling properties of deep residual networks", ICML 2021) trained
# $h_{k+1} = h_k + \delta_k\sigma(A_kh_k + b_k)$ at many depths $L$ and looked at the trained weights as functions
# of $k/L$.  This notebook reruns their fully connected experiment on the project's shared trainer
# (`numerics.core.training.ResNet`, hand-derived backward pass, Adam) at a small size:
#
# 1. **Scaling.** Max norm $\max_k\|w_k\|_F$ and quadratic variation $\sum_k\|w_{k+1} - w_k\|_F^2$ against $L$ in
#    log-log, for tanh with one shared $\delta$ ($w_k = A_k$) and ReLU with per-layer $\delta_k$
#    ($w_k = |\delta_k|A_k$): tanh's weights shrink and their path smooths out (hypothesis H1, an ODE limit);
#    ReLU's keep a rough path whose quadratic variation does not vanish (H2, an SDE limit).
# 2. **Weight paths.** Single entries $w_k[i, j]$ against $k/L$ at the largest depth.
# 3. **Gradient descent.** Full-batch GD on a deep tanh ResNet with smooth initial weights converges linearly, at a
#    rate whose depth limit is GD on the neural ODE (`claim.scaling_regimes_gd_linear`).
#
# **Sizes.** The authors used depths up to 9100; here depths 16..64 and one network per depth (a few seconds on two
# cores), so slopes are pre-asymptotic (the full study, `numerics.scaling_regimes.training_study`, depths 66..1763:
# tanh $\hat\beta = 0.13\ [0.09, 0.17]$, ReLU root-SSQ slope $-0.06\ [-0.15, 0.02]$).  The notebook doubles as a
# test (`tests/unit/core/test_notebooks.py`); its assertions are deterministic given the seeds.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np

from numerics.scaling_regimes.training_gd import (
    continuum_gd_losses,
    linear_rate,
    regression_problems,
    resnet_gd_losses,
)
from numerics.scaling_regimes.training_study import training_study, weight_sequence
from numerics.scaling_regimes.training_task import depth_grid
from verify.notebook_figures import figure_dir, show_figure

START = time.perf_counter()
OUT = figure_dir()
SETUPS = {"tanh_shared": "tanh, shared $\\delta$", "relu_per_layer": "ReLU, per-layer $\\delta_k$"}

# %% [markdown]
# ## 1. Scaling of the trained weights with depth

# %%
study = training_study(depths=depth_grid(max_depth=64, min_depth=16), seed=0, keep_networks=True)
print(study.summary())
L = np.array(study.depths)
fig, axes = plt.subplots(1, 2, figsize=(9, 3.6))
for ax, stat, label in zip(axes, ("max_norm", "quadratic_variation"), ("max norm", "quadratic variation")):
    for name, text in SETUPS.items():
        values = study.statistics[name][stat][:, 0]
        s, lo, hi = study.slope(name, stat)
        ax.loglog(L, values, "o", gid=f"data:{name}", label=f"{text}: slope {s:+.2f} [{lo:+.2f}, {hi:+.2f}]")
        fit = np.exp(np.mean(np.log(values)) + s * (np.log(L) - np.mean(np.log(L))))
        ax.loglog(L, fit, "-", color=ax.lines[-1].get_color(), gid=f"theory:{name}")
    ax.set_xlabel("depth $L$")
    ax.set_ylabel(label)
    ax.set_title(f"{label} of the trained $w_k$")
    ax.legend(fontsize=7)
fig.tight_layout()
show_figure(fig, "scaling_max_norm_qv.png", out_dir=OUT)
assert study.slope("tanh_shared", "quadratic_variation")[2] < 0.0      # tanh: the weight path smooths out
assert study.beta_hat("tanh_shared")[1] > 0.0                          # tanh: weights shrink with depth

# %% [markdown]
# ## 2. Weight paths $w_k[i, j]$ against $k/L$ at the largest depth

# %%
fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
for ax, (name, text) in zip(axes, SETUPS.items()):
    net, params = study.networks[name][-1]
    w = weight_sequence(net, params)[0]
    t = np.arange(net.depth) / net.depth
    for entry in (0, 11, 23, 47):
        ax.plot(t, w[:, entry], lw=1, gid=f"data:{name}:{entry}", label=f"entry {divmod(entry, 10)}")
    ax.axhline(0.0, color="k", lw=0.5, gid="theory")
    ax.set_xlabel("$k/L$")
    ax.set_ylabel("$w_k[i, j]$")
    ax.set_title(f"{text}, $L = {net.depth}$")
    ax.legend(fontsize=7)
fig.tight_layout()
show_figure(fig, "weight_paths.png", out_dir=OUT)

# %% [markdown]
# ## 3. Gradient descent converges linearly, uniformly in depth
#
# One regression problem (3 orthonormal inputs in $\mathbb R^3$), initial weights $A_k = 0.3I + \cos(\pi k/L)J$,
# learning rate $0.75L$: the log-loss falls on a line whose slope converges as $L$ grows to that of GD on the
# neural ODE (RK4 on 16 steps, an independent solver).

# %%
x, y = regression_problems(7, n_problems=1, noise=0.4)
kw = {"a0": 0.3, "a1": 1.0, "eta": 0.75, "steps": 60}
limit = continuum_gd_losses(x, y, grid=16, **kw)[0]
depths = (4, 8, 16, 32, 64)
losses = {d: resnet_gd_losses(x, y, depth=d, **kw)[0] for d in depths}
rates = np.array([linear_rate(losses[d][None], 20, 60)[0] for d in depths])
rate_limit = linear_rate(limit[None], 20, 60)[0]
fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
for d in depths:
    axes[0].semilogy(losses[d], lw=1, gid=f"data:L{d}", label=f"$L = {d}$")
axes[0].semilogy(limit, "k--", lw=1, gid="theory", label="neural ODE (limit)")
axes[0].set_xlabel("step")
axes[0].set_ylabel("loss")
axes[0].set_title("training loss")
axes[0].legend(fontsize=7)
axes[1].plot(1.0 / np.array(depths), rates, "o", gid="data:rate", label="rate $r_L$ (steps 20-60)")
axes[1].axhline(rate_limit, color="k", ls="--", gid="theory", label="limit $r_\\infty$")
axes[1].set_xlim(left=0.0)
axes[1].set_xlabel("$1/L$")
axes[1].set_ylabel("log-loss decrease per step")
axes[1].set_title("linear rate against depth")
axes[1].legend(fontsize=7)
fig.tight_layout()
show_figure(fig, "gd_linear_convergence.png", out_dir=OUT)
print("rates", rates.round(5), "limit", round(rate_limit, 5))
assert rate_limit > 0 and np.all(rates > 0.5 * rate_limit)
errors = np.abs(rates - rate_limit)
assert np.all(errors[1:] < errors[:-1])                               # the gap closes as L grows
print(f"notebook time {time.perf_counter() - START:.1f} s")
