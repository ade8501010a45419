# ---
# jupyter:
#   jupytext:
#     formats: py:percent
# ---

# %% [markdown]
# # Stating a theorem and checking it: a true one, and a false one
#
# A claim in deeplimits is a **declaration**: the parameters hypothesis may draw,
# the checks (what a finite network is compared with, and how), and pinned
# examples. The harness (`verify.core`) spawns the seeds, scales the samples, splits
# the false-failure rate over examples and comparisons, reports the smallest
# discrepancy each comparison can detect, and shrinks a failure to a minimal
# counterexample.
#
# The theorem: for a network with **one** hidden layer, the output covariance
# $E[f(x)f(x')]$ equals the NNGP kernel $K(x, x')$ at *every* width (the hidden
# pre-activations are exactly Gaussian). The false variant is a derivation slip a
# researcher could make: the kernel computed without the bias variance
# $\sigma_b^2$, while the networks have biases. The harness rejects it and
# shrinks the counterexample to the simplest network where the slip is resolved.
#
# The notebook doubles as a test (`tests/unit/core/test_notebooks.py` runs it).

# %%
import numpy as np

from numerics.kernel import fc_outputs, nngp_ntk
from verify.core import Exact, check, choice, integer, real, theorem
from verify.notebook_figures import figure_dir, show_figure

OUT = figure_dir()  # $DEEPLIMITS_NOTEBOOK_OUT, or None: figures are then only shown (in Jupyter)
X = np.array([[1.0, 0.0], [0.6, 0.8]])  # two inputs at an angle


def moments(p, *, n, seed):
    """f(x)^2, f(x')^2 and f(x) f(x') of n independently initialised networks."""
    f = fc_outputs(X, activation=p["activation"], depth=1, width=p["width"], W_std=p["W_std"], b_std=p["b_std"],
                   n_samples=n, seed=seed)
    return np.stack([f[:, 0] ** 2, f[:, 1] ** 2, f[:, 0] * f[:, 1]], axis=1)


def nngp(p):
    k, _ = nngp_ntk(X, activation=p["activation"], depth=1, W_std=p["W_std"], b_std=p["b_std"])
    return [k[0, 0], k[1, 1], k[0, 1]]


def nngp_without_bias(p):
    """The slip: the kernel of the same network with sigma_b = 0."""
    return nngp({**p, "b_std": 0.0})


def covariance_scale(p, predicted):
    """Relative power against K(x,x), K(x',x') and sqrt(K(x,x) K(x',x')) (the cross moment may vanish)."""
    return [predicted[0], predicted[1], np.sqrt(predicted[0] * predicted[1])]


def nngp_theorem(predict, name: str):
    return theorem(
        id=f"notebook.{name}",
        title="One hidden layer: the output covariance is the NNGP at every width",
        parameters=[choice("activation", "relu", "erf"), integer("width", 1, 8), real("W_std", 1.0, 2.0),
                    real("b_std", 0.1, 0.5)],
        checks=[Exact("second moments", simulate=moments, predict=predict, samples=200_000,
                      labels=("E f(x)^2", "E f(x')^2", "E f(x) f(x')"), scale=covariance_scale)],
        examples=[{"activation": "relu", "width": 1, "W_std": 1.5, "b_std": 0.3}],
    )


# %% [markdown]
# ## The true theorem passes, and says what it could have seen
#
# Every example reports, per compared quantity, the predicted value and the
# smallest discrepancy the z-test detects (false-failure rate split from 1e-6,
# false-pass rate 1e-6), relative to the prediction.

# %%
TRUE = nngp_theorem(nngp, "nngp_at_every_width")
result = check(TRUE)
assert result.passed, result.summary()
for params, seed, example in result.examples:
    weakest = example.data["weakest"]
    print(f"{params}: weakest relative detectable discrepancy {weakest['relative']:.3f} ({weakest['component']})")
show_figure(TRUE.plot.figure(result), "true_theorem.png", out_dir=OUT)

# %% [markdown]
# ## The false theorem is rejected, with a shrunk counterexample
#
# Without $\sigma_b^2$ the prediction is low by $\sigma_b^2$ (0.01 to 0.25 here,
# against second moments of order 1); hypothesis draws networks until one is
# rejected, then shrinks it to the simplest network that still fails.

# %%
FALSE = nngp_theorem(nngp_without_bias, "nngp_without_bias")
verdict = check(FALSE)
assert not verdict.passed, "the kernel without the bias variance must be rejected"
params, seed, failure = verdict.counterexample
failing = [o["name"] for o in failure.data["outcomes"] if not o["passed"]]
assert failing == ["second moments"]
print("shrunk counterexample:", params)
print(failure.detail)
show_figure(FALSE.plot.figure(verdict), "false_theorem.png", out_dir=OUT)
